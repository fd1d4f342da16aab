/**
 * Resampler quality, measured the same way for every implementation (ours and speexdsp):
 *  - SNR: a −6 dBFS tone at ~1/8 of the lower rate through the resampler; a three-parameter sine
 *    fit (amplitude, phase, offset at the known frequency) takes the tone out and what is left is
 *    noise and distortion. Independent of the filter's delay, so no alignment is needed.
 *  - stopband: the worst level (dBFS) of what a full-scale tone turns into where it must not appear
 *    — aliases when downsampling (tones from the lower Nyquist up to the input Nyquist), images when
 *    upsampling (in-band tones, looked for at inRate ∓ f) — reported as attenuation in dB (positive).
 *    `strict` starts right at the lower Nyquist; `past 5 %` from 1.05 × Nyquist, where the transition
 *    band of speexdsp (whose −6 dB point is inside the band: cutoff 0.92–0.94) has ended.
 *  - passband: the highest frequency, as a fraction of the lower Nyquist, up to which a tone keeps
 *    its level within 0.1 dB (scanned in steps of 0.01 from 0.70).
 */
import { toneLevelDb } from '../../src/audio/signal.js';

/** Something that resamples a whole signal from inRate to outRate. */
export type ResampleAll = (input: Int16Array) => Int16Array;

function tone(rate: number, freq: number, seconds: number, amplitude: number, phase = 0.3): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  const w = (2 * Math.PI * freq) / rate;
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * 32767 * Math.sin(w * i + phase));
  return out;
}

/** Solves the 3×3 system a·x = b (Gaussian elimination with partial pivoting). */
function solve3(a: number[][], b: number[]): number[] {
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [m[0]![3]! / m[0]![0]!, m[1]![3]! / m[1]![1]!, m[2]![3]! / m[2]![2]!];
}

/** SNR (dB) of a tone at `freq` in samples[from, to): tone power over the power of the fit's residual. */
export function sineFitSnrDb(samples: Int16Array, rate: number, freq: number, from: number, to: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const ata = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const atb = [0, 0, 0];
  for (let i = from; i < to; i++) {
    const row = [Math.sin(w * i), Math.cos(w * i), 1];
    for (let r = 0; r < 3; r++) {
      atb[r]! += row[r]! * samples[i]!;
      for (let c = 0; c < 3; c++) ata[r]![c]! += row[r]! * row[c]!;
    }
  }
  const [s, c, d] = solve3(ata, atb);
  let signal = 0;
  let noise = 0;
  for (let i = from; i < to; i++) {
    const fit = s! * Math.sin(w * i) + c! * Math.cos(w * i);
    signal += fit * fit;
    const e = samples[i]! - fit - d!;
    noise += e * e;
  }
  return 10 * Math.log10(signal / noise);
}

export interface Quality {
  snrDb: number;
  /** Attenuation (dB, positive) over the whole stopband, from the lower Nyquist. */
  stopbandDb: number;
  /** Attenuation from 1.05 × the lower Nyquist (aliases), or of the images of tones up to 0.95 × Nyquist. */
  stopbandPast5Db: number;
  /** Flat to within 0.1 dB up to this fraction of the lower Nyquist. */
  passband: number;
}

function levelAt(output: Int16Array, rate: number, freq: number): number {
  const margin = Math.round(rate * 0.03);
  return toneLevelDb(output, rate, freq, margin, output.length - margin);
}

export function measureQuality(resample: ResampleAll, inRate: number, outRate: number): Quality {
  const low = Math.min(inRate, outRate);
  const freq = 0.1237 * low;
  const out = resample(tone(inRate, freq, 0.5, 0.5));
  const margin = Math.round(outRate * 0.05);
  const snrDb = sineFitSnrDb(out, outRate, freq, margin, out.length - margin);

  let worst = -Infinity;
  let worstPast5 = -Infinity;
  if (outRate < inRate) {
    // Aliases: tones between the output Nyquist and the input Nyquist.
    const nyquist = outRate / 2;
    for (let k = 0; k <= 24; k++) {
      const f = nyquist * (1.0005 + ((inRate / outRate - 1.002) * k) / 24);
      const alias = Math.abs(((f + nyquist) % outRate) - nyquist);
      const level = levelAt(resample(tone(inRate, f, 0.25, 1)), outRate, alias);
      worst = Math.max(worst, level);
      if (f >= 1.05 * nyquist) worstPast5 = Math.max(worstPast5, level);
    }
  } else {
    // Images: in-band tones reappear around multiples of the input rate.
    const nyquist = inRate / 2;
    for (let k = 0; k <= 24; k++) {
      const f = nyquist * (0.05 + (0.949 * k) / 24);
      const o = resample(tone(inRate, f, 0.25, 1));
      for (let m = inRate; m - f < outRate / 2; m += inRate) {
        for (const image of [m - f, m + f]) {
          if (image >= outRate / 2) continue;
          const level = levelAt(o, outRate, image);
          worst = Math.max(worst, level);
          if (f <= 0.95 * nyquist) worstPast5 = Math.max(worstPast5, level);
        }
      }
    }
  }
  let passband = 0.7;
  for (let edge = 0.7; edge <= 0.995; edge += 0.01) {
    const f = (edge * low) / 2;
    const input = tone(inRate, f, 0.25, 0.5);
    const change = levelAt(resample(input), outRate, f) - levelAt(input, inRate, f);
    if (Math.abs(change) > 0.1) break;
    passband = edge;
  }
  return { snrDb, stopbandDb: -worst, stopbandPast5Db: -worstPast5, passband };
}
