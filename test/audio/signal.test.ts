// The resampler's quality tests rest on these measurements, so they are checked against
// closed-form values here.
import { describe, expect, it } from 'vitest';
import { bestAlignment, dbfs, rms, sine, snrDb, toneLevelDb } from '../../src/audio/signal.js';

describe('rms / dbfs', () => {
  it('gives the closed-form values for DC, a square wave and a sine', () => {
    expect(rms([3, -3, 3, -3])).toBe(3);
    expect(rms([1, 2, 3, 4], 1, 3)).toBeCloseTo(Math.sqrt((4 + 9) / 2), 12);
    expect(rms([])).toBe(0);
    expect(dbfs(new Int16Array(100).fill(-32768))).toBeCloseTo(0, 12);
    // A full-scale sine is −3.01 dBFS on this RMS scale.
    expect(dbfs(sine(8000, 1000, 1, 1))).toBeCloseTo(-3.0103, 3);
    expect(dbfs(new Int16Array(10))).toBe(-Infinity);
  });
});

describe('sine', () => {
  it('has the requested length, peak and frequency', () => {
    const s = sine(8000, 1000, 0.5, 0.5);
    expect(s.length).toBe(4000);
    expect(Math.max(...s)).toBe(Math.round(0.5 * 32767 * Math.sin(Math.PI / 2)));
    // 1 kHz at 8 kHz: period of 8 samples.
    expect(s[2]).toBe(16384);
    expect(s[6]).toBe(-16384);
    expect(s[8]).toBe(0);
  });
});

describe('toneLevelDb', () => {
  it('reads a tone’s peak level in dB re full scale, at any frequency, and ignores other tones', () => {
    expect(toneLevelDb(sine(8000, 1000, 1, 1), 8000, 1000)).toBeCloseTo(0, 2);
    expect(toneLevelDb(sine(24000, 1234.5, 1, 0.1), 24000, 1234.5)).toBeCloseTo(-20, 2);
    const mix = new Int16Array(8000);
    const a = sine(8000, 440, 1, 0.5);
    const b = sine(8000, 2000.3, 1, 0.001);
    for (let i = 0; i < mix.length; i++) mix[i] = a[i]! + b[i]!;
    expect(toneLevelDb(mix, 8000, 2000.3)).toBeCloseTo(-60, 0);
    expect(toneLevelDb(mix, 8000, 440)).toBeCloseTo(-6.02, 1);
    expect(toneLevelDb(mix, 8000, 3000)).toBeLessThan(-100);
  });
});

describe('snrDb / bestAlignment', () => {
  it('measures the error of an aligned copy and finds a known lag', () => {
    // Noise, so that no other lag matches as well (a pure tone repeats every period).
    let seed = 12345;
    const ref = Int16Array.from({ length: 4000 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) - 32768;
    });
    const delayed = new Int16Array(ref.length + 37);
    delayed.set(ref, 37);
    expect(bestAlignment(ref, delayed, 100)).toBe(37);
    expect(bestAlignment(delayed, ref, 100)).toBe(-37);
    expect(snrDb(ref, delayed, 37)).toBe(Infinity);

    // Error of 1/100 in amplitude → 40 dB.
    const scaled = Float64Array.from(ref, (v) => v * 1.01);
    expect(snrDb(ref, scaled)).toBeCloseTo(40, 6);
    // Range limits apply to the reference indices.
    const broken = Int16Array.from(ref);
    broken[10] = 0;
    expect(snrDb(ref, broken, 0, 11)).toBe(Infinity);
  });
});
