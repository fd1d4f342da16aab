/**
 * One authenticated ESL connection (inbound mode: we connect to mod_event_socket). It greets,
 * authenticates, subscribes, then carries commands and events until the socket closes; it never
 * reconnects itself ({@link EslConnection} does, with a new link).
 *
 * ESL replies carry no request id: FreeSWITCH answers a connection's commands one at a time, in
 * order, each with exactly one `command/reply` or `api/response`. So replies are matched to a FIFO
 * of pending commands, and anything that could break that order (a timeout, a parse error) ends
 * the link rather than risk handing one command another's reply.
 */
import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { EslFrameParser, type EslFrame } from './eslFrameParser.js';
import { EslArgumentError, EslAuthError, EslConnectionError, EslProtocolError, EslTimeoutError } from './errors.js';

export interface EslReply {
  contentType: 'command/reply' | 'api/response';
  headers: Record<string, string>;
  /** `Reply-Text` of a command/reply; the body of an api/response. */
  text: string;
}

/** An event as FreeSWITCH serialised it with `event json`: string headers and the optional `_body`. */
export interface EslEvent {
  headers: Record<string, string>;
  body: string | null;
}

export interface EslLinkOptions {
  host: string;
  port: number;
  password: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export interface EslLinkHandlers {
  onEvent(event: EslEvent): void;
  /** A frame that was well-formed ESL but of no use (bad event JSON, a reply nobody waited for…). */
  onIgnored(reason: string): void;
  /** Once, when the socket is gone after a successful {@link EslLink.open}; `error` null if we closed it. */
  onClose(error: Error | null): void;
}

interface Pending {
  command: string;
  resolve: (reply: EslReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Time `close()` gives FreeSWITCH to answer `exit` before the socket is destroyed. */
const EXIT_GRACE_MS = 1000;

export class EslLink {
  readonly #socket: Socket;
  readonly #options: EslLinkOptions;
  readonly #handlers: EslLinkHandlers;
  readonly #parser = new EslFrameParser();
  readonly #pending: Pending[] = [];
  #opened = false;
  #closing = false;
  #ended = false;
  #error: Error | null = null;
  #greeting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  readonly #closed: Promise<void>;

  private constructor(socket: Socket, options: EslLinkOptions, handlers: EslLinkHandlers) {
    this.#socket = socket;
    this.#options = options;
    this.#handlers = handlers;
    socket.setNoDelay(true);
    // Lets the OS notice a peer that vanished without FIN (a FreeSWITCH host powered off).
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => {
      this.#error ??= err;
    });
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.#onSocketClose());
  }

  /**
   * Connects, authenticates and sends each subscription command (e.g. `event json CUSTOM a b`).
   * Rejects with {@link EslAuthError} on a refused password or ACL, else {@link EslConnectionError}.
   */
  static async open(options: EslLinkOptions, handlers: EslLinkHandlers, subscriptions: readonly string[]): Promise<EslLink> {
    const socket = connect({ host: options.host, port: options.port });
    const link = new EslLink(socket, options, handlers);
    try {
      await link.#awaitGreeting();
      const auth = await link.send(`auth ${options.password}`);
      if (!auth.text.startsWith('+OK')) throw new EslAuthError(`ESL authentication failed: ${auth.text || 'no reason given'}`);
      for (const command of subscriptions) {
        const reply = await link.send(command);
        if (!reply.text.startsWith('+OK')) throw new EslProtocolError(`'${command}' was refused: ${reply.text}`);
      }
    } catch (err) {
      link.destroy(err instanceof Error ? err : new Error(String(err)));
      await link.#closed;
      if (err instanceof EslAuthError || err instanceof EslProtocolError) throw err;
      throw new EslConnectionError('ESL_ERR_CONNECT_FAILED', `cannot connect to ESL at ${options.host}:${options.port}: ${describe(err)}`, {
        cause: err,
      });
    }
    link.#opened = true;
    if (link.#ended) {
      // Closed between the last reply and now: report it as any later close would be.
      queueMicrotask(() => handlers.onClose(link.#error ?? new EslConnectionError('ESL_ERR_CONNECTION_LOST', 'ESL connection closed')));
    }
    return link;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends one command (a line, plus optional extra header lines as for `bgapi … Job-UUID`) and
   * resolves with its reply. Rejects with {@link EslTimeoutError} (and ends the link) after
   * `commandTimeoutMs`, or {@link EslConnectionError} if the link ends first.
   */
  send(command: string, headers: Record<string, string> = {}): Promise<EslReply> {
    const lines = [command, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    // A newline inside a command would end it early and smuggle the rest in as a second command.
    for (const line of lines) {
      if (/[\r\n]/.test(line)) return Promise.reject(new EslArgumentError('command', 'Expected an ESL command without line breaks'));
    }
    if (this.#ended || this.#closing) {
      return Promise.reject(new EslConnectionError(this.#closing ? 'ESL_ERR_CLOSED' : 'ESL_ERR_CONNECTION_LOST', 'ESL connection is closed'));
    }
    return new Promise<EslReply>((resolve, reject) => {
      const timeoutMs = this.#options.commandTimeoutMs;
      const entry: Pending = {
        command,
        resolve,
        reject,
        timer: setTimeout(() => {
          const verb = command.split(' ', 1)[0];
          const error = new EslTimeoutError(`no reply to '${verb}' within ${timeoutMs} ms`, timeoutMs);
          this.#remove(entry);
          reject(error);
          this.destroy(error);
        }, timeoutMs),
      };
      this.#pending.push(entry);
      this.#socket.write(`${lines.join('\n')}\n\n`);
    });
  }

  /** Says `exit` and waits for FreeSWITCH to hang up (destroying the socket if it does not). */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#closing = true;
    this.#rejectAll(new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection closed by the application'));
    if (this.#socket.writable) this.#socket.end('exit\n\n');
    const timer = setTimeout(() => this.#socket.destroy(), EXIT_GRACE_MS);
    await this.#closed;
    clearTimeout(timer);
  }

  /** Ends the link now; `error` becomes the reason reported to `onClose`. */
  destroy(error: Error | null): void {
    if (error) this.#error ??= error;
    this.#socket.destroy();
  }

  #awaitGreeting(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#greeting = null;
        reject(new EslTimeoutError(`no ESL greeting within ${this.#options.connectTimeoutMs} ms`, this.#options.connectTimeoutMs));
      }, this.#options.connectTimeoutMs);
      this.#greeting = {
        resolve: () => {
          clearTimeout(timer);
          this.#greeting = null;
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          this.#greeting = null;
          reject(e);
        },
      };
    });
  }

  #onData(chunk: Buffer): void {
    let frames: EslFrame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      this.destroy(err instanceof Error ? err : new EslProtocolError(String(err)));
      return;
    }
    for (const frame of frames) {
      if (this.#ended) return;
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: EslFrame): void {
    const type = frame.headers['Content-Type'];
    switch (type) {
      case 'auth/request':
        if (this.#greeting) this.#greeting.resolve();
        else this.#handlers.onIgnored('unexpected auth/request');
        return;
      case 'command/reply':
      case 'api/response': {
        const entry = this.#pending.shift();
        if (!entry) {
          this.#handlers.onIgnored(`${type} with no command waiting`);
          return;
        }
        clearTimeout(entry.timer);
        const text = type === 'command/reply' ? (frame.headers['Reply-Text'] ?? '') : (frame.body?.toString('utf8') ?? '');
        entry.resolve({ contentType: type, headers: frame.headers, text });
        return;
      }
      case 'text/event-json':
        this.#onEventJson(frame.body);
        return;
      case 'text/rude-rejection': {
        // The ACL refused us; FreeSWITCH closes right after.
        const reason = frame.body?.toString('utf8').trim() || 'access denied';
        const error = new EslAuthError(`ESL connection rejected: ${reason}`);
        this.#error ??= error;
        this.#greeting?.reject(error);
        return;
      }
      case 'text/disconnect-notice':
        // FreeSWITCH is about to close the socket; the close itself ends the link.
        return;
      default:
        this.#handlers.onIgnored(`unhandled Content-Type '${type ?? ''}'`);
    }
  }

  #onEventJson(body: Buffer | null): void {
    let value: unknown;
    try {
      value = JSON.parse(body?.toString('utf8') ?? '');
    } catch {
      this.#handlers.onIgnored('event body is not JSON');
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.#handlers.onIgnored('event body is not a JSON object');
      return;
    }
    const headers: Record<string, string> = {};
    let eventBody: string | null = null;
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (name === '_body') eventBody = typeof v === 'string' ? v : JSON.stringify(v);
      else if (typeof v === 'string') headers[name] = v;
      // FreeSWITCH serialises repeated headers as arrays; keep them readable as one string.
      else if (v !== null && v !== undefined) headers[name] = Array.isArray(v) ? v.map(String).join(',') : String(v);
    }
    try {
      this.#handlers.onEvent({ headers, body: eventBody });
    } catch (err) {
      // The handler is ours and reports listener errors itself; this guard keeps the reply FIFO intact regardless.
      this.#handlers.onIgnored(`event handler failed: ${describe(err)}`);
    }
  }

  #onSocketClose(): void {
    this.#ended = true;
    const reason = this.#closing ? null : (this.#error ?? new EslConnectionError('ESL_ERR_CONNECTION_LOST', 'ESL connection closed by FreeSWITCH'));
    this.#greeting?.reject(reason ?? new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection closed'));
    this.#rejectAll(
      this.#closing
        ? new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection closed by the application')
        : new EslConnectionError('ESL_ERR_CONNECTION_LOST', `ESL connection lost before the reply: ${describe(reason)}`, { cause: reason }),
    );
    if (this.#opened) this.#handlers.onClose(reason);
  }

  #rejectAll(error: Error): void {
    for (const entry of this.#pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }

  #remove(entry: Pending): void {
    const i = this.#pending.indexOf(entry);
    if (i >= 0) this.#pending.splice(i, 1);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
