/**
 * `openai_realtime echo <uuid> start [delay_ms]`: plays the caller's own audio back after a delay,
 * with no server involved. An operator uses it to prove the media path of a channel (capture, the
 * playback writer on a parked channel, ptime, codec rate) before blaming the network; the tests use
 * it to prove the bridge bit-exact.
 */
import { Mix } from '../bridge.js';
import type { ChannelPort } from '../media/channelPort.js';
import type { MediaHandler, MediaPump } from '../media/mediaPump.js';
import { log } from '../runtime/logger.js';
import type { ActiveSession, SessionRegistry } from '../runtime/sessionRegistry.js';

export class EchoSession implements ActiveSession, MediaHandler {
  readonly family = 'echo';
  readonly uuid: string;
  readonly #registry: SessionRegistry;
  #port: ChannelPort | undefined;
  #pending: Int16Array;       // delayed audio not yet accepted by the ring
  #pendingLength = 0;
  #echoed = 0;
  #closed: Promise<void>;
  #resolveClosed: () => void = () => {};

  private constructor(uuid: string, registry: SessionRegistry) {
    this.uuid = uuid;
    this.#registry = registry;
    this.#pending = new Int16Array(0);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  static start(uuid: string, delayMs: number, pump: MediaPump, registry: SessionRegistry): EchoSession {
    const session = new EchoSession(uuid, registry);
    session.#port = pump.attach(
      { uuid, bugName: 'openai_echo', mix: Mix.mono, captureRingMs: 1000, playbackRingMs: Math.max(1000, delayMs + 500) },
      (port) => {
        // The delay is silence queued ahead of the first echoed frame.
        const delaySamples = Math.round((delayMs * port.sampleRate) / 1000);
        session.#pending = new Int16Array(Math.max(delaySamples + port.sampleRate, 4 * port.frameSamples));
        session.#pendingLength = delaySamples;
        return session;
      },
    );
    registry.add(session);
    log.forChannel(uuid).info(`echo started, delay ${delayMs} ms`);
    return session;
  }

  onCapture(samples: Int16Array, length: number): void {
    if (this.#pendingLength + length > this.#pending.length) {
      const grown = new Int16Array(Math.max(this.#pending.length * 2, this.#pendingLength + length));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(samples.subarray(0, length), this.#pendingLength);
    this.#pendingLength += length;
    this.onPlaybackRoom();
  }

  onPlaybackRoom(): void {
    const port = this.#port;
    if (!port || this.#pendingLength === 0) return;
    const written = port.write(this.#pending, this.#pendingLength);
    if (written > 0) {
      this.#pending.copyWithin(0, written, this.#pendingLength);
      this.#pendingLength -= written;
      this.#echoed += written;
    }
  }

  onDtmf(): void {}

  onClosed(): void {
    this.#registry.remove(this);
    this.#resolveClosed();
  }

  onFault(): void {}

  async stop(): Promise<void> {
    this.#port?.detach();
    await this.#closed;
  }

  status(): Record<string, unknown> {
    return { uuid: this.uuid, family: this.family, echoedSamples: this.#echoed, ...this.#port?.stats() };
  }
}
