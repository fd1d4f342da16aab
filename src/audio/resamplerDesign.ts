/**
 * The filters of the resampler (resampler.ts): for a reduced ratio up/down and a quality level, a
 * Kaiser-windowed sinc prototype designed once and cut into polyphase branches — or folded for the
 * symmetric integer-ratio cases (pure decimation, pure interpolation) — and cached for every
 * resampler with the same ratio and quality. Design only: nothing here runs per sample.
 */

/** Design targets of one quality level. */
export interface ResamplerQualitySpec {
  /** Passband edge as a fraction of the lower rate's Nyquist frequency. */
  readonly passband: number;
  /** Design stopband attenuation in dB, reached at the lower rate's Nyquist frequency. */
  readonly attenuationDb: number;
}

/**
 * Design targets per quality level (index = quality). Each level costs about what the speexdsp
 * level of the same number costs (taps per output sample at the lower rate: q5 ≈ 84 vs speex 80,
 * q6 ≈ 104 vs speex 96), with the stopband starting exactly at the lower Nyquist. The q5 passband
 * covers the telephone band (3.4 kHz of 4 kHz) and wideband speech (7 kHz of 8 kHz) with margin.
 * speexdsp's own table lists a "cutoff" (0.922 at q5): that is the −6 dB centre of its transition
 * band, not its passband edge; ours is `(passband + 1) / 2` (0.93 at q5, 0.94 at q6).
 */
export const resamplerQualitySpecs: readonly ResamplerQualitySpec[] = Object.freeze([
  { passband: 0.6, attenuationDb: 40 },
  { passband: 0.7, attenuationDb: 50 },
  { passband: 0.76, attenuationDb: 60 },
  { passband: 0.8, attenuationDb: 70 },
  { passband: 0.83, attenuationDb: 80 },
  { passband: 0.855, attenuationDb: 95 },
  { passband: 0.875, attenuationDb: 100 },
  { passband: 0.9, attenuationDb: 100 },
  { passband: 0.92, attenuationDb: 105 },
  { passband: 0.94, attenuationDb: 110 },
  { passband: 0.95, attenuationDb: 120 },
]);

export const DEFAULT_QUALITY = 6;

/** Keeps one table under ~8 MB even for awkward ratios such as 44100 → 48000 at quality 10. */
const MAX_TABLE_COEFFICIENTS = 1 << 20;

/**
 * Pure interpolation (down === 1): all `up` outputs of one input sample are computed together.
 * With the prototype centred on c = half·up, branch p has taps a_r = h[c + p − r·up] on the
 * samples z_r = x[q − half + r], and the mirror branch up − p has the same taps on z_(1−r). So
 * for r = 1..half, with u = z_r + z_(1−r) and v = z_r − z_(1−r):
 *   y_p = Σ e_r·u + o_r·v,  y_(up−p) = Σ e_r·u − o_r·v,  e_r = (a_r + a_(1−r))/2, o_r = (a_r − a_(1−r))/2,
 * which halves the multiplies and coefficient loads of the two branches (8k → 24k uplink).
 * Branch 0 is symmetric about z_0 and uses the folded kernel, like decimation.
 */
export interface InterpolationPlan {
  /** Taps on each side of the centre (the prototype spans half·up on each side). */
  readonly half: number;
  /** Branch 0 from the centre outwards: zero[0]·z_0 + Σ zero[r]·(z_r + z_(−r)). */
  readonly zero: readonly number[];
  /** For p = 1 .. pairCount: e_r, o_r interleaved, r = 1..half ((p − 1)·half·2 + (r − 1)·2). */
  readonly pairs: readonly number[];
  readonly pairCount: number;
  /** Branch up/2 when up is even (its own mirror, o_r = 0): its a_r, r = 1..half; else null. */
  readonly middle: readonly number[] | null;
}

/** Precomputed polyphase filter, shared by all resamplers with the same reduced ratio and quality. */
export interface PolyphaseTable {
  /** Taps per output sample (history length); a multiple of 4. */
  readonly taps: number;
  /**
   * `up` branches of `taps` coefficients each, never written after design. Branch p is stored
   * oldest-sample-first: coefficient j multiplies history slot j of the chronological window.
   * Empty when `interpolation` is used instead.
   */
  readonly coefficients: readonly number[];
  /**
   * Pure decimation (up === 1) only, else null: the single branch is symmetric, stored from the
   * centre outwards (folded[0] = centre tap), output = folded[0]·x[c] + Σ folded[d]·(x[c−d] + x[c+d]).
   */
  readonly folded: readonly number[] | null;
  /** Pure interpolation (down === 1, up > 1) only, else null. */
  readonly interpolation: InterpolationPlan | null;
  /** Group delay in output samples. */
  readonly delay: number;
  /** Index of the prototype's centre tap; the prototype spans 0 .. 2·centre. */
  readonly centre: number;
  /** The scaled prototype tap i (0 outside the filter), for the WebAssembly kernel's own layouts. */
  readonly prototypeAt: (i: number) => number;
}

const tableCache = new Map<string, PolyphaseTable>();

/** `n` zeros in V8's PACKED_DOUBLE_ELEMENTS kind: unboxed doubles, no holes (see file comment). */
export function packedDoubles(n: number): number[] {
  const a: number[] = [];
  // A non-integer first element selects the double kind; element kinds never narrow afterwards.
  for (let i = 0; i < n; i++) a.push(0.5);
  return a.fill(0);
}

export function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's empirical β for a given stopband attenuation. */
function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * Math.pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21);
  return 0;
}

function designTable(up: number, down: number, quality: number): PolyphaseTable {
  const spec = resamplerQualitySpecs[quality]!;
  // Frequencies in cycles per input sample; the lower rate's Nyquist is 0.5·min(1, up/down).
  const lowNyquist = 0.5 * Math.min(1, up / down);
  const passEdge = spec.passband * lowNyquist;
  const stopEdge = lowNyquist;
  const cutoff = (passEdge + stopEdge) / 2;
  // Kaiser's length estimate, with the transition width in cycles per prototype sample.
  const transition = (stopEdge - passEdge) / up;
  const minLength = Math.ceil((spec.attenuationDb - 7.95) / (14.36 * transition)) + 1;

  // Centre the odd-length symmetric prototype on a multiple of `grid` so that the group delay is
  // a whole number of output samples (grid multiple of `down`) and, for the common small ratios,
  // of input samples too (grid multiple of up·down): round trips then align on an integer lag.
  // Pure interpolation always centres on a multiple of `up`, which its mirror-pair plan needs.
  const halfLength = Math.ceil((minLength - 1) / 2);
  let grid = 1;
  if (down === 1 || up * down * 8 <= halfLength) grid = up * down;
  else if (down * 8 <= halfLength) grid = down;
  const centre = Math.ceil(halfLength / grid) * grid;
  const protoLength = 2 * centre + 1;
  // Branch length rounded up to a multiple of 4 for the unrolled dot product; the extra taps are
  // zeros on the oldest side, so they change neither the response nor the delay.
  const taps = Math.ceil(Math.ceil(protoLength / up) / 4) * 4;
  if (taps * up > MAX_TABLE_COEFFICIENTS) {
    throw new RangeError(
      `Resampling ratio ${up}/${down} at quality ${quality} needs ${taps * up} coefficients (limit ${MAX_TABLE_COEFFICIENTS})`,
    );
  }

  const beta = kaiserBeta(spec.attenuationDb);
  const i0Beta = besselI0(beta);
  const prototype = new Float64Array(taps * up);
  let sum = 0;
  for (let i = 0; i < protoLength; i++) {
    const x = (2 * cutoff * (i - centre)) / up; // 2·cutoff·t, t in input samples
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = (i - centre) / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    const h = 2 * cutoff * sinc * window;
    prototype[i] = h;
    sum += h;
  }
  // Each branch sees every up-th prototype tap, so unity DC gain means the prototype sums to `up`.
  const gain = up / sum;

  const at = (i: number): number => (i >= 0 && i < protoLength ? prototype[i]! * gain : 0);

  if (down === 1 && up > 1) {
    return { taps, coefficients: [], folded: null, interpolation: planInterpolation(up, centre, at), delay: centre, centre, prototypeAt: at };
  }

  const coefficients = packedDoubles(taps * up);
  for (let p = 0; p < up; p++) {
    for (let j = 0; j < taps; j++) {
      // Output n = Σ_k h[p + k·up] · x[q − k]; history slot j holds x[q − (taps − 1 − j)].
      coefficients[p * taps + j] = at(p + (taps - 1 - j) * up);
    }
  }

  // Pure decimation has one symmetric branch: folding it as h[d]·(x[c − d] + x[c + d]) halves the
  // multiplies on the most common downlink path (24k → 8k).
  let folded: number[] | null = null;
  if (up === 1) {
    folded = packedDoubles(centre + 1);
    for (let d = 0; d <= centre; d++) folded[d] = at(centre - d);
  }
  return { taps, coefficients, folded, interpolation: null, delay: centre / down, centre, prototypeAt: at };
}

/**
 * Every branch of a table, oldest sample first (`taps` per branch, `up` branches): the layout of
 * `PolyphaseTable.coefficients`, also for pure interpolation, whose TypeScript plan stores pairs.
 */
export function branchCoefficients(table: PolyphaseTable, up: number): Float64Array {
  const taps = table.taps;
  const out = new Float64Array(taps * up);
  for (let p = 0; p < up; p++) {
    for (let j = 0; j < taps; j++) out[p * taps + j] = table.prototypeAt(p + (taps - 1 - j) * up);
  }
  return out;
}

/** Builds the mirror-pair tables described at {@link InterpolationPlan}; `h(i)` is the scaled prototype. */
function planInterpolation(up: number, centre: number, h: (i: number) => number): InterpolationPlan {
  const half = centre / up;
  const zero = packedDoubles(half + 1);
  for (let r = 0; r <= half; r++) zero[r] = h(centre - r * up);
  const pairCount = Math.floor((up - 1) / 2);
  const pairs = packedDoubles(pairCount * half * 2);
  for (let p = 1; p <= pairCount; p++) {
    for (let r = 1; r <= half; r++) {
      const a = h(centre + p - r * up); // a_r
      const b = h(centre + p - (1 - r) * up); // a_(1−r)
      pairs[((p - 1) * half + (r - 1)) * 2] = (a + b) / 2;
      pairs[((p - 1) * half + (r - 1)) * 2 + 1] = (a - b) / 2;
    }
  }
  let middle: number[] | null = null;
  if (up % 2 === 0) {
    middle = packedDoubles(half);
    for (let r = 1; r <= half; r++) middle[r - 1] = h(centre + up / 2 - r * up);
  }
  return { half, zero, pairs, pairCount, middle };
}

export function getTable(up: number, down: number, quality: number): PolyphaseTable {
  const key = `${up}/${down}@${quality}`;
  let table = tableCache.get(key);
  if (table === undefined) {
    table = designTable(up, down, quality);
    tableCache.set(key, table);
  }
  return table;
}
