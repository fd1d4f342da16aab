// What this proves: the downlink decoder carries an odd byte across the deltas of an item, and a
// rejected (invalid base64) delta drops that carry, so the audio after it is not byte-shifted
// into noise.
import { describe, expect, it } from 'vitest';
import { DownlinkDecoder, INVALID_BASE64 } from '../src/session/downlinkDecoder.js';

const b64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64');
const pcmBytes = (samples: number[]): number[] => samples.flatMap((s) => [s & 0xff, (s >> 8) & 0xff]);

function decodedSamples(decoder: DownlinkDecoder, delta: string): number[] | 'invalid' {
  const n = decoder.decodeBase64(delta);
  if (n === INVALID_BASE64) return 'invalid';
  return Array.from(decoder.source.subarray(0, decoder.sourceLength));
}

describe('DownlinkDecoder', () => {
  it('carries an odd byte into the next delta of the item', () => {
    const d = new DownlinkDecoder(24000);
    const bytes = pcmBytes([1000, -2000, 3000]);
    expect(decodedSamples(d, b64(bytes.slice(0, 3)))).toEqual([1000]);
    expect(decodedSamples(d, b64(bytes.slice(3)))).toEqual([-2000, 3000]);
  });

  it('an invalid delta resets the carry: the next samples are exact, not shifted', () => {
    const d = new DownlinkDecoder(24000);
    // Three bytes: one sample and a carried byte that belonged to audio now lost.
    expect(decodedSamples(d, b64(pcmBytes([1000, 7777]).slice(0, 3)))).toEqual([1000]);
    expect(decodedSamples(d, 'not*base64!')).toBe('invalid');
    expect(d.lastError).not.toBeNull();
    expect(decodedSamples(d, b64(pcmBytes([1234, -4321, 32767])))).toEqual([1234, -4321, 32767]);
  });
});
