// What this proves: the WebAssembly SIMD backend of Resampler (src/audio/wasmResampler.ts +
// src/audio/kernels/resamplerKernel.c) is a drop-in for the TypeScript one: every ratio the module
// uses, in any chunking (including inputs longer than one kernel call), gives the same number of
// samples and each sample within ±1 LSB of the float64 TypeScript path (float32 rounding only);
// reset() and clipping behave the same; the embedded bytes were built from the committed C source;
// and the opt-out leaves everything on TypeScript.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Resampler } from '../../src/audio/resampler.js';
import { RESAMPLER_KERNEL_SOURCE_SHA256 } from '../../src/audio/resamplerKernelWasm.js';
import { wasmResamplerStatus } from '../../src/audio/wasmResampler.js';
import { prng, RESAMPLER_TEST_PAIRS as PAIRS, seededNoise as noise } from '../helpers/seededSignals.js';

/** Runs `input` through `r` in chunks of the sizes `sizes()` returns; the concatenated output. */
function run(r: Resampler, input: Int16Array, sizes: () => number): Int16Array {
  const out = new Int16Array(r.maxOutputLength(input.length) + 64);
  let produced = 0;
  for (let pos = 0; pos < input.length; ) {
    const size = Math.min(input.length - pos, sizes());
    // A copy in a larger buffer: process() must honour inputLength, not the array's length.
    const chunk = new Int16Array(size + 3);
    chunk.set(input.subarray(pos, pos + size));
    const part = new Int16Array(r.maxOutputLength(size));
    const n = r.process(chunk, size, part);
    out.set(part.subarray(0, n), produced);
    produced += n;
    pos += size;
  }
  return out.slice(0, produced);
}

function maxDifference(a: Int16Array, b: Int16Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('WebAssembly resampler backend', () => {
  it('is available on this runtime and chosen by default', () => {
    expect(wasmResamplerStatus()).toEqual({ available: true, reason: 'WebAssembly SIMD kernel' });
    expect(new Resampler(8000, 24000).backend).toBe('wasm');
    expect(new Resampler(8000, 24000, { backend: 'typescript' }).backend).toBe('typescript');
    expect(new Resampler(24000, 24000).backend).toBe('identity');
  });

  describe.each([5, 6])('quality %i', (quality) => {
    it.each(PAIRS)('%i -> %i: within ±1 LSB of TypeScript, same length, in any chunking', (inRate, outRate) => {
      const input = noise(inRate, 32767, inRate * 7 + outRate + quality); // 1 s, full scale
      const frame = Math.round(inRate / 50);
      const reference = run(new Resampler(inRate, outRate, { quality, backend: 'typescript' }), input, () => frame);
      const rnd = prng(outRate + quality);
      // Mostly odd small chunks, sometimes one longer than a kernel call (4096 samples).
      const sizes = (): number => (rnd() < 0.1 ? 4096 + Math.floor(rnd() * 9000) : 1 + Math.floor(rnd() * 700));
      const wasm = run(new Resampler(inRate, outRate, { quality, backend: 'wasm' }), input, sizes);
      expect(wasm.length).toBe(reference.length);
      expect(maxDifference(wasm, reference)).toBeLessThanOrEqual(1);
      // The backend itself is deterministic: its own chunking never changes a sample.
      const wasmFrames = run(new Resampler(inRate, outRate, { quality, backend: 'wasm' }), input, () => frame);
      expect(wasmFrames).toEqual(wasm);
    });
  });

  // The folded kernels (fold2: 24k -> 16k, 24k -> 48k; up3: 8k -> 24k; up32: 16k -> 24k) take
  // outputs in groups and leave the cut ones to single-output code, and up32 carries a half-finished
  // output from one call to the next: one sample per call must still give the same samples.
  it.each([
    [16000, 24000],
    [24000, 16000],
    [8000, 24000],
    [24000, 48000],
    [8000, 16000],
    [16000, 48000],
  ])('%i -> %i: one sample per call gives exactly the samples of 20 ms frames', (inRate, outRate) => {
    const input = noise(inRate / 5, 32767, inRate + outRate);
    const frames = run(new Resampler(inRate, outRate, { backend: 'wasm' }), input, () => inRate / 50);
    const single = run(new Resampler(inRate, outRate, { backend: 'wasm' }), input, () => 1);
    expect(single).toEqual(frames);
  });

  // Every quality level: the folded kernels need the prototype centred on a multiple of `up`, which
  // the short low-quality filters are not (those run on the general kernel).
  it.each([
    [16000, 24000],
    [24000, 16000],
    [8000, 24000],
    [24000, 48000],
  ])('%i -> %i: within ±1 LSB of TypeScript at every quality 0..10', (inRate, outRate) => {
    const input = noise(inRate / 5, 32767, inRate * 3 + outRate);
    const frame = inRate / 50;
    for (let quality = 0; quality <= 10; quality++) {
      const reference = run(new Resampler(inRate, outRate, { quality, backend: 'typescript' }), input, () => frame);
      const wasm = run(new Resampler(inRate, outRate, { quality, backend: 'wasm' }), input, () => 77);
      expect(wasm.length).toBe(reference.length);
      expect(maxDifference(wasm, reference)).toBeLessThanOrEqual(1);
    }
  });

  it('reset() forgets history like the TypeScript path', () => {
    for (const [inRate, outRate] of [
      [24000, 8000],
      [8000, 24000],
      [24000, 16000],
      [16000, 24000],
    ] as const) {
      const loud = noise(inRate / 10, 30000, 3);
      const quiet = noise(inRate / 10, 3000, 4);
      const fresh = run(new Resampler(inRate, outRate, { backend: 'wasm' }), quiet, () => 160);
      const r = new Resampler(inRate, outRate, { backend: 'wasm' });
      run(r, loud.subarray(0, 1001), () => 1001); // leave it mid-phase
      r.reset();
      expect(run(r, quiet, () => 160)).toEqual(fresh);
    }
  });

  it('clips filter overshoot to int16 like the TypeScript path', () => {
    const input = new Int16Array(8000);
    for (let i = 0; i < input.length; i++) input[i] = Math.floor(i / 20) % 2 === 0 ? 32767 : -32768;
    for (const [inRate, outRate] of [
      [8000, 24000],
      [24000, 8000],
      [24000, 16000],
    ] as const) {
      const ts = run(new Resampler(inRate, outRate, { backend: 'typescript' }), input, () => 160);
      const wasm = run(new Resampler(inRate, outRate, { backend: 'wasm' }), input, () => 160);
      expect(maxDifference(wasm, ts)).toBeLessThanOrEqual(1);
      expect(wasm.includes(32767) && wasm.includes(-32768)).toBe(true);
    }
  });

  it('embeds a kernel built from the committed C source (run `npm run build:wasm` after editing it)', () => {
    const source = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'audio', 'kernels', 'resamplerKernel.c'));
    expect(RESAMPLER_KERNEL_SOURCE_SHA256).toBe(createHash('sha256').update(source).digest('hex'));
  });

  describe('opt-out', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });

    it('OAIR_NO_WASM_RESAMPLER keeps every resampler on TypeScript; backend "wasm" then throws', async () => {
      vi.stubEnv('OAIR_NO_WASM_RESAMPLER', '1');
      vi.resetModules();
      const fresh = await import('../../src/audio/resampler.js');
      expect(new fresh.Resampler(8000, 24000).backend).toBe('typescript');
      expect(() => new fresh.Resampler(8000, 24000, { backend: 'wasm' })).toThrow(/OAIR_NO_WASM_RESAMPLER/);
    });
  });
});
