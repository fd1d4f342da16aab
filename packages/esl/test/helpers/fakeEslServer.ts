/**
 * A small but real ESL server (FreeSWITCH mod_event_socket, inbound mode) on 127.0.0.1 for the
 * ESL client tests: real TCP, the real text protocol, no mocks. It greets with `auth/request`,
 * checks the password, answers `api` with a scripted `api/response`, `bgapi` with a Job-UUID and a
 * BACKGROUND_JOB event, `event json …` with `+OK`, and pushes `text/event-json` events to the
 * connections whose subscription matches (CUSTOM subclasses filtered as FreeSWITCH does).
 * Commands on one connection are answered one at a time, in order, like FreeSWITCH.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export type ApiHandler = (command: string) => string | Promise<string>;

interface Client {
  socket: Socket;
  authed: boolean;
  /** Tokens of every `event json` command: event names and CUSTOM subclasses. */
  events: Set<string>;
  subclasses: Set<string>;
  chain: Promise<void>;
}

export interface FakeEslServerOptions {
  password?: string;
  /** Split every frame into writes of this many bytes (with a turn of the event loop between). */
  chunkBytes?: number;
}

export class FakeEslServer {
  readonly host = '127.0.0.1';
  readonly password: string;
  /** Every command block received (on arrival, before it is answered), first line only, in order. */
  readonly commands: string[] = [];
  /** The argument of every `api` and `bgapi` command, in order. */
  readonly apiCommands: string[] = [];
  /** Arguments of every `event …` subscription command. */
  readonly subscriptions: string[] = [];
  connectionsAccepted = 0;
  #server: Server;
  #clients = new Set<Client>();
  #handler: ApiHandler = () => '+OK Success\n';
  #chunkBytes: number;
  #waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  private constructor(server: Server, options: FakeEslServerOptions) {
    this.#server = server;
    this.password = options.password ?? 'ClueCon';
    this.#chunkBytes = options.chunkBytes ?? 0;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async start(options: FakeEslServerOptions = {}): Promise<FakeEslServer> {
    const server = createServer();
    const fake = new FakeEslServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  /** Authenticated connections that have subscribed to something. */
  get subscribedClients(): number {
    return [...this.#clients].filter((c) => c.authed && c.events.size > 0).length;
  }

  /** Scripts the `api` replies (the body text, newline included as FreeSWITCH sends it). */
  onApi(handler: ApiHandler): void {
    this.#handler = handler;
  }

  /** Resolves once `predicate` holds (checked after every command and connection change). */
  waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }

  /**
   * Fires a CUSTOM event: `headers` go in as event headers (Unique-ID etc.), `body` as `_body`.
   * Resolves when written to every matching connection.
   */
  async pushCustom(subclass: string, headers: Record<string, string>, body?: string): Promise<void> {
    await this.pushEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': subclass, ...headers }, body);
  }

  async pushEvent(headers: Record<string, string>, body?: string): Promise<void> {
    const fields: Record<string, string> = { ...headers };
    if (body !== undefined) {
      fields['Content-Length'] = String(Buffer.byteLength(body));
      fields._body = body;
    }
    const frame = jsonEventFrame(JSON.stringify(fields));
    const targets = [...this.#clients].filter((c) => c.authed && subscribed(c, headers['Event-Name'] ?? '', headers['Event-Subclass']));
    await Promise.all(targets.map((c) => this.#write(c.socket, frame)));
  }

  /** Writes bytes as they are to every authenticated connection (for protocol-garbage tests). */
  async pushRaw(data: string | Buffer): Promise<void> {
    const targets = [...this.#clients].filter((c) => c.authed);
    await Promise.all(targets.map((c) => this.#write(c.socket, Buffer.isBuffer(data) ? data : Buffer.from(data))));
  }

  /** Cuts every connection without a word, as a FreeSWITCH restart would. */
  dropClients(): void {
    for (const c of this.#clients) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.connectionsAccepted++;
    socket.setNoDelay(true);
    const client: Client = { socket, authed: false, events: new Set(), subclasses: new Set(), chain: Promise.resolve() };
    this.#clients.add(client);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#clients.delete(client);
      this.#notify();
    });
    let pending = '';
    // A multi-byte character may be split between two reads.
    const decoder = new StringDecoder('utf8');
    socket.on('data', (chunk: Buffer) => {
      pending += decoder.write(chunk);
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (block.trim().length === 0) continue;
        this.commands.push(block.split('\n', 1)[0]!);
        client.chain = client.chain.then(() => this.#command(client, block)).catch(() => undefined);
      }
    });
    void this.#write(socket, Buffer.from('Content-Type: auth/request\n\n'));
  }

  async #command(client: Client, block: string): Promise<void> {
    const [line = '', ...headerLines] = block.split('\n');
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
    const socket = client.socket;
    try {
      if (line.startsWith('auth ')) {
        if (line.slice(5) === this.password) {
          client.authed = true;
          await this.#write(socket, commandReply('+OK accepted'));
        } else {
          await this.#write(socket, commandReply('-ERR invalid'));
          await this.#write(socket, disconnectNotice());
          socket.end();
        }
        return;
      }
      if (!client.authed) {
        await this.#write(socket, commandReply('-ERR command not found'));
        return;
      }
      if (line.startsWith('event ')) {
        const [, format, ...tokens] = line.split(' ');
        if (format !== 'json') {
          await this.#write(socket, commandReply('-ERR only json in this fake'));
          return;
        }
        this.subscriptions.push(line.slice(6));
        // As FreeSWITCH: every token after CUSTOM is a subclass.
        let custom = false;
        for (const t of tokens) {
          if (custom) client.subclasses.add(t);
          else client.events.add(t);
          if (t === 'CUSTOM') custom = true;
        }
        await this.#write(socket, commandReply('+OK event listener enabled json'));
        return;
      }
      if (line.startsWith('api ')) {
        const command = line.slice(4);
        this.apiCommands.push(command);
        this.#notify();
        const body = await this.#handler(command);
        await this.#write(socket, apiResponse(body));
        return;
      }
      if (line.startsWith('bgapi ')) {
        const command = line.slice(6);
        this.apiCommands.push(command);
        this.#notify();
        const jobId = headers['Job-UUID'] ?? randomUUID();
        await this.#write(socket, commandReply(`+OK Job-UUID: ${jobId}`, { 'Job-UUID': jobId }));
        const body = await this.#handler(command);
        if (subscribed(client, 'BACKGROUND_JOB', undefined)) {
          const fields = { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': jobId, 'Job-Command': command, 'Content-Length': String(Buffer.byteLength(body)), _body: body };
          await this.#write(socket, jsonEventFrame(JSON.stringify(fields)));
        }
        return;
      }
      if (line === 'exit') {
        await this.#write(socket, commandReply('+OK bye'));
        await this.#write(socket, disconnectNotice());
        socket.end();
        return;
      }
      await this.#write(socket, commandReply('-ERR command not found'));
    } finally {
      this.#notify();
    }
  }

  async #write(socket: Socket, data: Buffer): Promise<void> {
    if (socket.destroyed) return;
    if (this.#chunkBytes <= 0) {
      socket.write(data);
      return;
    }
    for (let i = 0; i < data.length && !socket.destroyed; i += this.#chunkBytes) {
      socket.write(data.subarray(i, i + this.#chunkBytes));
      // A turn of the event loop per piece, so the client really reads them separately.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.predicate()) return true;
      w.resolve();
      return false;
    });
  }
}

function subscribed(client: Client, eventName: string, subclass: string | undefined): boolean {
  if (client.events.has('ALL')) return true;
  if (eventName === 'CUSTOM') return client.events.has('CUSTOM') && (client.subclasses.size === 0 || (subclass !== undefined && client.subclasses.has(subclass)));
  return client.events.has(eventName);
}

function commandReply(text: string, extra: Record<string, string> = {}): Buffer {
  const lines = ['Content-Type: command/reply', `Reply-Text: ${text}`, ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join('\n')}\n\n`);
}

function apiResponse(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${bytes.length}\n\n`), bytes]);
}

function jsonEventFrame(json: string): Buffer {
  const bytes = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\nContent-Type: text/event-json\n\n`), bytes]);
}

function disconnectNotice(): Buffer {
  const body = Buffer.from('Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
  return Buffer.concat([Buffer.from(`Content-Type: text/disconnect-notice\nContent-Length: ${body.length}\n\n`), body]);
}
