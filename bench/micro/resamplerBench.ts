/**
 * Resampler speed and quality, side by side with speexdsp (Debian's libspeexdsp through the
 * bench-only helper bench/native/speexdspBench.c): the TypeScript path, the WebAssembly kernel,
 * speexdsp, at quality 5 (the target) and 6 (the module's default).
 *
 * Speed is CPU time per input sample, resampling 10 s of noise in 20 ms frames the way a call does,
 * best of several rounds taken in turn (the machine is shared: the minimum is the least disturbed).
 */
import { execFileSync } from 'node:child_process';
import { Resampler, type ResamplerBackend } from '../../src/audio/resampler.js';
import { measureQuality, type Quality } from './quality.js';

export type Implementation = 'speexdsp' | 'typescript' | 'wasm';

export interface ResamplerRow {
  inRate: number;
  outRate: number;
  impl: Implementation;
  quality: number;
  nsPerSample: number;
  q: Quality;
}

/** The same noise as the C helper (an LCG), so both resample the same signal. */
function noise(rate: number): Int16Array {
  const out = new Int16Array(rate * 10);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = ((s >>> 8) % 40000) - 20000;
  }
  return out;
}

function oursSpeed(inRate: number, outRate: number, quality: number, backend: ResamplerBackend, budgetMs: number): number {
  const r = new Resampler(inRate, outRate, { quality, backend });
  const input = noise(inRate);
  const frame = inRate / 50;
  const frames: Int16Array[] = [];
  for (let p = 0; p + frame <= input.length; p += frame) frames.push(input.subarray(p, p + frame));
  const out = new Int16Array(r.maxOutputLength(frame));
  for (const f of frames) r.process(f, frame, out); // warm-up (and JIT / wasm tier-up)
  let samples = 0;
  const t0 = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < budgetMs * 1000) {
    for (const f of frames) r.process(f, frame, out);
    samples += input.length;
    const u = process.cpuUsage(t0);
    usedUs = u.user + u.system;
  }
  return (usedUs * 1000) / samples;
}

function speexSpeed(helper: string, inRate: number, outRate: number, quality: number, budgetMs: number): number {
  const out = execFileSync(helper, ['speed', String(inRate), String(outRate), String(quality), String(budgetMs / 1000)]);
  return (JSON.parse(out.toString()) as { nsPerInputSample: number }).nsPerInputSample;
}

function resampleWith(impl: Implementation, helper: string, inRate: number, outRate: number, quality: number): (input: Int16Array) => Int16Array {
  if (impl === 'speexdsp') {
    return (input) => {
      const bytes = execFileSync(helper, ['convert', String(inRate), String(outRate), String(quality)], {
        input: Buffer.from(input.buffer, input.byteOffset, input.byteLength),
        maxBuffer: 64 << 20,
      });
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
    };
  }
  return (input) => {
    const r = new Resampler(inRate, outRate, { quality, backend: impl });
    const frame = inRate / 50;
    const out = new Int16Array(r.maxOutputLength(input.length) + frame);
    const chunk = new Int16Array(r.maxOutputLength(frame));
    let n = 0;
    for (let p = 0; p < input.length; p += frame) {
      const len = Math.min(frame, input.length - p);
      const m = r.process(input.subarray(p, p + len), len, chunk);
      out.set(chunk.subarray(0, m), n);
      n += m;
    }
    return out.subarray(0, n);
  };
}

export const RESAMPLER_PAIRS: ReadonlyArray<[number, number]> = [
  [8000, 24000],
  [24000, 8000],
  [16000, 24000],
  [24000, 16000],
  [48000, 24000],
  [24000, 48000],
];

const VARIANTS: ReadonlyArray<[Implementation, number]> = [
  ['speexdsp', 5],
  ['typescript', 5],
  ['wasm', 5],
  ['speexdsp', 6],
  ['wasm', 6],
];

export function benchResamplers(helper: string, rounds: number, budgetMs: number): ResamplerRow[] {
  const rows: ResamplerRow[] = [];
  for (const [inRate, outRate] of RESAMPLER_PAIRS) {
    const best = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const [impl, quality] of VARIANTS) {
        const ns = impl === 'speexdsp' ? speexSpeed(helper, inRate, outRate, quality, budgetMs) : oursSpeed(inRate, outRate, quality, impl, budgetMs);
        const key = `${impl}@${quality}`;
        best.set(key, Math.min(best.get(key) ?? Infinity, ns));
      }
    }
    for (const [impl, quality] of VARIANTS) {
      rows.push({
        inRate,
        outRate,
        impl,
        quality,
        nsPerSample: best.get(`${impl}@${quality}`)!,
        q: measureQuality(resampleWith(impl, helper, inRate, outRate, quality), inRate, outRate),
      });
    }
  }
  return rows;
}
