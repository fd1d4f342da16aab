/**
 * The engine's memory of the server session's configuration: the audio formats in force (from
 * `session.created` / `session.updated`, which retune the uplink's encoder and the playout's
 * decoder), and the session as configured so far — the profile's `session`, then every
 * `session.update` of the app merged over it — which is sent after the first `session.created`
 * (a profile's) and replayed on a new connection after a drop.
 */
import type { Logger } from '../runtime/logger.js';
import type { Playout } from './playout.js';
import {
  defaultSessionAudioConfig,
  formatName,
  readSessionAudioConfig,
  sessionUpdateSetsInputFormat,
  type SessionAudioConfig,
  type WireFormat,
} from './sessionFormats.js';
import { mergeSessionPatch } from './sessionPatch.js';
import type { Uplink } from './uplink.js';

export interface SessionConfigurationOptions {
  /** Raw mode: the formats are fixed by the command, the server's do not apply. */
  raw: boolean;
  /** The caller audio's format is fixed by the command (JSON stereo, jsonUplinkFormat.ts): the session's input format does not apply. */
  fixedInput?: boolean;
  /** A profile's `session`, sent after the first `session.created`; null for none. */
  initialSession: Readonly<Record<string, unknown>> | null;
  log: Logger;
  /** Sends one text frame; false when the socket is not open. */
  send(text: string): boolean;
}

export class SessionConfiguration {
  readonly #options: SessionConfigurationOptions;
  #formats: SessionAudioConfig = defaultSessionAudioConfig();
  #replay: Record<string, unknown> | null = null;
  /** The profile's session still waits for the first session.created. */
  #initialPending: boolean;
  #uplink: Uplink | null = null;
  #playout: Playout | null = null;

  constructor(options: SessionConfigurationOptions) {
    this.#options = options;
    this.#initialPending = options.initialSession !== null;
    if (options.initialSession) this.#replay = mergeSessionPatch(null, options.initialSession);
  }

  /** The parts whose formats follow the session's (once the media hook is attached). */
  attach(uplink: Uplink, playout: Playout): void {
    this.#uplink = uplink;
    this.#playout = playout;
  }

  get formats(): SessionAudioConfig {
    return this.#formats;
  }

  /** What would be replayed now (null: nothing configured). */
  get replay(): Readonly<Record<string, unknown>> | null {
    return this.#replay;
  }

  /** The app sent a `session.update`: remembered; it opens a gated uplink unless told otherwise. */
  appUpdateSent(event: Record<string, unknown>, session: Record<string, unknown>, opensUplink: boolean): boolean {
    this.#replay = mergeSessionPatch(this.#replay, session);
    const uplink = this.#uplink;
    if (!uplink) return false;
    if (!this.#options.raw && !this.#options.fixedInput && sessionUpdateSetsInputFormat(event)) uplink.formatChangeSent();
    if (!uplink.isOpen && opensUplink) {
      uplink.open();
      return true;
    }
    return false;
  }

  /** `session.created`: the formats in force; the profile's session goes out now. */
  created(session: unknown): void {
    this.#apply(readSessionAudioConfig(session, this.#formats));
    if (this.#initialPending && this.#replay !== null) {
      // The profile's session (with whatever the app sent meanwhile merged over it).
      this.#initialPending = false;
      this.#send(this.#replay);
      this.#options.log.info('sent the profile\'s session configuration');
    }
  }

  /**
   * `session.updated`, the answer to an update: the formats in force now. (session.created does not
   * end the wait: an update sent before it is answered by a session.updated of its own.)
   */
  updated(session: unknown): void {
    this.#uplink?.formatSettled();
    this.#apply(readSessionAudioConfig(session, this.#formats));
  }

  /**
   * A new server session after a drop: OpenAI's defaults until it says otherwise, then our
   * configuration again, before any audio (the uplink waits for the answer if the input format changes).
   */
  reconnected(): void {
    this.#apply(defaultSessionAudioConfig());
    this.#initialPending = false;
    if (this.#replay !== null) {
      this.#send(this.#replay);
      this.#options.log.info('replayed the session configuration on the new connection');
    }
  }

  /**
   * A session.update the engine sends for the app (the replay, the profile's session). Not tagged
   * as the engine's own: an error about it is about the app's configuration, and the app should see it.
   */
  #send(session: Record<string, unknown>): void {
    const event = { type: 'session.update', session };
    if (!this.#options.send(JSON.stringify(event))) return;
    const uplink = this.#uplink;
    if (!uplink) return;
    if (!this.#options.raw && !this.#options.fixedInput && sessionUpdateSetsInputFormat(event)) uplink.formatChangeSent();
    if (!uplink.isOpen) uplink.open();
  }

  #apply(next: SessionAudioConfig): void {
    const previous = this.#formats;
    this.#formats = next;
    if (this.#options.raw) return;
    if (!sameFormat(previous.input, next.input) && !this.#options.fixedInput) {
      this.#uplink?.configure({ mode: 'json', format: next.input });
      this.#options.log.info(`input audio format ${formatName(next.input)}`);
    }
    if (!sameFormat(previous.output, next.output)) {
      this.#playout?.configure(next.output);
      this.#options.log.info(`output audio format ${formatName(next.output)}`);
    }
  }
}

function sameFormat(a: WireFormat, b: WireFormat): boolean {
  return a.encoding === b.encoding && a.rate === b.rate;
}
