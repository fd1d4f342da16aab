/**
 * The engine's playout: assistant audio from the wire to the caller's ear, and what was heard.
 *
 *   delta / binary frame ─► DownlinkDecoder ─► PlaybackQueue (tagged per item) ─► playback ring,
 *   kept ~80 ms ahead of the media thread ─► played position ─► speech and playback events
 *
 * The ring is filled only a little ahead so a barge-in ({@link cut}) silences the caller at once;
 * the rest waits in the JS queue. Played time is counted from what the media thread consumed (ring
 * positions per item, {@link ItemPositionTracker}): that is what barge-in truncates to and what the
 * speech and per-response playback events follow. Everything runs on the Node thread; the media
 * thread only sees the ring.
 */
import { PlaybackMode, type PlaybackModeValue } from '../bridge.js';
import type { MediaChannel } from '../media/mediaChannel.js';
import type { Logger } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import type { BargeInItem } from './bargeInDecision.js';
import type { DebugAudioFiles } from './debugAudioFiles.js';
import { DownlinkDecoder, INVALID_BASE64 } from './downlinkDecoder.js';
import { ItemPositionTracker } from './itemPositionTracker.js';
import type { LatencyMeter } from './latencyMeter.js';
import { PlaybackQueue, SILENCE_TAG } from './playbackQueue.js';
import type { WireFormat } from './sessionFormats.js';

/** How far the playback ring is kept ahead of the media thread: small, so barge-in is instant. */
export const PLAYBACK_AHEAD_MS = 80;
/** Responses whose playback was reported finished, remembered so each is reported once. */
const REMEMBERED_RESPONSES = 32;

export type PlaybackState = 'started' | 'completed' | 'interrupted';

/** What the playout reports, on the Node thread, as the media thread plays. */
export interface PlayoutEvents {
  /** The media thread played the first sample of an utterance (not while the assistant is muted). */
  speechStarted(): void;
  /** The utterance's last sample was played, or a barge-in flushed it. */
  speechStopped(): void;
  /** Per response: first sample played, last sample played, or flushed. Each ends exactly once. */
  responsePlayback(responseId: string, state: PlaybackState): void;
}

export interface PlayoutOptions {
  /** The most audio the JS queue holds (playback-queue-ms). */
  playbackQueueMs: number;
  /** Raw mode (binary frames, no item ids): an item ends when frames stop coming. */
  raw: boolean;
  files: DebugAudioFiles | null;
  latency: LatencyMeter;
  log: Logger;
  events: PlayoutEvents;
}

/** One assistant item (raw mode: one burst of binary frames) as the downlink sees it. */
interface ItemState {
  tag: number;
  /** '' in raw mode: nothing to truncate. */
  itemId: string;
  responseId: string | null;
  sourceRate: number;
  /** Samples received at the wire rate. */
  received: number;
  /** Samples of this item still in the JS queue. */
  queued: number;
  /** All its audio has arrived. */
  ended: boolean;
  /** Some of its audio did not fit the playback queue (logged once per item). */
  overflowed: boolean;
}

/** What a barge-in cut left: what each item had been heard of, at the moment of the flush. */
export interface PlayoutCut {
  playedAtFlush: number;
  /** Items with an id (JSON mode), for the truncates. */
  items: BargeInItem[];
  /** Every response with audio here. */
  responseIds: Set<string>;
  /**
   * Responses here whose audio had all arrived, in items without an id (`response.output_audio.done`
   * without `item_id` ended them): nothing of them is in flight. With item ids a response may have
   * more items to come, so only `response.done` settles it (ResponseTracker).
   */
  settledResponseIds: Set<string>;
}

/** The outcome of {@link Playout.playDelta}: queued (with the debug file it went into), or why not. */
export type DeltaResult = { queued: true; file: string | null } | { queued: false; error: string };

export class Playout {
  readonly #port: MediaChannel;
  readonly #options: PlayoutOptions;
  readonly #decoder: DownlinkDecoder;
  readonly #queue: PlaybackQueue;
  readonly #positions = new ItemPositionTracker();
  readonly #aheadSamples: number;
  readonly #scratch: Int16Array;

  #nextTag = 0;
  #current: ItemState | null = null;
  readonly #live: ItemState[] = [];
  readonly #tagByItemId = new Map<string, number>();
  /** Samples written to the ring since attach: equals the ring's written position. */
  #ringWritePos: number;
  /** Samples queued since the last flush: the frame alignment of the ring. */
  #queuedSinceFlush = 0;
  #utterance = false;
  #speechPendingAt: number | null = null;
  #speechStarted = false;
  /** Responses with audio in the ring: where their first sample is, and whether it was played. */
  readonly #playback = new Map<string, { firstAt: number; started: boolean }>();
  readonly #playbackEnded: string[] = [];
  #lastBinaryAt = 0;
  #mode: PlaybackModeValue = PlaybackMode.idle;
  #paused = false;
  #muted = false;
  #stopped = false;
  #ringShortWrites = 0;
  /** Plays a partial frame left at the ring's tail when the server pauses mid-item (#holdPartialFrame). */
  #partialTimer: NodeJS.Timeout | null = null;

  constructor(port: MediaChannel, options: PlayoutOptions) {
    this.#port = port;
    this.#options = options;
    this.#decoder = new DownlinkDecoder(port.sampleRate);
    this.#queue = new PlaybackQueue(port.sampleRate, options.playbackQueueMs / 1000);
    this.#aheadSamples = Math.max(Math.round((port.sampleRate * PLAYBACK_AHEAD_MS) / 1000), 2 * port.frameSamples);
    this.#scratch = new Int16Array(this.#aheadSamples);
    this.#ringWritePos = port.writtenPosition();
    port.setPlaybackMode(PlaybackMode.idle);
  }

  /** The wire format of the audio that follows; a change ends the item that was streaming. */
  configure(format: WireFormat): void {
    if (this.#current) this.#endItem(this.#current);
    this.#decoder.configure(format);
  }

  get format(): WireFormat {
    return this.#decoder.format;
  }

  /** One base64 audio delta of an item (JSON mode). */
  playDelta(itemId: string, responseId: string | null, delta: string): DeltaResult {
    const item = this.#itemFor(itemId, responseId, this.#decoder.format.rate);
    const n = this.#decoder.decodeBase64(delta);
    if (n === INVALID_BASE64) return { queued: false, error: this.#decoder.lastError ?? 'invalid base64' };
    item.received += this.#decoder.sourceLength;
    const file = this.#record();
    this.#enqueue(this.#decoder.output, n, item);
    return { queued: true, file };
  }

  /** One binary frame (raw mode): part of the burst playing now, or the start of a new one. Returns the debug file. */
  playBinary(data: Uint8Array, rate: number): string | null {
    const item = this.#current ?? this.#itemFor('', null, rate);
    const n = this.#decoder.decodeBytes(data);
    item.received += this.#decoder.sourceLength;
    this.#lastBinaryAt = Date.now();
    const file = this.#record();
    this.#enqueue(this.#decoder.output, n, item);
    return file;
  }

  /** All audio of this item has arrived (`response.output_audio.done`). */
  endItemOf(itemId: string): void {
    const tag = this.#tagByItemId.get(itemId);
    const item = tag === undefined ? undefined : this.#liveItem(tag);
    if (item) this.#endItem(item);
  }

  /** All audio of this response has arrived (`response.done`). */
  endResponse(responseId: string | undefined): void {
    for (const item of this.#live) if (item.responseId === responseId && !item.ended) this.#endItem(item);
  }

  /** Nothing more of the item streaming now will come (the socket dropped): what arrived still plays. */
  endCurrent(): void {
    if (this.#current) this.#endItem(this.#current);
  }

  /** Room in the ring: top it up, then report what the media thread played since the last call. */
  onRoom(): void {
    this.#topUp();
    const played = this.#port.playedPosition();
    if (this.#speechPendingAt !== null && played > this.#speechPendingAt) {
      this.#speechPendingAt = null;
      if (!this.#muted) {
        this.#speechStarted = true;
        this.#options.events.speechStarted();
      }
    }
    for (const [responseId, p] of this.#playback) {
      if (!p.started && played > p.firstAt) {
        p.started = true;
        this.#options.latency.playbackStarted(responseId, Date.now());
        this.#options.events.responsePlayback(responseId, 'started');
      }
    }
    if (this.#options.raw && this.#current !== null && Date.now() - this.#lastBinaryAt > this.#rawBurstGapMs()) {
      this.#endItem(this.#current);
    }
    if (this.#utterance && this.#current === null && this.#queue.length === 0 && played >= this.#ringWritePos) {
      this.#utteranceDrained();
    }
    this.#forgetPlayedItems(played);
    this.updateMode();
  }

  /** Paused: nothing moves into the ring and an empty ring is silence. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.updateMode();
  }

  /** Muted: the timeline goes on (positions, playback events) but the caller hears silence. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  /** The engine is ending: the ring's mode stays idle from now on. */
  stop(): void {
    this.#stopped = true;
    if (this.#partialTimer) clearTimeout(this.#partialTimer);
    this.#partialTimer = null;
  }

  /** Whether a speech start was reported and its stop not yet; clears it (the end reports the stop). */
  takeSpeechStarted(): boolean {
    const started = this.#speechStarted;
    this.#speechStarted = false;
    return started;
  }

  /**
   * Nothing queued, nothing in the ring, no item still streaming: the caller has heard everything
   * the assistant said so far.
   */
  get idle(): boolean {
    return this.#current === null && this.#queue.length === 0 && this.#port.playedPosition() >= this.#ringWritePos;
  }

  /** Assistant audio is queued, in the ring, or still streaming (and the hook is still there). */
  get pending(): boolean {
    if (this.#port.released) return false;
    return this.#queue.length > 0 || this.#port.playbackQueued() > 0 || this.#current !== null;
  }

  /**
   * Barge-in, first half: silences the ring and the queue at once, and says how much of each item
   * the caller heard. {@link finishCut} then forgets the items (after the truncates went out).
   */
  cut(): PlayoutCut {
    const playedAtFlush = this.#port.flush();
    this.#queue.clear();
    const rate = this.#port.sampleRate;
    const items: BargeInItem[] = [];
    const responseIds = new Set<string>();
    const unsettled = new Set<string>();
    for (const item of this.#live) {
      if (item.responseId) {
        responseIds.add(item.responseId);
        if (!item.ended || item.itemId !== '') unsettled.add(item.responseId);
      }
      if (item.itemId === '') continue;
      items.push({
        itemId: item.itemId,
        playedMs: (this.#positions.playedSamples(item.tag, playedAtFlush) * 1000) / rate,
        receivedMs: (item.received * 1000) / item.sourceRate,
        complete: item.ended,
      });
    }
    const settledResponseIds = new Set([...responseIds].filter((id) => !unsettled.has(id)));
    return { playedAtFlush, items, responseIds, settledResponseIds };
  }

  /** Barge-in, second half: nothing of the cut items will play; the downlink starts clean. */
  finishCut(cut: PlayoutCut): void {
    // Each response with audio here: heard to the end already (its items not yet forgotten), or
    // cut, whether or not any of it had been heard yet.
    const outcome = new Map<string, 'completed' | 'interrupted'>();
    for (const item of this.#live) {
      if (item.responseId === null) continue;
      const written = this.#positions.writtenSamples(item.tag);
      const heardAll = item.ended && item.queued === 0 && written > 0 && this.#positions.playedSamples(item.tag, cut.playedAtFlush) >= written;
      if (!heardAll) outcome.set(item.responseId, 'interrupted');
      else if (!outcome.has(item.responseId)) outcome.set(item.responseId, 'completed');
    }
    for (const item of this.#live) {
      item.ended = true;
      this.#positions.forget(item.tag);
    }
    this.#live.length = 0;
    this.#tagByItemId.clear();
    this.#current = null;
    this.#decoder.reset();
    this.#options.files?.finishCurrent();
    this.#queuedSinceFlush = 0;
    this.#ringWritePos = this.#port.writtenPosition();
    this.#utteranceDrained();
    for (const [id, state] of outcome) this.#endPlayback(id, state);
    this.updateMode();
  }

  /**
   * Tells the media thread what an empty ring means now. Audio queued here: an empty ring would be
   * our underrun. An answer still streaming with nothing queued: an empty ring waits for the server
   * (a server gap). Otherwise (or paused, or ending) silence.
   */
  updateMode(): void {
    const mode: PlaybackModeValue =
      this.#paused || this.#stopped
        ? PlaybackMode.idle
        : this.#queue.length > 0
          ? PlaybackMode.queued
          : this.#current !== null
            ? PlaybackMode.awaitingServer
            : PlaybackMode.idle;
    if (mode === this.#mode || this.#port.released) return;
    this.#mode = mode;
    this.#port.setPlaybackMode(mode);
  }

  /**
   * Drops up to `samples` of the oldest audio waiting in the JS queue, in whole frames (so the ring
   * stays frame-aligned); returns how many. GPT-Live trims a standing lag with it (live/liveTrack.ts).
   */
  dropQueued(samples: number): number {
    const frame = this.#port.frameSamples;
    let left = Math.floor(Math.min(samples, this.#queue.length) / frame) * frame;
    let dropped = 0;
    while (left > 0 && this.#queue.length > 0) {
      const tag = this.#queue.headTag!;
      const n = this.#queue.readRun(this.#scratch, Math.min(left, this.#scratch.length));
      if (n === 0) break;
      if (tag !== SILENCE_TAG) {
        const item = this.#liveItem(tag);
        if (item) item.queued -= n;
      }
      left -= n;
      dropped += n;
    }
    this.updateMode();
    return dropped;
  }

  /**
   * Queues `samples` of silence (rounded down to whole frames, so the ring stays frame-aligned)
   * before whatever comes next. GPT-Live primes its jitter buffer with it (live/liveTrack.ts).
   */
  padSilence(samples: number): void {
    const frame = this.#port.frameSamples;
    const n = Math.floor(Math.max(0, samples) / frame) * frame;
    if (n === 0) return;
    this.#queuedSinceFlush += this.#queue.pushSilence(n, SILENCE_TAG);
    this.#topUp();
    this.updateMode();
  }

  get queuedSamples(): number {
    return this.#queue.length;
  }

  get droppedSamples(): number {
    return this.#queue.droppedSamples;
  }

  get ringShortWrites(): number {
    return this.#ringShortWrites;
  }

  /** The debug WAV file gets the decoded audio; returns its path (null: no files). */
  #record(): string | null {
    const files = this.#options.files;
    if (!files) return null;
    files.write(this.#decoder.source, this.#decoder.sourceLength);
    return files.currentPath;
  }

  /** The item a delta belongs to; a new item ends the previous one and starts clean. */
  #itemFor(itemId: string, responseId: string | null, sourceRate: number): ItemState {
    const current = this.#current;
    if (current && current.itemId === itemId) return current;
    if (current) this.#endItem(current);
    this.#decoder.reset();
    const item: ItemState = { tag: this.#nextTag++, itemId, responseId, sourceRate, received: 0, queued: 0, ended: false, overflowed: false };
    this.#current = item;
    this.#live.push(item);
    if (itemId !== '') this.#tagByItemId.set(itemId, item.tag);
    this.#options.files?.open(sourceRate);
    this.updateMode();
    return item;
  }

  /** All of the item's audio is in: drain the resampler and pad the ring to a whole frame. */
  #endItem(item: ItemState): void {
    if (item.ended) return;
    item.ended = true;
    if (this.#current === item) {
      this.#current = null;
      const tail = this.#decoder.flushTail();
      if (tail > 0) this.#enqueue(this.#decoder.output, tail, item);
      this.#options.files?.finishCurrent();
    }
    // The media thread plays whole frames only: without padding the last partial frame would wait forever.
    const frame = this.#port.frameSamples;
    const pad = (frame - (this.#queuedSinceFlush % frame)) % frame;
    if (pad > 0) this.#queuedSinceFlush += this.#queue.pushSilence(pad, SILENCE_TAG);
    this.#topUp();
  }

  #enqueue(samples: Int16Array, length: number, item: ItemState): void {
    const accepted = this.#queue.push(samples, length, item.tag);
    if (accepted < length && !item.overflowed) {
      item.overflowed = true;
      this.#options.log.warning(
        `playback queue full (playback-queue-ms ${this.#options.playbackQueueMs}): the rest of ${item.itemId || 'this audio'} is dropped`,
      );
    }
    item.queued += accepted;
    this.#queuedSinceFlush += accepted;
    this.#topUp();
    // What is left queued here decides what an empty ring would mean (ours or the server's gap).
    this.updateMode();
    if (this.#current === item) this.#holdPartialFrame();
  }

  /**
   * The media thread plays whole frames only, so audio short of a frame at the end of what has
   * arrived waits for more. When no more comes for two ptimes while all of it is in the ring, it
   * is padded to a frame and played (deltas shorter than a frame are heard without waiting for the
   * next one); a steady stream re-arms the timer with every delta and is never padded.
   */
  #holdPartialFrame(): void {
    if (this.#queuedSinceFlush % this.#port.frameSamples === 0) return;
    if (this.#partialTimer) {
      this.#partialTimer.refresh();
      return;
    }
    const holdMs = Math.max(10, (2 * this.#port.frameSamples * 1000) / this.#port.sampleRate);
    // A timer runs outside the engine's containment: a fault here is logged, never thrown into the loop.
    this.#partialTimer = setTimeout(() => {
      try {
        this.#playPartialFrame();
      } catch (err) {
        this.#options.log.error(`playout: partial frame: ${describe(err)}`);
      }
    }, holdMs);
    this.#partialTimer.unref();
  }

  #playPartialFrame(): void {
    this.#partialTimer = null;
    if (this.#stopped || this.#port.released) return;
    if (this.#queue.length > 0) {
      // Still waiting for room in the ring: padding now would put silence inside the audio.
      this.#holdPartialFrame();
      return;
    }
    const frame = this.#port.frameSamples;
    const pad = (frame - (this.#queuedSinceFlush % frame)) % frame;
    if (pad === 0) return;
    this.#queuedSinceFlush += this.#queue.pushSilence(pad, SILENCE_TAG);
    this.#topUp();
  }

  /** Moves queued audio into the ring until it is ~80 ms ahead of the media thread. */
  #topUp(): void {
    if (this.#paused || this.#queue.length === 0 || this.#port.released) return;
    let need = Math.min(this.#aheadSamples - this.#port.playbackQueued(), this.#port.playbackFree());
    while (need > 0 && this.#queue.length > 0) {
      const tag = this.#queue.headTag!;
      const n = this.#queue.readRun(this.#scratch, Math.min(need, this.#scratch.length));
      if (n === 0) break;
      if (this.#muted) this.#scratch.fill(0, 0, n);
      const written = this.#port.write(this.#scratch, n);
      if (written < n) this.#ringShortWrites++;
      if (tag !== SILENCE_TAG) {
        const item = this.#liveItem(tag);
        if (item) {
          item.queued -= n;
          const responseId = item.responseId;
          if (responseId !== null && !this.#playback.has(responseId) && !this.#playbackEnded.includes(responseId)) {
            this.#playback.set(responseId, { firstAt: this.#ringWritePos, started: false });
          }
        }
        this.#positions.record(tag, this.#ringWritePos, written);
        if (!this.#utterance) {
          this.#utterance = true;
          this.#speechPendingAt = this.#ringWritePos;
        }
      }
      this.#ringWritePos += written;
      need -= n;
    }
  }

  /** A plain loop: this runs for every frame moved to the ring, so no closure per call. */
  #liveItem(tag: number): ItemState | undefined {
    const live = this.#live;
    for (let i = 0; i < live.length; i++) if (live[i]!.tag === tag) return live[i];
    return undefined;
  }

  #utteranceDrained(): void {
    this.#utterance = false;
    this.#speechPendingAt = null;
    if (this.#speechStarted) {
      this.#speechStarted = false;
      this.#options.events.speechStopped();
    }
  }

  #forgetPlayedItems(played: number): void {
    for (let i = this.#live.length - 1; i >= 0; i--) {
      const item = this.#live[i]!;
      if (!item.ended || item.queued > 0) continue;
      if (this.#positions.playedSamples(item.tag, played) < this.#positions.writtenSamples(item.tag)) continue;
      this.#live.splice(i, 1);
      this.#positions.forget(item.tag);
      if (this.#tagByItemId.get(item.itemId) === item.tag) this.#tagByItemId.delete(item.itemId);
      const responseId = item.responseId;
      // The response's last audio item was heard to the end.
      if (responseId !== null && this.#playback.has(responseId) && !this.#live.some((other) => other.responseId === responseId)) {
        this.#endPlayback(responseId, 'completed');
      }
    }
  }

  #endPlayback(responseId: string, state: 'completed' | 'interrupted'): void {
    const p = this.#playback.get(responseId);
    this.#playback.delete(responseId);
    if (this.#playbackEnded.includes(responseId)) return;
    this.#playbackEnded.push(responseId);
    if (this.#playbackEnded.length > REMEMBERED_RESPONSES) this.#playbackEnded.shift();
    if (p && !p.started && state === 'completed') this.#options.events.responsePlayback(responseId, 'started');
    this.#options.events.responsePlayback(responseId, state);
  }

  #rawBurstGapMs(): number {
    return Math.max(100, (3 * this.#port.frameSamples * 1000) / this.#port.sampleRate);
  }
}
