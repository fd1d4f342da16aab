// DownlinkDecoder (src/session/downlinkDecoder.ts): the assistant's audio deltas become samples at
// the channel rate — PCM16 with an odd byte carried to the next delta of the item, G.711 decoded,
// resampled with state that an item boundary resets — and a bad delta is a result, not an exception.
import { describe, expect, it } from 'vitest';
import { linearToMulaw, mulawToLinear } from '../../src/audio/g711.js';
import { DownlinkDecoder, INVALID_BASE64 } from '../../src/session/downlinkDecoder.js';

const pcmBytes = (samples: number[]): Buffer => {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => b.writeInt16LE(v, 2 * i));
  return b;
};

describe('DownlinkDecoder', () => {
  it('PCM16 at the channel rate passes through; a sample split across two deltas is joined', () => {
    const dec = new DownlinkDecoder(24000);
    dec.configure({ encoding: 'pcm', rate: 24000 });
    const bytes = pcmBytes([100, -200, 300, -400]);
    const first = dec.decodeBase64(bytes.subarray(0, 3).toString('base64')); // a sample and a half
    const got = [...dec.output.subarray(0, first)];
    const second = dec.decodeBase64(bytes.subarray(3).toString('base64'));
    got.push(...dec.output.subarray(0, second));
    expect(got).toEqual([100, -200, 300, -400]);
  });

  it('μ-law at 8 kHz on an 8 kHz channel: the decoded G.711, also what the debug file records', () => {
    const dec = new DownlinkDecoder(8000);
    dec.configure({ encoding: 'pcmu', rate: 8000 });
    const codes = Uint8Array.from({ length: 160 }, (_, i) => linearToMulaw((i - 80) * 200));
    const n = dec.decodeBase64(Buffer.from(codes).toString('base64'));
    expect(n).toBe(160);
    expect([...dec.output.subarray(0, n)]).toEqual([...codes].map((c) => mulawToLinear(c)));
    expect([...dec.source.subarray(0, dec.sourceLength)]).toEqual([...codes].map((c) => mulawToLinear(c)));
  });

  it('24 kHz onto an 8 kHz channel: a third of the samples, and the end of the item drains the filter', () => {
    const dec = new DownlinkDecoder(8000);
    dec.configure({ encoding: 'pcm', rate: 24000 });
    let out = 0;
    for (let i = 0; i < 10; i++) out += dec.decodeBase64(pcmBytes(new Array(480).fill(3000)).toString('base64'));
    // 4800 samples in: about 1600 out, less what the filter still holds.
    expect(out).toBeLessThanOrEqual(1600);
    expect(out).toBeGreaterThan(1500);
    const tail = dec.flushTail();
    // The tail brings out the last real samples (and the filter's delay after them).
    expect(out + tail).toBeGreaterThanOrEqual(1600);
    const tailSamples = [...dec.output.subarray(0, tail)];
    expect(tailSamples.slice(0, 1600 - out).every((v) => Math.abs(v - 3000) < 300)).toBe(true);
  });

  it('invalid base64 is INVALID_BASE64 with the reason; the next delta decodes', () => {
    const dec = new DownlinkDecoder(24000);
    dec.configure({ encoding: 'pcm', rate: 24000 });
    expect(dec.decodeBase64('@@not base64@@')).toBe(INVALID_BASE64);
    expect(dec.lastError).toBeTruthy();
    expect(dec.decodeBase64(pcmBytes([1, 2]).toString('base64'))).toBe(2);
    expect(dec.lastError).toBeNull();
  });

  it('raw binary frames decode as PCM16 little-endian at the configured rate', () => {
    const dec = new DownlinkDecoder(16000);
    dec.configure({ encoding: 'pcm', rate: 16000 });
    const n = dec.decodeBytes(pcmBytes([7, -7, 9]));
    expect([...dec.output.subarray(0, n)]).toEqual([7, -7, 9]);
  });

  it('an invalid delta drops the carried odd byte: the samples after it are exact, not byte-shifted', () => {
    const dec = new DownlinkDecoder(24000);
    dec.configure({ encoding: 'pcm', rate: 24000 });
    // Three bytes: one sample and a carried byte that belonged to audio now lost.
    const first = dec.decodeBase64(pcmBytes([1000, 7777]).subarray(0, 3).toString('base64'));
    expect([...dec.output.subarray(0, first)]).toEqual([1000]);
    expect(dec.decodeBase64('not*base64!')).toBe(INVALID_BASE64);
    const n = dec.decodeBase64(pcmBytes([1234, -4321, 32767]).toString('base64'));
    expect([...dec.output.subarray(0, n)]).toEqual([1234, -4321, 32767]);
  });
});
