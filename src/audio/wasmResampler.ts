/**
 * The WebAssembly SIMD backend of {@link Resampler} (resampler.ts): the same polyphase filters,
 * evaluated four float32 lanes at a time by kernels/resamplerKernel.c, which is what speexdsp's SSE
 * path does and why the TypeScript float64 loops are ~4× slower than it. The output stays within
 * ±1 LSB of the TypeScript path (test/audio/wasmResampler.test.ts).
 *
 * Shape: one WebAssembly instance per JS thread (main runtime thread or worker), created on first
 * use from bytes embedded in resamplerKernelWasm.ts, so `tsc` alone ships it and no file is read at
 * run time. Coefficient tables are copied into its memory once per (ratio, quality). Streams keep
 * their history and phase in JS and lay them into a shared scratch area for each call: the kernel is
 * stateless, so a Resampler needs no dispose() and garbage collection frees everything.
 *
 * Hot path: `process()` allocates nothing (typed-array `set` and `copyWithin` with offsets, plain
 * loops instead of `subarray`). Memory grows only when a new table or a longer filter appears.
 *
 * Opt-out (STYLE.md §15): OAIR_NO_WASM_RESAMPLER=1 in the environment, or a runtime without
 * WebAssembly SIMD, leaves every Resampler on TypeScript.
 */
import { Buffer } from 'node:buffer';
import { RESAMPLER_KERNEL_WASM_BASE64 } from './resamplerKernelWasm.js';

/** What a stream needs to know about its table (resampler.ts builds it). */
export interface WasmTableSpec {
  /** `up/down@quality`: tables are shared by key. */
  key: string;
  up: number;
  down: number;
  /** Taps per branch, a multiple of 4. */
  taps: number;
  stepWhole: number;
  stepFrac: number;
  /** All branches, oldest sample first (built only when the table is first registered). */
  branches: () => ArrayLike<number>;
  /** Pure decimation: the symmetric branch from the centre out; else null. */
  folded: readonly number[] | null;
  /** Index of the prototype's centre tap (the prototype spans 0 .. 2·centre). */
  centre: number;
  /** The scaled prototype tap i (0 outside the filter). */
  prototypeAt: (i: number) => number;
}

/**
 * The little of the WebAssembly JS API used here, typed locally: the project compiles without the
 * DOM library, which is where TypeScript keeps the WebAssembly declarations.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface KernelExports {
  memory: WasmMemory;
  __heap_base: { value: unknown };
  poly(coefs: number, taps: number, up: number, stepWhole: number, stepFrac: number, state: number, x: number, input: number, n: number, out: number): number;
  interpolate(coefs: number, taps: number, up: number, x: number, input: number, n: number, out: number): number;
  decimate(folded: number, half: number, taps: number, down: number, state: number, x: number, rev: number, input: number, n: number, out: number): number;
  fold2(coefs: number, half: number, len4: number, taps: number, down: number, state: number, x: number, rev: number, input: number, n: number, out: number): number;
  up32(coefs: number, half: number, len4: number, taps: number, state: number, x: number, rev: number, input: number, n: number, out: number): number;
  up3(coefs: number, half: number, len4: number, taps: number, x: number, rev: number, input: number, n: number, out: number): number;
}

type KernelKind = 'poly' | 'interpolate' | 'decimate' | 'fold2' | 'up32' | 'up3';

interface RegisteredTable {
  kind: KernelKind;
  /** Byte offset of the coefficients in kernel memory. */
  coefs: number;
  /** decimate, fold2, up3, up32: taps on each side of the centre (in input samples). */
  half: number;
  /** fold2, up3, up32: length of each folded coefficient run, a multiple of 4. */
  len4: number;
}

/** Input samples per kernel call; longer inputs are cut into chunks (the kernel is stateful across them). */
const CHUNK = 4096;
/** Output samples one call may write. */
const OUT_CAPACITY = 16384;
/** Floats of slack after each float buffer: the folded loops read up to 4 samples past their window (at zero coefficients). */
const SLACK = 8;

/** The per-thread kernel instance: its memory, a bump allocator and the shared scratch area. */
class Kernel {
  readonly exports: KernelExports;
  f32!: Float32Array;
  i16!: Int16Array;
  i32!: Int32Array;
  #top: number;
  readonly #tables = new Map<string, RegisteredTable>();
  /** Scratch, all byte offsets: {phase, need}, the float window, its reverse, input and output int16. */
  state = 0;
  x = 0;
  rev = 0;
  input = 0;
  output = 0;
  #scratchTaps = 0;
  /** Views of the first taps − 1 floats of the window (a stream's history), by taps; rebuilt on growth. */
  #historyViews = new Map<number, Float32Array>();
  /** Bumped whenever the memory grows (every view made before is detached then). */
  generation = 0;

  constructor(exports: KernelExports) {
    this.exports = exports;
    this.#top = align(Number(exports.__heap_base.value), 16);
    this.#refresh();
  }

  table(spec: WasmTableSpec): RegisteredTable {
    let t = this.#tables.get(spec.key);
    if (t !== undefined) return t;
    if (spec.folded !== null) {
      // f[0], then f[1..half] zero-padded to a multiple of 4 (the kernel reads whole vectors).
      const half = spec.folded.length - 1;
      const length = 1 + align(half, 4);
      const at = this.alloc(length * 4);
      for (let i = 0; i < length; i++) this.f32[at / 4 + i] = i <= half ? spec.folded[i]! : 0;
      t = { kind: 'decimate', coefs: at, half, len4: 0 };
    } else if (spec.up === 2 && spec.down % 2 === 1 && spec.centre % 2 === 0) {
      t = this.#foldedTable(spec, 2);
    } else if (spec.up === 3 && (spec.down === 1 || spec.down === 2) && spec.centre % 3 === 0) {
      t = this.#foldedTable(spec, 3);
    } else {
      const branches = spec.branches();
      const at = this.alloc(branches.length * 4);
      for (let i = 0; i < branches.length; i++) this.f32[at / 4 + i] = branches[i]!;
      const kind: KernelKind = spec.down === 1 && spec.up >= 2 && spec.up <= 4 ? 'interpolate' : 'poly';
      t = { kind, coefs: at, half: 0, len4: 0 };
    }
    this.#tables.set(spec.key, t);
    return t;
  }

  /**
   * The folded layouts of fold2 (up = 2: f[0], f[1..len4], g[1..len4]), up3 (up = 3, down = 1:
   * f[0], f[1..len4], e[1..len4], o[1..len4]) and up32 (up = 3, down = 2: the same, then a_0,
   * a_−half); see the kernel for the formulas. Needs the prototype centred on a multiple of `up`.
   */
  #foldedTable(spec: WasmTableSpec, up: 2 | 3): RegisteredTable {
    const h = spec.prototypeAt;
    const c = spec.centre;
    const half = c / up;
    const len4 = align(half, 4);
    const runs = up === 2 ? 2 : 3;
    const length = 1 + runs * len4 + (up === 3 ? 2 : 0);
    const at = this.alloc(length * 4);
    const f32 = this.f32;
    const base = at / 4;
    for (let i = 0; i < length; i++) f32[base + i] = 0;
    f32[base] = h(c);
    for (let d = 1; d <= half; d++) f32[base + d] = h(c - up * d);
    if (up === 2) {
      for (let r = 1; r <= half; r++) f32[base + len4 + r] = h(c + 1 - 2 * r);
      return { kind: 'fold2', coefs: at, half, len4 };
    }
    if (spec.down === 1) {
      for (let r = 1; r <= half; r++) {
        const a = h(c + 1 - 3 * r);
        const b = h(c - 2 + 3 * r);
        f32[base + len4 + r] = (a + b) / 2;
        f32[base + 2 * len4 + r] = (a - b) / 2;
      }
      return { kind: 'up3', coefs: at, half, len4 };
    }
    for (let r = 1; r < half; r++) {
      const a = h(c - 1 - 3 * r);
      const b = h(c - 1 + 3 * r);
      f32[base + len4 + r] = (a + b) / 2;
      f32[base + 2 * len4 + r] = (a - b) / 2;
    }
    f32[base + 1 + 3 * len4] = h(c - 1);
    f32[base + 2 + 3 * len4] = h(c - 1 + 3 * half);
    return { kind: 'up32', coefs: at, half, len4 };
  }

  /** Makes the scratch area hold a window of `taps` plus a chunk. */
  ensureScratch(taps: number): void {
    if (taps <= this.#scratchTaps) return;
    const floats = taps + CHUNK + SLACK;
    this.state = this.alloc(16);
    this.x = this.alloc(floats * 4);
    this.rev = this.alloc(floats * 4);
    this.input = this.alloc(CHUNK * 2 + 16);
    this.output = this.alloc(OUT_CAPACITY * 2 + 16);
    this.#scratchTaps = taps;
    this.#historyViews.clear();
  }

  /** A view of the history part of the window (taps − 1 floats at `x`). */
  historyView(taps: number): Float32Array {
    let v = this.#historyViews.get(taps);
    if (v === undefined) {
      v = new Float32Array(this.exports.memory.buffer, this.x, taps - 1);
      this.#historyViews.set(taps, v);
    }
    return v;
  }

  alloc(bytes: number): number {
    const at = this.#top;
    const end = align(at + bytes, 16);
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      this.#refresh();
    }
    this.#top = end;
    return at;
  }

  #refresh(): void {
    this.generation++;
    const buffer = this.exports.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.#historyViews.clear();
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** undefined: not tried yet; null: unavailable (opted out, no SIMD, failed to load). */
let kernel: Kernel | null | undefined;
let unavailableReason = '';

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  if (process.env.OAIR_NO_WASM_RESAMPLER) {
    unavailableReason = 'disabled by OAIR_NO_WASM_RESAMPLER';
    return null;
  }
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = Buffer.from(RESAMPLER_KERNEL_WASM_BASE64, 'base64');
    if (wasm === undefined || !wasm.validate(bytes)) {
      unavailableReason = 'this runtime cannot run WebAssembly SIMD';
      return null;
    }
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    kernel = new Kernel(instance.exports as unknown as KernelExports);
  } catch (err) {
    unavailableReason = `kernel failed to load: ${err instanceof Error ? err.message : String(err)}`;
  }
  return kernel;
}

/** Whether Resamplers on this thread run on WebAssembly, and if not, why. */
export function wasmResamplerStatus(): { available: boolean; reason: string } {
  const k = loadKernel();
  return { available: k !== null, reason: k !== null ? 'WebAssembly SIMD kernel' : unavailableReason };
}

/**
 * A stream on the kernel, or null when the kernel is unavailable (then `required` throws instead:
 * the caller asked for WebAssembly explicitly).
 */
export function createWasmStream(spec: WasmTableSpec, required: boolean): WasmResamplerStream | null {
  const k = loadKernel();
  if (k === null) {
    if (required) throw new Error(`WebAssembly resampler unavailable: ${unavailableReason}`);
    return null;
  }
  return new WasmResamplerStream(k, spec);
}

/** One direction of one call: history and phase in JS, dot products in the kernel. */
export class WasmResamplerStream {
  readonly #k: Kernel;
  readonly #table: RegisteredTable;
  readonly #taps: number;
  readonly #up: number;
  readonly #down: number;
  readonly #stepWhole: number;
  readonly #stepFrac: number;
  /** Input samples per kernel call, so that its output fits OUT_CAPACITY. */
  readonly #chunk: number;
  /** The last taps − 1 input samples, oldest first. */
  readonly #history: Float32Array;
  /** A view of the kernel's output area as long as the last call's output, so that copying it out is one memcpy. */
  #outView: Int16Array | null = null;
  #outViewGeneration = -1;
  #phase = 0;
  #need = 1;
  /** up32: the unfinished output a call left for the next one (float32 bits). */
  #carry = 0;

  constructor(k: Kernel, spec: WasmTableSpec) {
    this.#k = k;
    this.#taps = spec.taps;
    this.#up = spec.up;
    this.#down = spec.down;
    this.#stepWhole = spec.stepWhole;
    this.#stepFrac = spec.stepFrac;
    this.#table = k.table(spec);
    k.ensureScratch(spec.taps);
    this.#chunk = Math.max(1, Math.min(CHUNK, Math.floor(((OUT_CAPACITY - 2) * spec.down) / spec.up)));
    this.#history = new Float32Array(spec.taps - 1);
  }

  process(input: Int16Array, inputLength: number, output: Int16Array): number {
    const k = this.#k;
    const taps = this.#taps;
    const table = this.#table;
    let produced = 0;
    for (let offset = 0; offset < inputLength; ) {
      const n = Math.min(this.#chunk, inputLength - offset);
      // Views are read per chunk: another stream's construction may have grown the memory.
      const i16 = k.i16;
      const i32 = k.i32;
      k.f32.set(this.#history, k.x / 4);
      const inAt = k.input / 2;
      // A whole array (the uplink's chunks) is one memcpy; a prefix is copied by a plain loop, as a
      // subarray() view would be an allocation per call.
      if (offset === 0 && n === input.length) i16.set(input, inAt);
      else for (let i = 0; i < n; i++) i16[inAt + i] = input[offset + i]!;
      const stateAt = k.state / 4;
      i32[stateAt] = this.#phase;
      i32[stateAt + 1] = this.#need;
      i32[stateAt + 2] = this.#carry;
      let m: number;
      if (table.kind === 'interpolate') {
        m = k.exports.interpolate(table.coefs, taps, this.#up, k.x, k.input, n, k.output);
      } else if (table.kind === 'decimate') {
        m = k.exports.decimate(table.coefs, table.half, taps, this.#down, k.state, k.x, k.rev, k.input, n, k.output);
      } else if (table.kind === 'fold2') {
        m = k.exports.fold2(table.coefs, table.half, table.len4, taps, this.#down, k.state, k.x, k.rev, k.input, n, k.output);
      } else if (table.kind === 'up3') {
        m = k.exports.up3(table.coefs, table.half, table.len4, taps, k.x, k.rev, k.input, n, k.output);
      } else if (table.kind === 'up32') {
        m = k.exports.up32(table.coefs, table.half, table.len4, taps, k.state, k.x, k.rev, k.input, n, k.output);
      } else {
        m = k.exports.poly(table.coefs, taps, this.#up, this.#stepWhole, this.#stepFrac, k.state, k.x, k.input, n, k.output);
      }
      this.#phase = i32[stateAt]!;
      this.#need = i32[stateAt + 1]!;
      this.#carry = i32[stateAt + 2]!;
      // The next history is the window's last taps − 1 floats: move them to its start, copy them out.
      const xAt = k.x / 4;
      k.f32.copyWithin(xAt, xAt + n, xAt + n + taps - 1);
      this.#history.set(k.historyView(taps));
      let view = this.#outView;
      if (view === null || view.length !== m || this.#outViewGeneration !== k.generation) {
        // Frames of a call have the same size, so this view is made once per stream, not per call.
        view = new Int16Array(k.exports.memory.buffer, k.output, m);
        this.#outView = view;
        this.#outViewGeneration = k.generation;
      }
      output.set(view, produced);
      produced += m;
      offset += n;
    }
    return produced;
  }

  reset(): void {
    this.#history.fill(0);
    this.#phase = 0;
    this.#need = 1;
    this.#carry = 0;
  }
}
