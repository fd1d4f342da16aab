/**
 * Stateful band-limited rational resampler for mono int16 PCM (polyphase, Kaiser-windowed sinc).
 *
 * How it works: for inRate → outRate the ratio is reduced to up/down (up = outRate/g, down =
 * inRate/g). Conceptually the input is zero-stuffed by `up`, low-pass filtered at the prototype
 * rate inRate·up and decimated by `down`. Only the prototype taps that meet non-zero input samples
 * are evaluated, so each output is a dot product of `taps` history samples with one of the `up`
 * polyphase branches.
 *
 * Filter design (resamplerDesign.ts, `resamplerQualitySpecs`): the passband edge and the stopband
 * attenuation come from the quality level; the stopband edge is always the Nyquist frequency of the
 * lower of the two rates. Nothing above the lower Nyquist aliases (downsampling) or images
 * (upsampling) into the output above the attenuation floor, the same trade speexdsp makes, at the
 * cost of the top few percent of the band. The Kaiser formulas then give the length and β.
 *
 * Hot path: `process()` allocates nothing. Coefficients are computed once per (ratio, quality) and
 * shared by every instance through a module-level cache. History is a ring of `taps` samples
 * mirrored at +taps, so the dot product always reads one contiguous window. The prototype is
 * symmetric, and the two integer-ratio cases use that to halve the multiplies: pure decimation
 * (24k → 8k, 48k → 24k) folds its single branch, pure interpolation (8k → 24k, 24k → 48k) computes
 * each branch together with its mirror image. Other ratios (16k ↔ 24k, 44.1k ↔ 48k) run the
 * plain polyphase dot product.
 *
 * Why plain arrays and not Float64Array for coefficients and history: measured on this project's
 * runtimes (Node 18.20 / V8 10.2 and Node 20.20 / V8 11.3), a dot product over typed arrays held in
 * object fields runs at ~0.9–1.0 ns per tap, over PACKED_DOUBLE_ELEMENTS arrays at ~0.6 ns: V8
 * re-derives a typed array's data pointer and length on every access inside the loop. Both store
 * unboxed doubles; `packedDoubles()` makes sure V8 picks that element kind, and nothing ever stores
 * a non-number into them.
 *
 * Backends: these TypeScript loops are the reference and the fallback. By default the same filters
 * run on a WebAssembly SIMD kernel (wasmResampler.ts: float32, four lanes, 3–6× faster, within ±1 LSB
 * of this code; it also folds 16k ↔ 24k) unless the runtime lacks WebAssembly SIMD or
 * OAIR_NO_WASM_RESAMPLER is set.
 */

import {
  DEFAULT_QUALITY,
  branchCoefficients,
  gcd,
  getTable,
  packedDoubles,
  type InterpolationPlan,
} from './resamplerDesign.js';
import { createWasmStream, type WasmResamplerStream } from './wasmResampler.js';

export { resamplerQualitySpecs, type ResamplerQualitySpec } from './resamplerDesign.js';

/** Options for {@link Resampler}. */
export interface ResamplerOptions {
  /** 0..10, default 6, like speexdsp; >= 5 meets speexdsp quality 5 (see `resamplerQualitySpecs`). */
  quality?: number;
  /**
   * 'auto' (default): the WebAssembly SIMD kernel (wasmResampler.ts) when the runtime has it and
   * OAIR_NO_WASM_RESAMPLER is not set, else TypeScript. 'typescript' / 'wasm' force one (tests,
   * bench); 'wasm' throws when the kernel cannot load.
   */
  backend?: ResamplerBackend;
}

/** Which implementation runs a {@link Resampler}'s dot products. */
export type ResamplerBackend = 'auto' | 'typescript' | 'wasm';

/*
 * Dot products. history[start .. start+taps) is x[q−taps+1 .. q], oldest first. Several
 * accumulators shorten the floating-point dependency chain; the summation order is fixed, so the
 * result never depends on how the input was chunked. Small enough for TurboFan to inline.
 */

/** One polyphase branch; `taps` is a multiple of 4. */
function dotBranch(
  coefficients: readonly number[],
  base: number,
  history: readonly number[],
  start: number,
  taps: number,
): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let c = base, h = start, end = base + taps; c < end; c += 4, h += 4) {
    a0 += coefficients[c]! * history[h]!;
    a1 += coefficients[c + 1]! * history[h + 1]!;
    a2 += coefficients[c + 2]! * history[h + 2]!;
    a3 += coefficients[c + 3]! * history[h + 3]!;
  }
  return a0 + a1 + (a2 + a3);
}

/** A symmetric branch folded around history[centre]: folded[0]·x[c] + Σ folded[d]·(x[c−d] + x[c+d]). */
function dotFolded(folded: readonly number[], history: readonly number[], centre: number): number {
  const half = folded.length - 1;
  let a0 = folded[0]! * history[centre]!;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let d = 1;
  for (; d + 3 <= half; d += 4) {
    a0 += folded[d]! * (history[centre - d]! + history[centre + d]!);
    a1 += folded[d + 1]! * (history[centre - d - 1]! + history[centre + d + 1]!);
    a2 += folded[d + 2]! * (history[centre - d - 2]! + history[centre + d + 2]!);
    a3 += folded[d + 3]! * (history[centre - d - 3]! + history[centre + d + 3]!);
  }
  for (; d <= half; d++) a0 += folded[d]! * (history[centre - d]! + history[centre + d]!);
  return a0 + a1 + (a2 + a3);
}

/** Rounds to the nearest integer and clips to int16. */
function toInt16(value: number): number {
  const y = Math.round(value);
  return y > 32767 ? 32767 : y < -32768 ? -32768 : y;
}

/**
 * One mirror pair of an interpolation plan (see {@link InterpolationPlan}): writes y_p to
 * output[first] and y_(up−p) to output[second]. `zc` is the history index of z_0.
 */
function interpolatePair(
  pairs: readonly number[],
  base: number,
  half: number,
  history: readonly number[],
  zc: number,
  output: Int16Array,
  first: number,
  second: number,
): void {
  // Two of each accumulator: the adds, not the loads, bound this loop otherwise.
  let even0 = 0;
  let odd0 = 0;
  let even1 = 0;
  let odd1 = 0;
  let r = 1;
  let c = base;
  for (; r < half; r += 2, c += 4) {
    const newer0 = history[zc + r]!;
    const older0 = history[zc + 1 - r]!;
    const newer1 = history[zc + r + 1]!;
    const older1 = history[zc - r]!;
    even0 += pairs[c]! * (newer0 + older0);
    odd0 += pairs[c + 1]! * (newer0 - older0);
    even1 += pairs[c + 2]! * (newer1 + older1);
    odd1 += pairs[c + 3]! * (newer1 - older1);
  }
  if (r === half) {
    const newer = history[zc + r]!;
    const older = history[zc + 1 - r]!;
    even0 += pairs[c]! * (newer + older);
    odd0 += pairs[c + 1]! * (newer - older);
  }
  const even = even0 + even1;
  const odd = odd0 + odd1;
  output[first] = toInt16(even + odd);
  output[second] = toInt16(even - odd);
}

/** The self-mirrored branch up/2 of an even interpolation factor: Σ a_r·(z_r + z_(1−r)). */
function interpolateMiddle(middle: readonly number[], history: readonly number[], zc: number): number {
  let a0 = 0;
  let a1 = 0;
  const half = middle.length;
  let r = 1;
  for (; r < half; r += 2) {
    a0 += middle[r - 1]! * (history[zc + r]! + history[zc + 1 - r]!);
    a1 += middle[r]! * (history[zc + r + 1]! + history[zc - r]!);
  }
  if (r === half) a0 += middle[r - 1]! * (history[zc + r]! + history[zc + 1 - r]!);
  return a0 + a1;
}

function checkRate(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 768_000) {
    throw new RangeError(
      `Expected an integer sample rate in 1..768000 for ${name} but received ${String(value)} of type ${typeof value}`,
    );
  }
  return value;
}

/**
 * Mono int16 resampler. Consecutive `process()` calls continue one stream: chunking never changes
 * the output. One instance per direction per call; instances share only read-only tables.
 */
export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Group delay in output samples, for alignment in tests (0 for identity). */
  readonly delaySamples: number;
  /** What runs the dot products: the WebAssembly kernel, TypeScript, or nothing (same rate). */
  readonly backend: 'wasm' | 'typescript' | 'identity';

  readonly #identity: boolean;
  readonly #up: number;
  readonly #down: number;
  readonly #taps: number;
  /** Whole input samples to consume per output (before the fractional carry). */
  readonly #stepWhole: number;
  /** Fractional part of the per-output input step, in units of 1/up. */
  readonly #stepFrac: number;
  readonly #coefficients: readonly number[];
  readonly #folded: readonly number[] | null;
  /** Window slot of the centre sample: x[c] when `#folded` is used, z_0 when interpolating. */
  readonly #centreSlot: number;
  readonly #interpolation: InterpolationPlan | null;
  /** Ring of the last `taps` input samples, mirrored at +taps so any window is contiguous. */
  readonly #history: number[];
  #write = 0;
  /** Polyphase branch of the next output. */
  #phase = 0;
  /** Input samples still to push before the next output can be computed (≥ 1 between calls). */
  #need = 1;
  /** The WebAssembly stream doing this instance's work, or null for the TypeScript loops below. */
  readonly #wasm: WasmResamplerStream | null;

  constructor(inRate: number, outRate: number, options?: ResamplerOptions) {
    this.inRate = checkRate('inRate', inRate);
    this.outRate = checkRate('outRate', outRate);
    const quality = options?.quality ?? DEFAULT_QUALITY;
    if (!Number.isInteger(quality) || quality < 0 || quality > 10) {
      throw new RangeError(`Expected an integer 0..10 for quality but received ${String(quality)}`);
    }
    const backend = options?.backend ?? 'auto';
    if (backend !== 'auto' && backend !== 'typescript' && backend !== 'wasm') {
      throw new RangeError(`Expected 'auto' | 'typescript' | 'wasm' for backend but received ${String(backend)}`);
    }
    const g = gcd(inRate, outRate);
    this.#up = outRate / g;
    this.#down = inRate / g;
    this.#identity = inRate === outRate;
    this.#stepWhole = Math.floor(this.#down / this.#up);
    this.#stepFrac = this.#down % this.#up;
    if (this.#identity) {
      this.#taps = 0;
      this.#coefficients = [];
      this.#folded = null;
      this.#centreSlot = 0;
      this.#interpolation = null;
      this.#history = [];
      this.delaySamples = 0;
      this.#wasm = null;
      this.backend = 'identity';
    } else {
      const table = getTable(this.#up, this.#down, quality);
      this.#taps = table.taps;
      this.#coefficients = table.coefficients;
      this.#folded = table.folded;
      this.#interpolation = table.interpolation;
      if (table.folded !== null) this.#centreSlot = table.taps - table.folded.length;
      else if (table.interpolation !== null) this.#centreSlot = table.taps - 1 - table.interpolation.half;
      else this.#centreSlot = 0;
      this.#history = packedDoubles(2 * table.taps);
      this.delaySamples = table.delay;
      const up = this.#up;
      this.#wasm =
        backend === 'typescript'
          ? null
          : createWasmStream(
              {
                key: `${up}/${this.#down}@${quality}`,
                up,
                down: this.#down,
                taps: table.taps,
                stepWhole: this.#stepWhole,
                stepFrac: this.#stepFrac,
                branches: () => branchCoefficients(table, up),
                folded: table.folded,
                centre: table.centre,
                prototypeAt: table.prototypeAt,
              },
              backend === 'wasm',
            );
      this.backend = this.#wasm === null ? 'typescript' : 'wasm';
    }
  }

  /** Upper bound of output samples produced for `inputLength` input samples (use it to size buffers). */
  maxOutputLength(inputLength: number): number {
    // Outputs of one call are those whose newest input is one of the `inputLength` new samples:
    // at most ceil(inputLength·up/down) of them, whatever the phase the call starts in.
    return Math.ceil((inputLength * this.#up) / this.#down);
  }

  /**
   * Resample input[0..inputLength) into output, returns samples written. Keeps state across calls so
   * consecutive chunks of any size (1 sample .. seconds) produce the same stream as one big call.
   * `output` must hold at least `maxOutputLength(inputLength)` samples (RangeError otherwise).
   */
  process(input: Int16Array, inputLength: number, output: Int16Array): number {
    if (!(Number.isInteger(inputLength) && inputLength >= 0 && inputLength <= input.length)) {
      throw new RangeError(`Expected an integer 0..${input.length} for inputLength but received ${inputLength}`);
    }
    const bound = this.maxOutputLength(inputLength);
    if (output.length < bound) {
      // A short buffer would silently drop samples (typed arrays ignore out-of-range writes).
      throw new RangeError(`Output buffer holds ${output.length} samples, ${bound} may be produced`);
    }
    if (this.#identity) {
      for (let i = 0; i < inputLength; i++) output[i] = input[i]!;
      return inputLength;
    }
    if (this.#wasm !== null) return this.#wasm.process(input, inputLength, output);
    if (this.#interpolation !== null) return this.#interpolate(this.#interpolation, input, inputLength, output);

    const taps = this.#taps;
    const up = this.#up;
    const stepWhole = this.#stepWhole;
    const stepFrac = this.#stepFrac;
    const coefficients = this.#coefficients;
    const folded = this.#folded;
    const centreSlot = this.#centreSlot;
    const history = this.#history;
    let write = this.#write;
    let phase = this.#phase;
    let need = this.#need;
    let produced = 0;

    for (let i = 0; i < inputLength; i++) {
      const sample = input[i]!;
      history[write] = sample;
      history[write + taps] = sample;
      if (++write === taps) write = 0;
      if (--need > 0) continue;
      // x[q] just arrived: emit every output whose newest input is x[q] (several when upsampling).
      do {
        const acc =
          folded === null
            ? dotBranch(coefficients, phase * taps, history, write, taps)
            : dotFolded(folded, history, write + centreSlot);
        output[produced++] = toInt16(acc);
        phase += stepFrac;
        need = stepWhole;
        if (phase >= up) {
          phase -= up;
          need++;
        }
      } while (need === 0);
    }
    this.#write = write;
    this.#phase = phase;
    this.#need = need;
    return produced;
  }

  /**
   * `process()` for pure interpolation: every input sample yields exactly `up` outputs, so the
   * phase is always 0 between samples and only the history ring carries state.
   */
  #interpolate(plan: InterpolationPlan, input: Int16Array, inputLength: number, output: Int16Array): number {
    const taps = this.#taps;
    const up = this.#up;
    const history = this.#history;
    const { half, zero, pairs, pairCount, middle } = plan;
    const centreSlot = this.#centreSlot;
    let write = this.#write;
    let produced = 0;
    for (let i = 0; i < inputLength; i++) {
      const sample = input[i]!;
      history[write] = sample;
      history[write + taps] = sample;
      if (++write === taps) write = 0;
      const zc = write + centreSlot;
      output[produced] = toInt16(dotFolded(zero, history, zc));
      for (let p = 1; p <= pairCount; p++) {
        interpolatePair(pairs, (p - 1) * half * 2, half, history, zc, output, produced + p, produced + up - p);
      }
      if (middle !== null) output[produced + up / 2] = toInt16(interpolateMiddle(middle, history, zc));
      produced += up;
    }
    this.#write = write;
    return produced;
  }

  /** Forget history (barge-in / new stream): the next output is what a fresh instance would give. */
  reset(): void {
    this.#wasm?.reset();
    this.#history.fill(0);
    this.#write = 0;
    this.#phase = 0;
    this.#need = 1;
  }
}
