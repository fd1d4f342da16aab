/**
 * Measurement helpers for tests and benchmarks (not used on the media path).
 *
 * Level conventions: `dbfs` is RMS relative to a full-scale square wave (32768), so a full-scale
 * sine reads −3.01 dBFS. `toneLevelDb` is a tone's peak amplitude relative to 32768, so the same
 * full-scale sine reads 0 dB; use it to compare a tone's level across a resampler.
 */

/** Read-only sample sequence: Int16Array, Float32Array, Float64Array or a plain number array. */
export type Samples = ArrayLike<number>;

const FULL_SCALE = 32768;

/** Root mean square of samples[start..end). Returns 0 for an empty range. */
export function rms(samples: Samples, start = 0, end = samples.length): number {
  const from = Math.max(0, start);
  const to = Math.min(samples.length, end);
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = samples[i]!;
    sum += v * v;
  }
  return Math.sqrt(sum / (to - from));
}

/** RMS level of samples[start..end) in dB relative to full scale (32768); −Infinity for silence. */
export function dbfs(samples: Samples, start = 0, end = samples.length): number {
  return 20 * Math.log10(rms(samples, start, end) / FULL_SCALE);
}

/**
 * A sine tone as int16: `amplitude` is a fraction of full scale (0..1, 1 → peak 32767), `phase`
 * in radians. Rounded to the nearest integer, halves away from zero so the wave stays symmetric.
 */
export function sine(rate: number, freq: number, seconds: number, amplitude: number, phase = 0): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  const w = (2 * Math.PI * freq) / rate;
  const peak = amplitude * 32767;
  for (let i = 0; i < n; i++) {
    const v = peak * Math.sin(w * i + phase);
    out[i] = v < 0 ? -Math.round(-v) : Math.round(v);
  }
  return out;
}

/**
 * Signal-to-noise ratio in dB of `test` against `reference`, comparing reference[i] with
 * test[i + offset] for i in [start, end) (clipped to where both exist). The noise is the
 * sample-wise difference, so any misalignment counts as noise: find `offset` first.
 */
export function snrDb(reference: Samples, test: Samples, offset = 0, start = 0, end = reference.length): number {
  const from = Math.max(start, 0, -offset);
  const to = Math.min(end, reference.length, test.length - offset);
  let signal = 0;
  let noise = 0;
  for (let i = from; i < to; i++) {
    const r = reference[i]!;
    const d = test[i + offset]! - r;
    signal += r * r;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

/**
 * Level in dB (peak amplitude relative to 32768) of the component at `freq` Hz, by Goertzel over a
 * Hann window. Evaluated at exactly `freq`, so there is no bin scalloping; the window keeps other
 * components (and the transient at the edges) from leaking in. Use at least ~20 periods.
 */
export function toneLevelDb(samples: Samples, rate: number, freq: number, start = 0, end = samples.length): number {
  const from = Math.max(0, start);
  const to = Math.min(samples.length, end);
  const n = to - from;
  if (n <= 1) return -Infinity;
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowSum += hann;
    const s0 = samples[from + i]! * hann + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // |X(w)| from the last two states; a sine of amplitude a gives |X| ≈ a·Σwindow/2.
  const re = s1 - s2 * Math.cos(w);
  const im = s2 * Math.sin(w);
  const amplitude = (2 * Math.sqrt(re * re + im * im)) / windowSum;
  return 20 * Math.log10(amplitude / FULL_SCALE);
}

/**
 * The lag in [−maxLag, maxLag] at which test[i + lag] best matches reference[i], by normalised
 * cross-correlation over the overlapping part. Ties go to the smallest |lag|.
 */
export function bestAlignment(reference: Samples, test: Samples, maxLag: number): number {
  let bestLag = 0;
  let bestScore = -Infinity;
  for (let d = 0; d <= 2 * maxLag; d++) {
    // Visit 0, 1, −1, 2, −2, … so that ties keep the smaller shift.
    const lag = d % 2 === 0 ? -d / 2 : (d + 1) / 2;
    const from = Math.max(0, -lag);
    const to = Math.min(reference.length, test.length - lag);
    let cross = 0;
    let energyRef = 0;
    let energyTest = 0;
    for (let i = from; i < to; i++) {
      const r = reference[i]!;
      const t = test[i + lag]!;
      cross += r * t;
      energyRef += r * r;
      energyTest += t * t;
    }
    const denom = Math.sqrt(energyRef * energyTest);
    const score = denom > 0 ? cross / denom : -Infinity;
    if (score > bestScore) {
      bestScore = score;
      bestLag = lag;
    }
  }
  return bestLag;
}
