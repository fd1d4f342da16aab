/**
 * Moves audio between the bridge's rings and the sessions. The media threads wake this JS thread at
 * most once per batch (one pending flag per thread for all channels); each wake drains every
 * channel's capture ring, delivers DTMF, lets the sessions whose channel ticked top up their playback
 * ring, and finishes channels whose hook went away. One session's exception ends that session only.
 *
 * Why not every session on every wake: with calls on their own ptime phases a wake usually finds one
 * or two channels with a new frame, so topping up all N sessions per wake made the cost of a frame
 * grow with the number of calls (bench/, issue 7). A channel's media thread consumes playback when
 * it captures, so a captured frame is the moment to top up; a session is still topped up at least
 * every ROOM_INTERVAL_MS, for hosts whose playback runs on another clock than capture.
 */
import { PollBits, type DtmfDigit, type MixValue, type NativeBridge } from '../bridge.js';
import { log } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import { ChannelPort } from './channelPort.js';

export interface MediaHandler {
  /** Captured audio at the channel rate (interleaved when stereo). The buffer is reused: copy what you keep. */
  onCapture(samples: Int16Array, length: number): void;
  onDtmf(digit: DtmfDigit): void;
  /** Room in the playback ring: top it up. Called when the channel ticked, and at least every 10 ms. */
  onPlaybackRoom(): void;
  /** The hook is gone (hangup, or our own detach completed). The port is released after this. */
  onClosed(): void;
  /** The handler threw; the pump has detached the channel. */
  onFault(error: unknown): void;
}

interface Entry {
  port: ChannelPort;
  handler: MediaHandler;
  buffer: Int16Array;
  /** When onPlaybackRoom last ran (performance.now() of that wake). */
  roomAt: number;
}

/** A session whose channel did not tick is still offered room this often (the ring is ~80 ms ahead). */
const ROOM_INTERVAL_MS = 10;

export interface AttachOptions {
  uuid: string;
  bugName: string;
  mix: MixValue;
  captureRingMs: number;
  playbackRingMs: number;
}

export class MediaPump {
  readonly #bridge: NativeBridge;
  readonly #entries = new Map<number, Entry>();
  #wakes = 0;

  constructor(bridge: NativeBridge) {
    this.#bridge = bridge;
  }

  /** Attaches a media hook and routes its audio to `handler`. Throws with the host's reason. */
  attach(options: AttachOptions, handler: (port: ChannelPort) => MediaHandler): ChannelPort {
    const attached = this.#bridge.attach(options.uuid, options.bugName, options.mix, options.captureRingMs, options.playbackRingMs);
    const port = new ChannelPort(this.#bridge, options.uuid, attached);
    let h: MediaHandler;
    try {
      h = handler(port);
    } catch (err) {
      this.#bridge.detach(attached.id);
      this.#bridge.release(attached.id);
      port.markReleased();
      throw err;
    }
    this.#entries.set(attached.id, { port, handler: h, buffer: new Int16Array(attached.captureCapacity), roomAt: -Infinity });
    this.#bridge.adopt(attached.id);
    return port;
  }

  get size(): number {
    return this.#entries.size;
  }

  get wakes(): number {
    return this.#wakes;
  }

  /** The bridge's wake callback. */
  onWake(): void {
    this.#wakes++;
    const now = performance.now();
    for (const entry of this.#entries.values()) this.#service(entry, now);
  }

  #service(entry: Entry, now: number): void {
    const { port, handler, buffer } = entry;
    const bits = this.#bridge.poll(port.id);
    if (bits < 0) {
      this.#finish(entry);
      return;
    }
    try {
      if (bits & PollBits.capture) {
        for (let guard = 0; guard < 64; guard++) {
          const n = this.#bridge.read(port.id, buffer);
          if (n <= 0) break;
          handler.onCapture(buffer, n);
        }
      }
      if (bits & PollBits.dtmf) {
        for (const d of this.#bridge.readDtmf(port.id)) handler.onDtmf(d);
      }
      if (!(bits & PollBits.closed) && ((bits & (PollBits.capture | PollBits.dtmf)) !== 0 || now - entry.roomAt >= ROOM_INTERVAL_MS)) {
        entry.roomAt = now;
        handler.onPlaybackRoom();
      }
    } catch (err) {
      log.forChannel(port.uuid).error(`session failed, ending it: ${describe(err)}`);
      try {
        handler.onFault(err);
      } catch (inner) {
        log.forChannel(port.uuid).error(`session fault handler failed: ${describe(inner)}`);
      }
      this.#bridge.detach(port.id);
      return;
    }
    if (bits & PollBits.closed) this.#finish(entry);
  }

  #finish(entry: Entry): void {
    if (!this.#entries.delete(entry.port.id)) return;
    this.#bridge.release(entry.port.id);
    entry.port.markReleased();
    try {
      entry.handler.onClosed();
    } catch (err) {
      log.forChannel(entry.port.uuid).error(`session close handler failed: ${describe(err)}`);
    }
  }
}
