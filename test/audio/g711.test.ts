import { describe, expect, it } from 'vitest';
import {
  alawToLinear,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
} from '../../src/audio/g711.js';
import { sine, snrDb } from '../../src/audio/signal.js';

/*
 * Independent formulations to check the tables against, written the way spandsp (and so
 * FreeSWITCH) writes them, not the way src/audio/g711.ts builds its tables (ITU-T G.191 STL).
 */
function topBit(x: number): number {
  return 31 - Math.clz32(x);
}

function spandspLinearToUlaw(linear: number): number {
  const BIAS = 0x84;
  let mask: number;
  if (linear < 0) {
    linear = BIAS - linear - 1;
    mask = 0x7f;
  } else {
    linear = BIAS + linear;
    mask = 0xff;
  }
  const seg = topBit(linear | 0xff) - 7;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((linear >> (seg + 3)) & 0xf)) ^ mask;
}

function spandspLinearToAlaw(linear: number): number {
  let mask: number;
  if (linear >= 0) {
    mask = 0x55 | 0x80;
  } else {
    mask = 0x55;
    linear = -linear - 1;
  }
  const seg = topBit(linear | 0xff) - 7;
  if (seg >= 8) return 0x7f ^ mask;
  return (((seg << 4) | ((linear >> (seg !== 0 ? seg + 3 : 4)) & 0x0f)) ^ mask) & 0xff;
}

describe('G.711 μ-law', () => {
  it('matches the standard reference values', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0); // "negative zero"
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0xfe)).toBe(8);
    expect(mulawToLinear(0x7e)).toBe(-8);
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7f);
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
  });

  it('agrees with spandsp for every int16 value', () => {
    for (let s = -32768; s <= 32767; s++) {
      if (linearToMulaw(s) !== spandspLinearToUlaw(s)) expect([s, linearToMulaw(s)]).toEqual([s, spandspLinearToUlaw(s)]);
    }
  });

  it('decode(encode(decode(b))) == decode(b) for all 256 codes', () => {
    for (let b = 0; b < 256; b++) {
      expect(mulawToLinear(linearToMulaw(mulawToLinear(b)))).toBe(mulawToLinear(b));
    }
  });

  it('encodes every code back to itself except negative zero (0x7f → 0xff)', () => {
    for (let b = 0; b < 256; b++) {
      expect(linearToMulaw(mulawToLinear(b))).toBe(b === 0x7f ? 0xff : b);
    }
  });

  it('is monotonic: a louder sample never decodes quieter', () => {
    let previous = -Infinity;
    for (let s = -32768; s <= 32767; s += 3) {
      const v = mulawToLinear(linearToMulaw(s));
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
  });

  it('array functions match the scalar ones and keep speech-level audio (SNR > 35 dB)', () => {
    const pcm = sine(8000, 1004, 0.5, 0.3);
    const bytes = new Uint8Array(pcm.length + 3);
    expect(encodeMulaw(pcm, pcm.length, bytes)).toBe(pcm.length);
    for (let i = 0; i < pcm.length; i++) expect(bytes[i]).toBe(linearToMulaw(pcm[i]!));
    const back = new Int16Array(pcm.length);
    expect(decodeMulaw(bytes, pcm.length, back)).toBe(pcm.length);
    for (let i = 0; i < pcm.length; i++) expect(back[i]).toBe(mulawToLinear(bytes[i]!));
    // G.711 gives ~38 dB SNR over most of its range.
    expect(snrDb(pcm, back)).toBeGreaterThan(35);
  });

  it('honours length and rejects lengths beyond either buffer', () => {
    const out = new Uint8Array(4).fill(0xaa);
    expect(encodeMulaw(new Int16Array([0, 0, 0, 0]), 2, out)).toBe(2);
    expect(Array.from(out)).toEqual([0xff, 0xff, 0xaa, 0xaa]);
    expect(() => encodeMulaw(new Int16Array(4), 5, new Uint8Array(8))).toThrow(RangeError);
    expect(() => decodeMulaw(new Uint8Array(8), 8, new Int16Array(4))).toThrow(RangeError);
  });
});

describe('G.711 A-law', () => {
  it('matches the standard reference values', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });

  it('agrees with spandsp for every int16 value', () => {
    for (let s = -32768; s <= 32767; s++) {
      if (linearToAlaw(s) !== spandspLinearToAlaw(s)) expect([s, linearToAlaw(s)]).toEqual([s, spandspLinearToAlaw(s)]);
    }
  });

  it('decode(encode(decode(b))) == decode(b), and encode(decode(b)) == b, for all 256 codes', () => {
    for (let b = 0; b < 256; b++) {
      expect(alawToLinear(linearToAlaw(alawToLinear(b)))).toBe(alawToLinear(b));
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
    }
  });

  it('array functions match the scalar ones and keep speech-level audio (SNR > 35 dB)', () => {
    const pcm = sine(8000, 1004, 0.5, 0.3);
    const bytes = new Uint8Array(pcm.length);
    expect(encodeAlaw(pcm, pcm.length, bytes)).toBe(pcm.length);
    for (let i = 0; i < pcm.length; i++) expect(bytes[i]).toBe(linearToAlaw(pcm[i]!));
    const back = new Int16Array(pcm.length);
    expect(decodeAlaw(bytes, pcm.length, back)).toBe(pcm.length);
    for (let i = 0; i < pcm.length; i++) expect(back[i]).toBe(alawToLinear(bytes[i]!));
    expect(snrDb(pcm, back)).toBeGreaterThan(35);
  });

  it('rejects lengths beyond either buffer', () => {
    expect(() => encodeAlaw(new Int16Array(4), 5, new Uint8Array(8))).toThrow(RangeError);
    expect(() => decodeAlaw(new Uint8Array(8), 8, new Int16Array(4))).toThrow(RangeError);
    expect(() => decodeAlaw(new Uint8Array(8), -1, new Int16Array(8))).toThrow(RangeError);
  });
});
