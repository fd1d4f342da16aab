/**
 * Seeded test inputs shared by the resampler tests and the soak: the same seed gives the same
 * numbers on every run and machine, so a failure reproduces.
 */

/** A seeded PRNG (mulberry32) returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform noise of ± `amplitude`, seeded. */
export function seededNoise(length: number, amplitude: number, seed: number): Int16Array {
  const rnd = prng(seed);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round((rnd() * 2 - 1) * amplitude);
  return out;
}

/** Every rate pair the resampler tests cover: the telephony ⇄ 24 kHz pairs first, then the rest. */
export const RESAMPLER_TEST_PAIRS: ReadonlyArray<[number, number]> = [
  [8000, 24000],
  [24000, 8000],
  [16000, 24000],
  [24000, 16000],
  [48000, 24000],
  [24000, 48000],
  [8000, 16000],
  [16000, 8000],
  [8000, 48000],
  [48000, 8000],
  [16000, 48000],
  [48000, 16000],
  [44100, 48000],
  [48000, 44100],
];
