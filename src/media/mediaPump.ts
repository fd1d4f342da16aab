/**
 * Moves audio between the bridge's rings and the sessions. The media threads wake this JS thread at
 * most once per batch (one pending flag per thread for all channels) and queue each channel that
 * has news on a ready list; a wake drains that list, reads those channels' captured audio, delivers
 * DTMF, lets their sessions top up their playback ring, and finishes channels whose hook went away.
 * One session's exception ends that session only.
 *
 * Why a ready list and not a look at every channel per wake: calls run on their own ptime phases, so
 * a wake usually finds one or two channels with a new frame; polling all N per wake made the cost of
 * a frame grow with the number of calls (bench/, issue 7: 9 % of the CPU at 200 calls). A channel's
 * media thread consumes playback when it captures, so a captured frame is the moment to top up; a
 * channel that has not ticked for one and a half frames is still offered room (and polled) by a
 * sweep, for hosts whose playback runs on another clock than capture.
 */
import { PollBits, type NativeBridge } from '../bridge.js';
import { log } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import { ChannelPort } from './channelPort.js';
import type { AttachOptions, MediaAttacher, MediaHandler } from './mediaChannel.js';

export type { AttachOptions, MediaHandler } from './mediaChannel.js';


interface Entry {
  port: ChannelPort;
  handler: MediaHandler;
  buffer: Int16Array;
  /** When onPlaybackRoom last ran (performance.now() of that wake). */
  roomAt: number;
  /** A channel that has not ticked for this long is swept: polled and offered room. */
  staleAfterMs: number;
}

/** How often the sweep looks for channels that stopped ticking, and its floor for short ptimes. */
const SWEEP_INTERVAL_MS = 10;
/** Pairs taken from the ready list per native call (more are fetched in further calls). */
const READY_BATCH = 256;


export class MediaPump implements MediaAttacher {
  readonly #bridge: NativeBridge;
  readonly #entries = new Map<number, Entry>();
  readonly #ready = new Int32Array(READY_BATCH * 2);
  #sweptAt = -Infinity;
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
    const ptimeMs = (1000 * attached.frameSamples) / attached.sampleRate;
    this.#entries.set(attached.id, {
      port,
      handler: h,
      buffer: new Int16Array(attached.captureCapacity),
      roomAt: -Infinity,
      staleAfterMs: Math.max(SWEEP_INTERVAL_MS, 1.5 * ptimeMs),
    });
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
    const ready = this.#ready;
    for (;;) {
      const n = this.#bridge.drainReady(ready);
      for (let i = 0; i < n; i++) {
        // An id we do not know is a channel released (or handed to another thread) meanwhile.
        const entry = this.#entries.get(ready[2 * i]!);
        if (entry) this.#service(entry, now, ready[2 * i + 1]!);
      }
      if (n < READY_BATCH) break;
    }
    if (now - this.#sweptAt >= SWEEP_INTERVAL_MS) {
      this.#sweptAt = now;
      for (const entry of this.#entries.values()) {
        if (now - entry.roomAt >= entry.staleAfterMs) this.#service(entry, now, this.#bridge.poll(entry.port.id));
      }
    }
  }

  #service(entry: Entry, now: number, bits: number): void {
    const { port, handler, buffer } = entry;
    if (bits < 0) {
      this.#finish(entry);
      return;
    }
    try {
      if (bits & PollBits.capture) {
        // The buffer holds the whole ring, so one read takes everything queued; a second read is
        // only worth its call when the first filled the buffer.
        for (let guard = 0; guard < 64; guard++) {
          const n = this.#bridge.read(port.id, buffer);
          if (n <= 0) break;
          handler.onCapture(buffer, n);
          if (n < buffer.length) break;
        }
      }
      if (bits & PollBits.dtmf) {
        for (const d of this.#bridge.readDtmf(port.id)) handler.onDtmf(d);
      }
      if (!(bits & PollBits.closed) && ((bits & (PollBits.capture | PollBits.dtmf | PollBits.room)) !== 0 || now - entry.roomAt >= SWEEP_INTERVAL_MS)) {
        entry.roomAt = now;
        port.beginTurn();
        try {
          handler.onPlaybackRoom();
        } finally {
          port.endTurn();
        }
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
    const last = this.#bridge.stats(entry.port.id);
    this.#bridge.release(entry.port.id);
    entry.port.markReleased(last);
    try {
      entry.handler.onClosed();
    } catch (err) {
      log.forChannel(entry.port.uuid).error(`session close handler failed: ${describe(err)}`);
    }
  }
}
