/**
 * A minimal ESL client (inbound event socket) with reconnection: `api`, `bgapi`, `event json`
 * subscriptions and typed events. Written here rather than taken from npm: the candidates either
 * declare no licence (esl, esl-lite), or bring an untyped callback API with outdated dependencies
 * (modesl). See the package README, "ESL client".
 *
 * Lifecycle: idle → connecting → connected ⇄ reconnecting → closed. Commands are accepted only
 * while connected; while reconnecting they fail at once with ESL_ERR_NOT_CONNECTED instead of
 * being queued, because a call-control command (mute, stop) delivered seconds late is worse than
 * an error the application can act on.
 */
import { randomUUID } from 'node:crypto';
import { EslLink, type EslEvent, type EslLinkOptions } from './eslLink.js';
import { EslAuthError, EslCommandError, EslConnectionError, EslProtocolError, EslTimeoutError } from './errors.js';
import { TypedEmitter } from './typedEmitter.js';

export type { EslEvent } from './eslLink.js';

export interface EslConnectionOptions {
  host: string;
  port: number;
  password: string;
  /** What to receive, as the arguments of `event json`, e.g. `['CUSTOM', 'mod_x::y']`. Default: nothing. */
  events?: readonly string[];
  /** Budget for TCP connect plus greeting. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * How long to wait for a reply before giving up and resetting the connection. Default 30 s: above
   * the module's own command timeout (5 s by default, `-ERR timeout`), so the module answers first.
   */
  commandTimeoutMs?: number;
  /** Reconnect after a lost connection (not after a refused password). Default on, 0.5 s doubling to 30 s. */
  reconnect?: boolean | { initialDelayMs?: number; maxDelayMs?: number };
}

export type EslConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface EslDisconnectInfo {
  /** Why; null when the application closed the connection. */
  error: Error | null;
  /** Whether a new connection is being attempted. */
  reconnecting: boolean;
}

export type EslConnectionEvents = {
  /** Every event of the subscribed kinds. */
  event: [EslEvent];
  /** Authenticated and subscribed: after `connect()` and after each successful reconnect. */
  connected: [];
  disconnected: [EslDisconnectInfo];
  /** A frame that could not be used (bad event JSON…); informational, the connection carries on. */
  ignored: [string];
};

export interface EslConnectionStats {
  eventsReceived: number;
  framesIgnored: number;
  reconnects: number;
}

interface Job {
  resolve: (body: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class EslConnection extends TypedEmitter<EslConnectionEvents> {
  readonly #options: EslLinkOptions;
  readonly #subscriptions: string[] = [];
  readonly #reconnect: { initialDelayMs: number; maxDelayMs: number } | null;
  #state: EslConnectionState = 'idle';
  #link: EslLink | null = null;
  #connecting: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryDelayMs = 0;
  #backgroundJobs = false;
  readonly #jobs = new Map<string, Job>();
  readonly #stats: EslConnectionStats = { eventsReceived: 0, framesIgnored: 0, reconnects: 0 };

  constructor(options: EslConnectionOptions) {
    super();
    this.#options = {
      host: options.host,
      port: options.port,
      password: options.password,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
    };
    if (options.events && options.events.length > 0) this.#subscriptions.push(`event json ${options.events.join(' ')}`);
    const r = options.reconnect ?? true;
    this.#reconnect = r === false ? null : { initialDelayMs: 500, maxDelayMs: 30_000, ...(r === true ? {} : r) };
  }

  get state(): EslConnectionState {
    return this.#state;
  }

  get stats(): Readonly<EslConnectionStats> {
    return { ...this.#stats };
  }

  /**
   * Connects and authenticates. Rejects with EslAuthError (wrong password, ACL) or
   * EslConnectionError; the first connection is not retried, later losses are.
   */
  connect(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection was closed; create a new one'));
    if (this.#state === 'connected' || this.#state === 'reconnecting') return Promise.resolve();
    this.#connecting ??= (async () => {
      this.#state = 'connecting';
      try {
        await this.#attach();
      } catch (err) {
        if (this.#state === 'connecting') this.#state = 'idle';
        throw err;
      } finally {
        this.#connecting = null;
      }
    })();
    return this.#connecting;
  }

  /** Runs `api <command>`; resolves with the reply body as FreeSWITCH sent it (`-ERR` is not an error here). */
  async api(command: string): Promise<string> {
    const reply = await this.#linkOrThrow().send(`api ${command}`);
    return reply.text;
  }

  /**
   * Runs `bgapi <command>` and resolves with the BACKGROUND_JOB body: the API runs on its own
   * FreeSWITCH thread, so a slow command does not hold up the replies to other commands.
   */
  async bgapi(command: string): Promise<string> {
    const link = this.#linkOrThrow();
    if (!this.#backgroundJobs) {
      // Subscribed on first use only: every client's job results go to every subscriber.
      const sub = 'event json BACKGROUND_JOB';
      const reply = await link.send(sub);
      if (!reply.text.startsWith('+OK')) throw new EslProtocolError(`cannot subscribe to BACKGROUND_JOB: ${reply.text}`);
      this.#backgroundJobs = true;
      this.#subscriptions.push(sub);
    }
    const jobId = randomUUID();
    const result = new Promise<string>((resolve, reject) => {
      const timeoutMs = this.#options.commandTimeoutMs;
      const timer = setTimeout(() => {
        this.#jobs.delete(jobId);
        reject(new EslTimeoutError(`no BACKGROUND_JOB result within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
      this.#jobs.set(jobId, { resolve, reject, timer });
    });
    try {
      const reply = await link.send(`bgapi ${command}`, { 'Job-UUID': jobId });
      if (!reply.text.startsWith('+OK')) throw new EslCommandError(`bgapi ${command}`, reply.text.replace(/^-ERR\s*/, ''), reply.text);
    } catch (err) {
      this.#settleJob(jobId, err instanceof Error ? err : new Error(String(err)));
      result.catch(() => undefined);
      throw err;
    }
    return result;
  }

  /** Closes for good: pending commands reject with ESL_ERR_CLOSED, no reconnect. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasConnected = this.#state === 'connected';
    this.#state = 'closed';
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const link = this.#link;
    this.#link = null;
    for (const id of [...this.#jobs.keys()]) this.#settleJob(id, new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection closed by the application'));
    if (link) await link.close();
    if (wasConnected) this.emit('disconnected', { error: null, reconnecting: false });
  }

  #linkOrThrow(): EslLink {
    if (this.#state === 'closed') throw new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection is closed');
    if (this.#state !== 'connected' || !this.#link) {
      throw new EslConnectionError('ESL_ERR_NOT_CONNECTED', `ESL is not connected (state: ${this.#state})`);
    }
    return this.#link;
  }

  async #attach(): Promise<void> {
    const link = await EslLink.open(
      this.#options,
      {
        onEvent: (event) => this.#onEvent(event),
        onIgnored: (reason) => {
          this.#stats.framesIgnored++;
          this.emit('ignored', reason);
        },
        onClose: (error) => this.#onLinkClose(link, error),
      },
      this.#subscriptions,
    );
    if (this.#state === 'closed') {
      // close() ran while we were connecting.
      await link.close();
      throw new EslConnectionError('ESL_ERR_CLOSED', 'ESL connection closed by the application');
    }
    this.#link = link;
    this.#state = 'connected';
    this.#retryDelayMs = 0;
    this.emit('connected');
  }

  #onEvent(event: EslEvent): void {
    this.#stats.eventsReceived++;
    const jobId = event.headers['Event-Name'] === 'BACKGROUND_JOB' ? event.headers['Job-UUID'] : undefined;
    if (jobId !== undefined) {
      this.#settleJob(jobId, event.body ?? '');
      return;
    }
    this.emit('event', event);
  }

  #settleJob(id: string, outcome: string | Error): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#jobs.delete(id);
    clearTimeout(job.timer);
    if (typeof outcome === 'string') job.resolve(outcome);
    else job.reject(outcome);
  }

  #onLinkClose(link: EslLink, error: Error | null): void {
    if (this.#link !== link) return;
    this.#link = null;
    if (this.#state !== 'connected') return;
    const lost = new EslConnectionError('ESL_ERR_CONNECTION_LOST', 'ESL connection lost before the background job finished');
    for (const id of [...this.#jobs.keys()]) this.#settleJob(id, lost);
    const reconnecting = this.#reconnect !== null;
    this.#state = reconnecting ? 'reconnecting' : 'idle';
    this.emit('disconnected', { error, reconnecting });
    if (reconnecting) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    const policy = this.#reconnect;
    if (!policy || this.#state !== 'reconnecting') return;
    this.#retryDelayMs = this.#retryDelayMs === 0 ? policy.initialDelayMs : Math.min(this.#retryDelayMs * 2, policy.maxDelayMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#state !== 'reconnecting') return;
      this.#stats.reconnects++;
      this.#attach().catch((err: unknown) => {
        if (this.#state !== 'reconnecting') return;
        if (err instanceof EslAuthError) {
          // A refused password will be refused again: stop and say so.
          this.#state = 'idle';
          this.emit('disconnected', { error: err, reconnecting: false });
          return;
        }
        this.#scheduleRetry();
      });
    }, this.#retryDelayMs);
  }
}

