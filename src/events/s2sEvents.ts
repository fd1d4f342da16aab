/**
 * The `uuid_openai_s2s` events (seed README "Events", docs/seed-modules.md §6.3): subclass
 * names, the two headers every one of them carries, and the body shapes. The host adds the channel
 * headers; every body passes through secret redaction on its way out.
 */
import type { NativeBridge } from '../bridge.js';
import { redactSecrets } from '../runtime/secrets.js';

export const S2S_EVENTS = {
  /** The WebSocket is open (once per session). No body. */
  connect: 'openai_s2s::connect',
  /** No connection could be made (every attempt failed). Body: {"reason":"…"}. */
  connectFailed: 'openai_s2s::connect_failed',
  /** A server event (beta names), or one the module synthesises (output_audio.playback_*). Body: the event. */
  serverEvent: 'openai_s2s::server_event',
  /** The server or the network ended an open connection (not fired for session.delete or hangup). Body: {"code":N,"reason":"…"}. */
  disconnect: 'openai_s2s::disconnect',
} as const;

export type S2sEventName = (typeof S2S_EVENTS)[keyof typeof S2S_EVENTS];

/** On every event, as the seed: how jambonz tells the vendor and the media bug apart. */
export const S2S_EVENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'llm-vendor': 'openai',
  'media-bugname': 'openai_s2s',
});

export const connectFailedBody = (reason: string): string => JSON.stringify({ reason });

export const disconnectBody = (code: number, reason: string): string => JSON.stringify({ code, reason });

/** The seed's synthesised playback events, well-formed (one of the seed's was not). */
export const playbackStartedBody = (responseId: string): string =>
  JSON.stringify({ type: 'output_audio.playback_started', response_id: responseId });

export const playbackStoppedBody = (responseId: string, reason: 'completed' | 'interrupted'): string =>
  JSON.stringify({ type: 'output_audio.playback_stopped', completion_reason: reason, response_id: responseId });

/** Fires one channel's s2s events. */
export class S2sEventSink {
  readonly #bridge: NativeBridge;
  readonly #uuid: string;

  constructor(bridge: NativeBridge, uuid: string) {
    this.#bridge = bridge;
    this.#uuid = uuid;
  }

  fire(subclass: S2sEventName, body: string): void {
    try {
      this.#bridge.fireEvent(this.#uuid, subclass, redactSecrets(body), { ...S2S_EVENT_HEADERS });
    } catch {
      // The channel may be gone (events after hangup); an event is never worth a failure.
    }
  }
}
