/**
 * The audio stream's FreeSWITCH events: one table of subclass names (seed README "Events",
 * docs/seed-modules.md §2) and the exact body shapes. Every body passes through secret
 * redaction on its way out, like logs and replies.
 */
import type { NativeBridge } from '../bridge.js';
import { redactSecrets } from '../runtime/secrets.js';

export const AUDIO_STREAM_EVENTS = {
  /** Every server text frame, except audio deltas that were decoded and queued. Body: the frame. */
  json: 'mod_openai_audio_stream::json',
  /** Body: {"status":"connected"}; again after each reconnect. */
  connect: 'mod_openai_audio_stream::connect',
  /** Body: {"status":"disconnected","message":{"code":N,"reason":"…"}}. */
  disconnect: 'mod_openai_audio_stream::disconnect',
  /** Body: {"status":"error","message":{"retries":N,"error":"…","wait_time":ms,"http_status":N}}. */
  error: 'mod_openai_audio_stream::error',
  /** Debug files on: the delta event plus "file" (raw mode: {"file":…}). */
  play: 'mod_openai_audio_stream::play',
  /** Body: {"status":"started"}: the media thread played the first sample of a response. */
  speechStart: 'mod_openai_audio_stream::openai_speech_start',
  /** Body: {"status":"stopped"}: the last queued sample was played, or a barge-in flushed it. */
  speechStop: 'mod_openai_audio_stream::openai_speech_stop',
} as const;

export type AudioStreamEventName = (typeof AUDIO_STREAM_EVENTS)[keyof typeof AUDIO_STREAM_EVENTS];

export const connectBody = (): string => JSON.stringify({ status: 'connected' });

export const disconnectBody = (code: number, reason: string): string =>
  JSON.stringify({ status: 'disconnected', message: { code, reason } });

export const errorBody = (retries: number, error: string, waitTimeMs: number, httpStatus: number): string =>
  JSON.stringify({ status: 'error', message: { retries, error, wait_time: waitTimeMs, http_status: httpStatus } });

/** GPT-Live: the server refused the start, or a fatal error (credentials, quota, model) ended the stream; `code` is the server's. */
export const liveErrorBody = (code: string, message: string, fatal: boolean): string =>
  JSON.stringify({ status: 'error', message: { retries: 0, error: `${code}: ${message}`, wait_time: 0, http_status: 0, code, fatal } });

/** The original delta event with `file` added (the seed keeps the base64 `delta` too). */
export const playBody = (event: Record<string, unknown> | null, file: string): string =>
  JSON.stringify(event === null ? { file } : { ...event, file });

export const speechStartBody = (): string => JSON.stringify({ status: 'started' });
export const speechStopBody = (): string => JSON.stringify({ status: 'stopped' });

/** Fires one channel's events. */
export class AudioStreamEventSink {
  readonly #bridge: NativeBridge;
  readonly #uuid: string;
  #fired = 0;

  constructor(bridge: NativeBridge, uuid: string) {
    this.#bridge = bridge;
    this.#uuid = uuid;
  }

  get fired(): number {
    return this.#fired;
  }

  fire(subclass: AudioStreamEventName, body: string): void {
    this.#fired++;
    try {
      this.#bridge.fireEvent(this.#uuid, subclass, redactSecrets(body));
    } catch {
      // The channel may be gone (events after hangup); an event is never worth a failure.
    }
  }
}
