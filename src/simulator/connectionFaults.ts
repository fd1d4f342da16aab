/**
 * Carries out a connection's faults: timers for the time-based ones, counters for the ones tied
 * to deltas or client events, and the delta-corrupting hook. Everything it does to the socket goes
 * through the public `ws` API (`terminate`, `close`, `pause`, `resume`, `send`).
 */
import type { WebSocket } from 'ws';
import { DEFAULT_HUGE_FRAME_BYTES, type GarbageFrame, type SimulatorFaults } from './faults.js';
import { newId } from './ids.js';

export interface FaultEffects {
  /** Something the fault did, for the connection's record (`faultsFired`). */
  fired(description: string): void;
  /** Close with a close frame; the connection records it as closed by the server. */
  close(code: number, reason: string): void;
  /**
   * Cut the TCP connection without a close frame, once what was already sent has left the
   * process (a drop "after N deltas" must deliver those N), sending nothing more meanwhile.
   */
  drop(): void;
}

export class ConnectionFaultDriver {
  readonly #ws: WebSocket;
  readonly #effects: FaultEffects;
  #faults: SimulatorFaults = {};
  #ready = false;
  #deltas = 0;
  #clientEvents = 0;
  #muted = false;
  #stalled = false;
  #slowReadTimer: NodeJS.Timeout | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(ws: WebSocket, effects: FaultEffects) {
    this.#ws = ws;
    this.#effects = effects;
  }

  /** True while a `stall { muteServer }` is in effect: the connection drops what it would send. */
  get muted(): boolean {
    return this.#muted;
  }

  get faults(): SimulatorFaults {
    return this.#faults;
  }

  /** Add faults; fields given replace earlier ones. Time-based ones start now if already ready. */
  apply(faults: SimulatorFaults): void {
    this.#faults = { ...this.#faults, ...faults };
    if (this.#ready) this.#startTimed(faults);
  }

  /** The connection is ready (just after `session.created`, or the upgrade if none is sent). */
  ready(): void {
    this.#ready = true;
    this.#startTimed(this.#faults);
  }

  clientEvent(): void {
    this.#clientEvents++;
    const stall = this.#faults.stall;
    if (stall?.afterClientEvents !== undefined && this.#clientEvents === stall.afterClientEvents) this.#stall();
  }

  transformAudioDelta(base64: string): string {
    const bad = this.#faults.badAudio;
    // The delta about to be sent is number #deltas + 1.
    const n = this.#deltas + 1;
    if (!bad || n < (bad.atDelta ?? 1) || n >= (bad.atDelta ?? 1) + (bad.count ?? 1)) return base64;
    this.#effects.fired(`badAudio:${bad.kind}@${n}`);
    if (bad.kind === 'invalidBase64') return `%%not*base64%%${base64.slice(0, 16)}`;
    const bytes = Buffer.from(base64, 'base64');
    const odd = bytes.length % 2 === 1 ? bytes : bytes.subarray(0, Math.max(1, bytes.length - 1));
    return odd.toString('base64');
  }

  afterDelta(): void {
    this.#deltas++;
    const drop = this.#faults.dropMidResponse;
    if (drop && this.#deltas === drop.afterDeltas) {
      this.#effects.fired(`dropMidResponse@${this.#deltas}`);
      this.#effects.drop();
      return;
    }
    const close = this.#faults.closeWith;
    if (close?.afterDeltas !== undefined && this.#deltas === close.afterDeltas) this.#close(close.code, close.reason);
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    clearTimeout(this.#slowReadTimer);
  }

  #startTimed(faults: SimulatorFaults): void {
    const { closeWith, stall, slowReads, garbage, hugeFrame } = faults;
    if (closeWith && closeWith.afterDeltas === undefined) {
      this.#after(closeWith.afterMs ?? 0, () => this.#close(closeWith.code, closeWith.reason));
    }
    if (stall && stall.afterClientEvents === undefined) this.#after(stall.afterMs ?? 0, () => this.#stall());
    if (slowReads) this.#startSlowReads(slowReads.readMs ?? 5, slowReads.pauseMs ?? 95);
    if (garbage) this.#after(garbage.afterMs ?? 0, () => this.#sendGarbage(garbage.frames));
    if (hugeFrame) this.#after(hugeFrame.afterMs ?? 0, () => this.#sendHugeFrame(hugeFrame.bytes ?? DEFAULT_HUGE_FRAME_BYTES));
  }

  #after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#ws.readyState === this.#ws.OPEN) action();
    }, ms);
    this.#timers.add(timer);
  }

  #close(code: number, reason = ''): void {
    this.#effects.fired(`closeWith:${code}`);
    this.#effects.close(code, reason);
  }

  #stall(): void {
    this.#stalled = true;
    clearTimeout(this.#slowReadTimer);
    this.#ws.pause();
    if (this.#faults.stall?.muteServer) this.#muted = true;
    this.#effects.fired(this.#muted ? 'stall:muted' : 'stall');
  }

  #startSlowReads(readMs: number, pauseMs: number): void {
    this.#effects.fired(`slowReads:${readMs}/${pauseMs}`);
    const cycle = (reading: boolean): void => {
      if (this.#stalled || this.#ws.readyState !== this.#ws.OPEN) return;
      if (reading) this.#ws.resume();
      else this.#ws.pause();
      this.#slowReadTimer = setTimeout(() => cycle(!reading), reading ? readMs : pauseMs);
    };
    cycle(false);
  }

  #sendGarbage(frames: GarbageFrame[]): void {
    for (const frame of frames) {
      this.#effects.fired(`garbage:${frame}`);
      this.#ws.send(garbageFrame(frame));
    }
  }

  #sendHugeFrame(bytes: number): void {
    const head = `{"type":"response.output_audio.delta","event_id":"${newId('event')}","response_id":"resp_huge","item_id":"item_huge","output_index":0,"content_index":0,"delta":"`;
    // Base64 of silence ("AAAA" = three zero bytes) in whole quads; JSON whitespace makes up the
    // remainder so the frame is exactly `bytes` long.
    const filler = Math.max(0, bytes - head.length - 2) & ~3;
    const padding = Math.max(0, bytes - head.length - filler - 2);
    const frame = `${head}${'A'.repeat(filler)}"${' '.repeat(padding)}}`;
    this.#effects.fired(`hugeFrame:${frame.length}`);
    this.#ws.send(frame);
  }
}

function garbageFrame(kind: GarbageFrame): string | Buffer {
  switch (kind) {
    case 'text':
      return '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>';
    case 'binary':
      return Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
    case 'untyped':
      return JSON.stringify({ event_id: newId('event'), message: 'an object without a type' });
    case 'unknownType':
      return JSON.stringify({ type: 'simulator.unknown_event', event_id: newId('event'), detail: 'clients must ignore unknown event types' });
    case 'truncatedJson':
      return '{"type":"response.output_audio.delta","event_id":"event_cut","delta":"AAAA';
  }
}
