import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  INVALID_BASE64,
  Pcm16Decoder,
  base64MaxDecodedLength,
  decodeBase64ToBytes,
  decodeBase64ToPcm16,
  encodeBytesBase64,
  encodePcm16Base64,
  isValidBase64,
} from '../../src/audio/pcm.js';

describe('encodePcm16Base64', () => {
  it('writes little-endian bytes, low byte first, checked byte by byte', () => {
    const samples = new Int16Array([0x0102, -2, 0x7fff, -0x8000, 0]);
    const bytes = Buffer.from(encodePcm16Base64(samples, samples.length), 'base64');
    expect(Array.from(bytes)).toEqual([0x02, 0x01, 0xfe, 0xff, 0xff, 0x7f, 0x00, 0x80, 0x00, 0x00]);
  });

  it('encodes only the first `length` samples of a view at an offset', () => {
    const backing = new Int16Array([111, 0x0a0b, 0x0c0d, 222]);
    const view = backing.subarray(1, 4);
    expect(Array.from(Buffer.from(encodePcm16Base64(view, 2), 'base64'))).toEqual([0x0b, 0x0a, 0x0d, 0x0c]);
    expect(encodePcm16Base64(view, 0)).toBe('');
    expect(() => encodePcm16Base64(view, 4)).toThrow(RangeError);
  });
});

describe('encodeBytesBase64', () => {
  it('encodes a G.711 payload prefix', () => {
    const bytes = new Uint8Array([0xff, 0x7f, 0x00, 0xd5, 0x55]);
    expect(encodeBytesBase64(bytes, 4)).toBe(Buffer.from([0xff, 0x7f, 0x00, 0xd5]).toString('base64'));
    expect(() => encodeBytesBase64(bytes, 6)).toThrow(RangeError);
  });
});

describe('isValidBase64', () => {
  it('accepts standard and URL-safe base64, padded or not', () => {
    for (const s of ['', 'QQ==', 'QQ', 'QUI=', 'QUI', 'QUJD', '+/+/', '-_-_', 'ab+/QQ==']) {
      expect([s, isValidBase64(s)]).toEqual([s, true]);
    }
  });

  it('rejects foreign characters, whitespace, misplaced padding, impossible lengths and mixed alphabets', () => {
    for (const s of ['Q', 'QUJDR', 'QQ=', 'Q===', '=QQ=', 'QQ==QQ==', 'QU JD', 'QUJD\n', 'QU*D', 'QUé=', '+/-_', '====']) {
      expect([s, isValidBase64(s)]).toEqual([s, false]);
    }
  });
});

describe('decodeBase64ToBytes', () => {
  it('decodes into a Buffer or a Uint8Array and reports invalid input', () => {
    const b64 = Buffer.from([1, 2, 3, 4, 5]).toString('base64');
    const out = new Uint8Array(base64MaxDecodedLength(b64.length));
    expect(decodeBase64ToBytes(b64, out)).toBe(5);
    expect(Array.from(out.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    const buf = Buffer.alloc(8);
    expect(decodeBase64ToBytes('AQI', buf)).toBe(2);
    expect(Array.from(buf.subarray(0, 2))).toEqual([1, 2]);
    expect(decodeBase64ToBytes('AQ!D', buf)).toBe(INVALID_BASE64);
    expect(() => decodeBase64ToBytes(b64, new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('Pcm16Decoder', () => {
  const samples = new Int16Array([0x0102, -2, 0x7fff, -0x8000, 12345, -12345, 0, 1]);
  const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

  it('decodes a whole delta and round-trips encodePcm16Base64', () => {
    const decoder = new Pcm16Decoder();
    const b64 = encodePcm16Base64(samples, samples.length);
    const out = new Int16Array(decoder.requiredOutputLength(b64.length));
    expect(decoder.decode(b64, out)).toBe(samples.length);
    expect(out.subarray(0, samples.length)).toEqual(samples);
    expect(decoder.hasPendingByte).toBe(false);
  });

  it('carries an odd trailing byte into the next delta, for every split point', () => {
    // The server may split a sample between two deltas: try every way of cutting the bytes in 3.
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const decoder = new Pcm16Decoder();
        const out = new Int16Array(16);
        const got: number[] = [];
        for (const part of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) {
          const n = decoder.decode(Buffer.from(part).toString('base64'), out);
          expect(n).toBeGreaterThanOrEqual(0);
          got.push(...out.subarray(0, n));
        }
        expect(got).toEqual(Array.from(samples));
        expect(decoder.hasPendingByte).toBe(false);
      }
    }
  });

  it('reports a pending half sample until its second byte arrives', () => {
    const decoder = new Pcm16Decoder();
    const out = new Int16Array(4);
    expect(decoder.decode(Buffer.from([0x34]).toString('base64'), out)).toBe(0);
    expect(decoder.hasPendingByte).toBe(true);
    expect(decoder.decode('', out)).toBe(0);
    expect(decoder.hasPendingByte).toBe(true);
    expect(decoder.decode(Buffer.from([0x12, 0x78]).toString('base64'), out)).toBe(1);
    expect(out[0]).toBe(0x1234);
    expect(decoder.hasPendingByte).toBe(true);
    decoder.reset();
    expect(decoder.hasPendingByte).toBe(false);
    expect(decoder.decode(Buffer.from([0xff, 0x7f]).toString('base64'), out)).toBe(1);
    expect(out[0]).toBe(0x7fff);
  });

  it('accepts URL-safe and unpadded deltas', () => {
    const decoder = new Pcm16Decoder();
    const out = new Int16Array(8);
    // 0xfbff → bytes ff fb: standard "//s=", URL-safe "__s".
    expect(decoder.decode('__s', out)).toBe(1);
    expect(out[0]).toBe(-1025);
  });

  it('reports invalid base64 without throwing, drops that delta and keeps the carry', () => {
    const decoder = new Pcm16Decoder();
    const out = new Int16Array(8);
    expect(decoder.decode(Buffer.from([0x02]).toString('base64'), out)).toBe(0);
    for (const bad of ['AQ!D', 'AQID AQID', 'AQ==AQ==', 'A', 'AQ+_']) {
      expect(decoder.decode(bad, out)).toBe(INVALID_BASE64);
      expect(decoder.lastError).toMatch(/^invalid base64: /);
    }
    expect(decoder.lastError).toMatch(/alphabets/);
    expect(decoder.hasPendingByte).toBe(true);
    expect(decoder.decode(Buffer.from([0x01]).toString('base64'), out)).toBe(1);
    expect(out[0]).toBe(0x0102);
    expect(decoder.lastError).toBeNull();
  });

  it('throws RangeError when the output is smaller than requiredOutputLength', () => {
    const decoder = new Pcm16Decoder();
    const b64 = encodePcm16Base64(samples, samples.length);
    expect(decoder.requiredOutputLength(b64.length)).toBeGreaterThanOrEqual(samples.length);
    expect(() => decoder.decode(b64, new Int16Array(samples.length - 1))).toThrow(RangeError);
  });

  it('writes into an output view at an offset without touching the samples before it', () => {
    const decoder = new Pcm16Decoder();
    const backing = new Int16Array(12).fill(-7);
    const view = backing.subarray(2);
    expect(decoder.decode(encodePcm16Base64(samples, 3), view)).toBe(3);
    expect(Array.from(backing.subarray(0, 5))).toEqual([-7, -7, 0x0102, -2, 0x7fff]);
  });
});

describe('decodeBase64ToPcm16', () => {
  it('decodes a complete payload and refuses invalid or odd-length ones', () => {
    const samples = new Int16Array([5, -6, 7]);
    expect(decodeBase64ToPcm16(encodePcm16Base64(samples, 3))).toEqual(samples);
    expect(decodeBase64ToPcm16('AQ!D')).toBeNull();
    expect(decodeBase64ToPcm16(Buffer.from([1, 2, 3]).toString('base64'))).toBeNull();
  });
});
