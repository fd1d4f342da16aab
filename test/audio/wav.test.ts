import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WavFileWriter, encodeWav, readWav } from '../../src/audio/wav.js';

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

function ramp(length: number, seed = 0): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = ((i * 7919 + seed) % 65536) - 32768;
  return out;
}

/** Builds a RIFF/WAVE file from raw chunks, padding odd-sized ones as the format requires. */
function riff(chunks: ReadonlyArray<[id: string, body: Uint8Array, declaredSize?: number]>): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  for (const [id, body, declared] of chunks) {
    parts.push(...Array.from(id, (c) => c.charCodeAt(0)), ...u32(declared ?? body.length), ...body);
    if (body.length % 2 === 1) parts.push(0);
  }
  return new Uint8Array([...Array.from('RIFF', (c) => c.charCodeAt(0)), ...u32(4 + parts.length), ...Array.from('WAVE', (c) => c.charCodeAt(0)), ...parts]);
}

function fmt(formatTag: number, channels: number, rate: number, bits: number, extra: number[] = []): Uint8Array {
  const b = new Uint8Array(16 + extra.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, formatTag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  b.set(extra, 16);
  return b;
}

function le16(samples: number[]): Uint8Array {
  const b = new Uint8Array(samples.length * 2);
  const v = new DataView(b.buffer);
  samples.forEach((s, i) => v.setInt16(i * 2, s, true));
  return b;
}

describe('encodeWav', () => {
  it('writes a canonical 44-byte header with the right fields', () => {
    const samples = new Int16Array([1, -2, 0x1234, -32768, 32767, 0]);
    const wav = encodeWav(samples, 16000, 2);
    const v = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
    expect(wav.length).toBe(44 + 12);
    expect(ascii(wav, 0)).toBe('RIFF');
    expect(v.getUint32(4, true)).toBe(wav.length - 8);
    expect(ascii(wav, 8)).toBe('WAVE');
    expect(ascii(wav, 12)).toBe('fmt ');
    expect(v.getUint32(16, true)).toBe(16);
    expect(v.getUint16(20, true)).toBe(1); // PCM
    expect(v.getUint16(22, true)).toBe(2);
    expect(v.getUint32(24, true)).toBe(16000);
    expect(v.getUint32(28, true)).toBe(16000 * 2 * 2); // byte rate
    expect(v.getUint16(32, true)).toBe(4); // block align
    expect(v.getUint16(34, true)).toBe(16);
    expect(ascii(wav, 36)).toBe('data');
    expect(v.getUint32(40, true)).toBe(12);
    // Little-endian samples.
    expect(Array.from(wav.subarray(44, 50))).toEqual([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12]);
  });

  it('round-trips through readWav', () => {
    const samples = ramp(4801);
    const back = readWav(encodeWav(samples, 24000, 1));
    expect(back.sampleRate).toBe(24000);
    expect(back.channels).toBe(1);
    expect(back.samples).toEqual(samples);
  });

  it('refuses samples that are not whole frames', () => {
    expect(() => encodeWav(new Int16Array(3), 8000, 2)).toThrow(RangeError);
    expect(() => encodeWav(new Int16Array(2), 0, 1)).toThrow(RangeError);
  });
});

describe('readWav', () => {
  it('skips extra chunks (LIST, odd-sized with pad byte) before and after data', () => {
    const wav = riff([
      ['LIST', new Uint8Array([1, 2, 3, 4, 5])], // odd size: followed by a pad byte
      ['fmt ', fmt(1, 1, 8000, 16)],
      ['fact', new Uint8Array([9, 9, 9])],
      ['data', le16([100, -100, 32767])],
      ['LIST', new Uint8Array([7, 7])],
    ]);
    expect(readWav(wav)).toEqual({ sampleRate: 8000, channels: 1, samples: new Int16Array([100, -100, 32767]) });
  });

  it('reads data at an odd offset inside a larger buffer', () => {
    const inner = encodeWav(new Int16Array([1, 2, 3]), 8000, 1);
    const outer = new Uint8Array(inner.length + 1);
    outer.set(inner, 1);
    expect(readWav(outer.subarray(1)).samples).toEqual(new Int16Array([1, 2, 3]));
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
    // cbSize 22, valid bits 16, channel mask, then the KSDATAFORMAT_SUBTYPE_PCM GUID.
    const extra = [22, 0, 16, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    const wav = riff([
      ['fmt ', fmt(0xfffe, 1, 48000, 16, extra)],
      ['data', le16([5, 6])],
    ]);
    expect(readWav(wav)).toEqual({ sampleRate: 48000, channels: 1, samples: new Int16Array([5, 6]) });
  });

  it('keeps the whole frames present when the data size overruns the file (unfinished recording)', () => {
    const wav = riff([
      ['fmt ', fmt(1, 2, 8000, 16)],
      ['data', le16([1, 2, 3, 4, 5]), 0xffffffff],
    ]);
    expect(readWav(wav).samples).toEqual(new Int16Array([1, 2, 3, 4]));
  });

  it('explains what is wrong with unsupported or broken files', () => {
    expect(() => readWav(new Uint8Array(10))).toThrow(/Not a WAV file/);
    expect(() => readWav(riff([['fmt ', fmt(3, 1, 8000, 32)], ['data', new Uint8Array(8)]]))).toThrow(
      /format tag 0x3: only PCM/,
    );
    expect(() => readWav(riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', new Uint8Array(8)]]))).toThrow(
      /8 bits: only 16-bit PCM/,
    );
    expect(() => readWav(riff([['fmt ', fmt(1, 1, 8000, 24)], ['data', new Uint8Array(6)]]))).toThrow(/24 bits/);
    expect(() => readWav(riff([['data', new Uint8Array(8)]]))).toThrow(/data chunk comes before the fmt chunk/);
    expect(() => readWav(riff([['fmt ', fmt(1, 1, 8000, 16)]]))).toThrow(/no data chunk/);
    expect(() => readWav(riff([['LIST', new Uint8Array(4)]]))).toThrow(/no fmt chunk/);
  });
});

describe('WavFileWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wav-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends chunks of any size and fixes up the header on close', async () => {
    const path = join(dir, 'rec.wav');
    // A small buffer so that chunks straddle buffer boundaries and several writes queue up.
    const writer = new WavFileWriter(path, 8000, 1, { bufferBytes: 1000 });
    const all = ramp(8000, 3);
    const reused = new Int16Array(333);
    let written = 0;
    for (const size of [1, 160, 333, 7, 0, 499, 2000]) {
      reused.set(all.subarray(written, written + Math.min(size, 333)));
      // Chunks up to 333 come through a reused scratch array (the writer must copy it).
      if (size <= 333) writer.write(reused, size);
      else writer.write(all.subarray(written, written + size));
      reused.fill(0);
      written += size;
    }
    writer.write(all.subarray(written), all.length - written);
    expect(writer.samplesWritten).toBe(all.length);
    await writer.close();

    const bytes = new Uint8Array(await readFile(path));
    expect(bytes.length).toBe(44 + all.length * 2);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(v.getUint32(4, true)).toBe(bytes.length - 8);
    expect(v.getUint32(40, true)).toBe(all.length * 2);
    expect(readWav(bytes)).toEqual({ sampleRate: 8000, channels: 1, samples: all });
  });

  it('records stereo and reports its format in the header', async () => {
    const path = join(dir, 'stereo.wav');
    const writer = new WavFileWriter(path, 16000, 2);
    const frames = ramp(640, 9);
    writer.write(frames);
    await writer.close();
    const wav = readWav(new Uint8Array(await readFile(path)));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channels).toBe(2);
    expect(wav.samples).toEqual(frames);
  });

  it('leaves a readable file while still open (header says "unknown length")', async () => {
    const path = join(dir, 'open.wav');
    const writer = new WavFileWriter(path, 8000, 1, { bufferBytes: 64 });
    writer.write(ramp(100));
    // Let the queued writes reach the disk without closing. The file itself is opened
    // asynchronously, so on a busy machine it may not exist yet at the first look.
    const sizeNow = async (): Promise<number> => (await stat(path).catch(() => ({ size: 0 }))).size;
    for (let i = 0; i < 500 && (await sizeNow()) < 44 + 192; i++) await new Promise((r) => setTimeout(r, 10));
    const partial = readWav(new Uint8Array(await readFile(path)));
    expect(partial.samples).toEqual(ramp(100).subarray(0, 96));
    await writer.close();
    expect(readWav(new Uint8Array(await readFile(path))).samples).toEqual(ramp(100));
  });

  it('rejects close() when the file cannot be opened, and refuses writes after close', async () => {
    const writer = new WavFileWriter(join(dir, 'missing-dir', 'x.wav'), 8000);
    writer.write(ramp(10));
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
    expect(() => writer.write(ramp(10))).toThrow(/closed/);
    // A second close() returns the same outcome instead of hanging or throwing synchronously.
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});
