/**
 * The three GA audio formats (reference §5): `audio/pcm` is 24 kHz mono 16-bit little-endian;
 * `audio/pcmu` and `audio/pcma` are G.711 at 8 kHz, one byte per sample.
 */
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from './g711Codec.js';
import type { AudioFormat } from './protocolTypes.js';

export const AUDIO_FORMAT_TYPES = ['audio/pcm', 'audio/pcmu', 'audio/pcma'] as const;
export type AudioFormatType = (typeof AUDIO_FORMAT_TYPES)[number];

export const PCM_FORMAT: AudioFormat = { type: 'audio/pcm', rate: 24000 };

export function sampleRateOf(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 24000 : 8000;
}

export function bytesPerSampleOf(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? 2 : 1;
}

/** Duration of `byteLength` bytes of audio in this format. */
export function durationMsOf(format: AudioFormat, byteLength: number): number {
  return (byteLength / bytesPerSampleOf(format) / sampleRateOf(format)) * 1000;
}

/**
 * Bytes → samples at the format's own rate. PCM must be whole samples (the caller rejects odd
 * lengths first); it is read little-endian regardless of the host's byte order.
 */
export function decodeAudio(format: AudioFormat, bytes: Uint8Array): Int16Array {
  if (format.type === 'audio/pcm') {
    const count = bytes.length >> 1;
    const out = new Int16Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
    return out;
  }
  const out = new Int16Array(bytes.length);
  if (format.type === 'audio/pcmu') decodeMulaw(bytes, bytes.length, out);
  else decodeAlaw(bytes, bytes.length, out);
  return out;
}

/** Samples already at the format's rate → bytes. */
export function encodeAudio(format: AudioFormat, samples: Int16Array): Uint8Array {
  if (format.type === 'audio/pcm') {
    const out = new Uint8Array(samples.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
    return out;
  }
  const out = new Uint8Array(samples.length);
  if (format.type === 'audio/pcmu') encodeMulaw(samples, samples.length, out);
  else encodeAlaw(samples, samples.length, out);
  return out;
}

/**
 * Strict base64 check. Node's decoder silently skips characters it does not know, which would
 * hide exactly the client bugs (a data-URL prefix, hex, a truncated string) the simulator exists
 * to catch. Unpadded base64 is accepted; a length of 4n+1 can never be valid.
 */
export function isStrictBase64(text: string): boolean {
  const n = text.length;
  if (n % 4 === 1) return false;
  // A table walk, not a regular expression: at hundreds of calls this runs 10,000+ times a second
  // on 1–6 kB strings, where the RegExp was the simulator's single largest cost.
  let end = n;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (n - end > 2 || (end < n && n % 4 !== 0)) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || BASE64_CHAR[c] === 0) return false;
  }
  return true;
}

const BASE64_CHAR = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHAR[ch.charCodeAt(0)] = 1;
