/**
 * Bench mode: with OAIR_BENCH_PROBE=<directory> in the environment, each JS thread of the runtime
 * measures the module's added latency and its garbage-collection pauses and writes them to that
 * directory when the runtime stops (bench/ reads them). Without the variable this module is not even
 * loaded (benchHook.ts imports it on demand).
 *
 * What is measured, per direction:
 *  - uplink, caller frame captured → the frame of the append that carries it written to the socket
 *    (after permessage-deflate, which runs asynchronously on libuv's pool). The media thread does
 *    not timestamp frames, but it captures them on a fixed ptime clock, so frame j of a channel was
 *    captured at T0 + j·ptime; T0 is taken as the earliest read minus its frame index (the fastest
 *    wake-up seen, ≈ 30 µs of wake-up itself), per channel. `uplinkWake` is the part until JS read
 *    the frame from the ring, `uplinkSend` the part until `ws.send` was called;
 *  - downlink, audio delta received (the socket chunk that completed its frame, before inflating)
 *    → its first sample written to the playback ring, for deltas that found the session's queue
 *    empty: the start of each answer, which is what a caller waits for. Later deltas of an answer
 *    wait behind audio that is still playing (the server sends faster than real time): that is the
 *    playout schedule, not latency the module adds; so is an answer start that finds the ring still
 *    full of the previous answer (`downlinkBehind`). The media thread takes the sample at its next
 *    tick (≤ one ptime), as with any playout.
 * Every series is a histogram of 10 µs buckets (0–200 ms), so recording allocates nothing and
 * threads' results add up.
 *
 * How: wrappers around the bridge's attach/read/write, ws's WebSocket#send/#emit,
 * Sender#sendFrame and Receiver#_write/#decompress, and PlaybackQueue#push/readRun/clear. Bench
 * only: it patches shared prototypes on purpose.
 */
import { readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';
import * as ws from 'ws';
import type { AttachedChannel, NativeBridge } from '../bridge.js';
import { PlaybackQueue } from '../session/playbackQueue.js';

const BUCKET_US = 10;
const BUCKETS = 20_000; // 200 ms; the last bucket also holds everything longer

/** A fixed histogram of durations (ms in, 10 µs buckets). */
class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;
  maxMs = 0;
  add(ms: number): void {
    const b = Math.min(BUCKETS - 1, Math.max(0, Math.floor((ms * 1000) / BUCKET_US)));
    this.counts[b]!++;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }
  toJSON(): { bucketUs: number; total: number; maxMs: number; counts: Record<string, number> } {
    const counts: Record<string, number> = {};
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) counts[i] = this.counts[i]!;
    return { bucketUs: BUCKET_US, total: this.total, maxMs: this.maxMs, counts };
  }
}

/** A growable float series; grows by doubling, so appends allocate only a few times per call. */
class Series {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

interface ChannelRecord {
  ptimeMs: number;
  /** Samples per frame, all audio channels. */
  frameSamples: number;
  framesRead: number;
  /** Per read: read time − (newest frame index)·ptime, and how many frames it held. */
  readOffsets: Series;
  readFrames: Series;
  /** Per append: ws.send time − (frame index)·ptime, and socket write time − (frame index)·ptime. */
  sendOffsets: Series;
  writeOffsets: Series;
}

export interface BenchProbe {
  /** Writes this thread's results (once). */
  flush(): void;
}

/** Installs the probe on this thread, wrapping `bridge`'s functions in place. */
export function installBenchProbe(bridge: NativeBridge, dir: string): BenchProbe {
  const channels = new Map<number, ChannelRecord>();
  const downlink = new Histogram();
  const downlinkBehind = new Histogram();
  const gc = new Histogram();
  let gcMajor = 0;
  let current: ChannelRecord | undefined;
  let currentFrame = 0;
  let messageAt = -1;
  let writeFrom = -1;
  const pendingByQueue = new WeakMap<PlaybackQueue, number>();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  // How long the loop was kept from running (by work, GC, or the OS): the stalls rings must outlast.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const startedAt = performance.now();

  let tid = 0;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    // not Linux: no per-thread CPU in the bench
  }

  const attach = bridge.attach.bind(bridge);
  bridge.attach = (...args: Parameters<NativeBridge['attach']>): AttachedChannel => {
    const a = attach(...args);
    if (gcFrom === Infinity) {
      gcFrom = performance.now();
      // The event-loop delay of the steady state: the burst of session starts is not a stall the
      // rings have to outlast (nothing plays yet).
      setTimeout(() => loopDelay.reset(), 3000).unref();
    }
    channels.set(a.id, {
      ptimeMs: (a.frameSamples * 1000) / a.sampleRate,
      frameSamples: a.frameSamples * a.captureChannels,
      framesRead: 0,
      readOffsets: new Series(),
      readFrames: new Series(),
      sendOffsets: new Series(),
      writeOffsets: new Series(),
    });
    return a;
  };

  const read = bridge.read.bind(bridge);
  bridge.read = (id: number, out: Int16Array): number => {
    const n = read(id, out);
    if (n > 0) {
      const c = channels.get(id);
      if (c !== undefined) {
        const frames = Math.round(n / c.frameSamples);
        const t = performance.now();
        c.readOffsets.push(t - (c.framesRead + frames - 1) * c.ptimeMs);
        c.readFrames.push(frames);
        current = c;
        currentFrame = c.framesRead;
        c.framesRead += frames;
      }
    }
    return n;
  };

  const write = bridge.write.bind(bridge);
  bridge.write = (id: number, samples: Int16Array, length?: number): number => {
    const n = write(id, samples, length);
    if (writeFrom >= 0 && n > 0) {
      // Written while its message is handled: the module's own latency. Written later: the ring
      // was still full of the previous answer, which plays first (playout, not added latency).
      (messageAt >= 0 ? downlink : downlinkBehind).add(performance.now() - writeFrom);
      writeFrom = -1;
    }
    return n;
  };

  // ws's ESM entry exports its Sender and Receiver classes; its type declarations do not list them.
  const { WebSocket, Sender, Receiver } = ws as unknown as { WebSocket: { prototype: object }; Sender: { prototype: object }; Receiver: { prototype: object } };
  const APPEND_HEAD = '{"type":"input_audio_buffer.append"';
  // Text frames of each socket in the order they were sent: the capture offset of an append (its
  // channel record and frame), or undefined for other messages. ws writes them in this order.
  interface Pending {
    channel: ChannelRecord | undefined;
    offset: number;
  }
  const outgoing = new WeakMap<object, Pending[]>();
  const proto = WebSocket.prototype as unknown as {
    send(data: unknown, options?: unknown, cb?: unknown): void;
    emit(event: string | symbol, a?: unknown, b?: unknown): boolean;
  };
  const send = proto.send;
  proto.send = function (this: { _sender?: object }, data: unknown, options?: unknown, cb?: unknown): void {
    if (typeof data === 'string' && this._sender !== undefined) {
      let queue = outgoing.get(this._sender);
      if (queue === undefined) outgoing.set(this._sender, (queue = []));
      if (current !== undefined && data.startsWith(APPEND_HEAD)) {
        const offset = currentFrame * current.ptimeMs;
        current.sendOffsets.push(performance.now() - offset);
        queue.push({ channel: current, offset });
        currentFrame++;
      } else {
        queue.push({ channel: undefined, offset: 0 });
      }
    }
    send.call(this, data, options, cb);
  };
  const senderProto = Sender.prototype as unknown as { sendFrame(list: Buffer[], cb?: unknown): void };
  const sendFrame = senderProto.sendFrame;
  senderProto.sendFrame = function (this: object, list: Buffer[], cb?: unknown): void {
    sendFrame.call(this, list, cb);
    if (((list[0]?.[0] ?? 0) & 0x0f) !== 1) return; // text frames only (not pings, closes, binary)
    const p = outgoing.get(this)?.shift();
    if (p?.channel !== undefined) p.channel.writeOffsets.push(performance.now() - p.offset);
  };

  // Arrival of a server message: the socket chunk that completed its frame. Compressed frames are
  // inflated asynchronously (one at a time per receiver), uncompressed ones emitted at once.
  const arrival = new WeakMap<object, number>();
  const inflating = new WeakMap<object, number>();
  const receiverProto = Receiver.prototype as unknown as {
    _write(chunk: Buffer, encoding: string, cb: unknown): void;
    decompress(data: Buffer, cb: unknown): void;
  };
  const receiverWrite = receiverProto._write;
  receiverProto._write = function (this: object, chunk: Buffer, encoding: string, cb: unknown): void {
    arrival.set(this, performance.now());
    receiverWrite.call(this, chunk, encoding, cb);
  };
  const decompress = receiverProto.decompress;
  receiverProto.decompress = function (this: object, data: Buffer, cb: unknown): void {
    inflating.set(this, arrival.get(this) ?? performance.now());
    decompress.call(this, data, cb);
  };
  const emit = proto.emit;
  // Fixed arity: every ws event has at most two arguments; a rest parameter would allocate per message.
  proto.emit = function (this: { _receiver?: object }, event: string | symbol, a?: unknown, b?: unknown): boolean {
    if (event !== 'message') return emit.call(this, event, a, b);
    const r = this._receiver;
    messageAt = (r !== undefined ? (inflating.get(r) ?? arrival.get(r)) : undefined) ?? performance.now();
    if (r !== undefined) inflating.delete(r);
    try {
      return emit.call(this, event, a, b);
    } finally {
      messageAt = -1;
    }
  };

  const queue = PlaybackQueue.prototype;
  const push = queue.push;
  queue.push = function (this: PlaybackQueue, samples: Int16Array, length: number, tag: number): number {
    const wasEmpty = this.length === 0;
    const accepted = push.call(this, samples, length, tag);
    if (wasEmpty && accepted > 0 && messageAt >= 0) pendingByQueue.set(this, messageAt);
    return accepted;
  };
  const readRun = queue.readRun;
  queue.readRun = function (this: PlaybackQueue, out: Int16Array, max: number): number {
    const n = readRun.call(this, out, max);
    if (n > 0) {
      const from = pendingByQueue.get(this);
      if (from !== undefined) {
        pendingByQueue.delete(this);
        writeFrom = from; // the next ring write carries this delta's first sample
      }
    }
    return n;
  };
  const clear = queue.clear;
  queue.clear = function (this: PlaybackQueue): void {
    pendingByQueue.delete(this);
    clear.call(this);
  };

  // GC pauses while calls run: the collections of start-up (compiling the bundle) are not the
  // cost of a call, so counting starts with the first attached channel.
  let gcFrom = Infinity;
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < gcFrom) continue;
      gc.add(entry.duration);
      gcMs += entry.duration;
      // NODE_PERFORMANCE_GC_MAJOR = 4 (detail.kind in Node 16+).
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 4) gcMajor++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  let flushed = false;
  return {
    flush(): void {
      if (flushed) return;
      flushed = true;
      observer.disconnect();
      loopDelay.disable();
      const uplinkWake = new Histogram();
      const uplinkSend = new Histogram();
      const uplink = new Histogram();
      for (const c of channels.values()) {
        if (c.readOffsets.length === 0) continue;
        let t0 = Infinity;
        for (let i = 0; i < c.readOffsets.length; i++) t0 = Math.min(t0, c.readOffsets.data[i]!);
        for (let i = 0; i < c.readOffsets.length; i++) {
          // The newest frame of the read, then each older one a ptime earlier.
          const newest = c.readOffsets.data[i]! - t0;
          for (let f = 0; f < c.readFrames.data[i]!; f++) uplinkWake.add(newest + f * c.ptimeMs);
        }
        for (let i = 0; i < c.sendOffsets.length; i++) uplinkSend.add(c.sendOffsets.data[i]! - t0);
        for (let i = 0; i < c.writeOffsets.length; i++) uplink.add(c.writeOffsets.data[i]! - t0);
      }
      const elu = performance.eventLoopUtilization(elu0);
      const result = {
        threadId,
        tid,
        isMainThread,
        seconds: (performance.now() - startedAt) / 1000,
        channels: channels.size,
        eventLoopUtilization: elu.utilization,
        gcMajor,
        gcSeconds: gcFrom === Infinity ? 0 : (performance.now() - gcFrom) / 1000,
        gcMs,
        uplinkWake: uplinkWake.toJSON(),
        uplinkSend: uplinkSend.toJSON(),
        uplink: uplink.toJSON(),
        downlink: downlink.toJSON(),
        downlinkBehind: downlinkBehind.toJSON(),
        gc: gc.toJSON(),
        // ns → ms; the 10 ms sampling timer itself is subtracted by Node.
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
      };
      try {
        writeFileSync(join(dir, `probe-${process.pid}-${threadId}.json`), JSON.stringify(result));
      } catch {
        // the bench reports the missing thread
      }
    },
  };
}
