/**
 * PCM16LE ⇄ base64, used on every audio frame in both directions.
 *
 * The OpenAI Realtime API carries `audio/pcm` as base64 of 16-bit little-endian mono samples, and
 * G.711 as base64 of the raw bytes. Uplink: `encodePcm16Base64` / `encodeBytesBase64`. Downlink:
 * one `Pcm16Decoder` per stream, because a delta may end in the middle of a sample and the next
 * delta then starts with its second byte.
 *
 * Allocations: the base64 string on encode is unavoidable (it goes into the JSON message), and so
 * is the one Buffer view object that wraps the samples for Node's native encoder. Decoding writes
 * straight into the caller's Int16Array through a Buffer view that is cached per output array, so
 * a decoder fed the same output array allocates nothing. Big-endian hosts (none of our targets)
 * take a correct but slower byte-swapping path.
 *
 * Validation is strict: Node's own decoder silently skips characters outside the alphabet, which
 * would turn a corrupted delta into shifted, garbled audio. Invalid input is reported with a
 * return value and a message, never by throwing from deep inside the downlink.
 */

import { Buffer } from 'node:buffer';
import { endianness } from 'node:os';

/** Returned by the decoders when the input is not strict base64. */
export const INVALID_BASE64 = -1;

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Per char code < 128: 0 not base64, 1 standard only (+/), 2 URL-safe only (-_), 3 both. */
const ALPHABET = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) ALPHABET[c] = 3;
}
ALPHABET['+'.charCodeAt(0)] = 1;
ALPHABET['/'.charCodeAt(0)] = 1;
ALPHABET['-'.charCodeAt(0)] = 2;
ALPHABET['_'.charCodeAt(0)] = 2;
const PAD = '='.charCodeAt(0);

/**
 * Decoded byte count of a strict base64 string, or −1. Accepts the standard (RFC 4648 §4) or the
 * URL-safe (§5) alphabet but not both in one string; padding optional, but if present it must
 * complete the last quantum. No whitespace.
 */
function strictDecodedLength(s: string): number {
  const n = s.length;
  let end = n;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  let seen = 3;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const kind = c < 128 ? ALPHABET[c]! : 0;
    seen &= kind;
    if (seen === 0) return -1;
  }
  const rem = end % 4;
  if (rem === 1) return -1;
  if (end !== n && n % 4 !== 0) return -1; // padding must complete the last quantum
  return ((end - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1);
}

/**
 * The decoded byte count a strict base64 string of this shape must give, or −1: length and padding
 * as in `strictDecodedLength`, and not both alphabets, but not the characters one by one. The hot
 * decoders decode first and compare with this: Node's decoder skips every character outside the
 * alphabets and stops at a '=', so a string holding one decodes to fewer bytes than its shape says.
 * Why not check in JS: that loop cost as much as the rest of the downlink together, and on Node 20
 * it fell into a deoptimisation cycle in the running module (bench/, issue 7).
 */
function shapeDecodedLength(s: string): number {
  const n = s.length;
  let end = n;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  const rem = end % 4;
  if (rem === 1) return -1;
  if (end !== n && n % 4 !== 0) return -1; // padding must complete the last quantum
  // indexOf of one character is a native scan, far faster than a JS loop over the string.
  if ((s.indexOf('+') !== -1 || s.indexOf('/') !== -1) && (s.indexOf('-') !== -1 || s.indexOf('_') !== -1)) return -1;
  return ((end - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1);
}

/** Why `s` is not strict base64 (only called on the error path, so it may allocate). */
function describeInvalid(s: string): string {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  if (end > 0 && s.charCodeAt(end - 1) === PAD) end--;
  let seen = 3;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const kind = c < 128 ? ALPHABET[c]! : 0;
    if (kind === 0) return `invalid base64: character ${JSON.stringify(s[i])} at offset ${i}`;
    if ((seen & kind) === 0) return `invalid base64: mixes the standard (+/) and URL-safe (-_) alphabets at offset ${i}`;
    seen &= kind;
  }
  return `invalid base64: length ${s.length} is not a whole number of base64 quanta`;
}

/** True if `s` is strict base64 (standard or URL-safe alphabet, optional padding, no whitespace). */
export function isValidBase64(s: string): boolean {
  return strictDecodedLength(s) >= 0;
}

function checkLength(name: string, length: number, capacity: number): void {
  if (!(Number.isInteger(length) && length >= 0 && length <= capacity)) {
    throw new RangeError(`Expected an integer 0..${capacity} for ${name} but received ${length}`);
  }
}

/** Scratch for big-endian hosts only; grows, never shrinks. */
let swapScratch: Buffer | null = null;

/**
 * Base64 of samples[0..length) as PCM16 little-endian, whatever the host byte order. On
 * little-endian hosts this hands the samples' own memory to Node's encoder (no copy).
 */
export function encodePcm16Base64(samples: Int16Array, length: number): string {
  checkLength('length', length, samples.length);
  const bytes = Buffer.from(samples.buffer, samples.byteOffset, length * 2);
  if (LITTLE_ENDIAN_HOST) return bytes.toString('base64');
  if (swapScratch === null || swapScratch.length < bytes.length) swapScratch = Buffer.alloc(bytes.length * 2);
  bytes.copy(swapScratch, 0, 0, bytes.length);
  return swapScratch.subarray(0, bytes.length).swap16().toString('base64');
}

/** Base64 of bytes[0..length), e.g. a G.711 payload. */
export function encodeBytesBase64(bytes: Uint8Array, length: number): string {
  checkLength('length', length, bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('base64');
}

/**
 * Strictly decodes base64 into out (a Buffer avoids a per-call view object). Returns the number of
 * bytes written, or INVALID_BASE64. Throws RangeError only if `out` is too small: size it with
 * `base64MaxDecodedLength(b64.length)`.
 */
export function decodeBase64ToBytes(b64: string, out: Uint8Array): number {
  const length = shapeDecodedLength(b64);
  if (length < 0) return INVALID_BASE64;
  if (out.length < length) throw new RangeError(`Output holds ${out.length} bytes, ${length} needed`);
  const view = Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  // Fewer bytes than the shape promises: a character outside the alphabet (see shapeDecodedLength).
  return view.write(b64, 0, length, 'base64') === length ? length : INVALID_BASE64;
}

/** Upper bound of the bytes a base64 string of `base64Length` characters decodes to. */
export function base64MaxDecodedLength(base64Length: number): number {
  return Math.floor((base64Length * 3) / 4);
}

/**
 * One-shot strict decode of a complete PCM16LE payload, for tests and tools (allocates). Returns
 * null if the input is not strict base64 or has an odd number of bytes. Streams of deltas must use
 * a `Pcm16Decoder` instead.
 */
export function decodeBase64ToPcm16(b64: string): Int16Array | null {
  const decoder = new Pcm16Decoder();
  const out = new Int16Array(decoder.requiredOutputLength(b64.length));
  const n = decoder.decode(b64, out);
  if (n < 0 || decoder.hasPendingByte) return null;
  return out.subarray(0, n);
}

/**
 * Turns a stream of base64 PCM16LE deltas into int16 samples. An odd trailing byte is kept and
 * becomes the low byte of the first sample of the next delta. One instance per stream; `reset()`
 * on a new response or barge-in.
 */
export class Pcm16Decoder {
  /** The carried low byte (0..255), or −1 when the stream is sample-aligned. */
  #carry = -1;
  #lastError: string | null = null;
  #viewOf: Int16Array | null = null;
  #view: Buffer | null = null;

  /** Why the last `decode` returned INVALID_BASE64; null after a successful decode. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** True when half a sample is waiting for the next delta. */
  get hasPendingByte(): boolean {
    return this.#carry >= 0;
  }

  /**
   * Length an `out` array must have for `decode` of a base64 string of `base64Length` characters.
   * Includes room for the carried-in byte and for the odd byte carried out (written, not counted).
   */
  requiredOutputLength(base64Length: number): number {
    return Math.ceil((base64MaxDecodedLength(base64Length) + 1) / 2);
  }

  /**
   * Decodes one delta into out[0..n) and returns n, the number of whole samples, or
   * INVALID_BASE64 (see `lastError`); an invalid delta is dropped and leaves the carry as it was.
   * Throws RangeError only if `out` is shorter than `requiredOutputLength(b64.length)`.
   * Allocation-free when called with the same `out` array each time.
   */
  decode(b64: string, out: Int16Array): number {
    const length = shapeDecodedLength(b64);
    if (length < 0) {
      this.#lastError = describeInvalid(b64);
      return INVALID_BASE64;
    }
    const carried = this.#carry >= 0 ? 1 : 0;
    const total = carried + length;
    if (out.byteLength < total) {
      throw new RangeError(`Output holds ${out.length} samples, ${Math.ceil(total / 2)} needed`);
    }
    if (this.#viewOf !== out || this.#view === null) {
      this.#view = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      this.#viewOf = out;
    }
    const view = this.#view;
    if (carried === 1) view[0] = this.#carry;
    // The bytes land directly in the samples' memory, after the carried byte. Fewer than the shape
    // promises: a character outside the alphabet; the delta is dropped, the carry stays as it was.
    if (view.write(b64, carried, length, 'base64') !== length) {
      this.#lastError = describeInvalid(b64);
      return INVALID_BASE64;
    }
    this.#lastError = null;
    const samples = total >> 1;
    this.#carry = (total & 1) === 1 ? view[total - 1]! : -1;
    if (!LITTLE_ENDIAN_HOST && samples > 0) view.subarray(0, samples * 2).swap16();
    return samples;
  }

  /** Drops any carried byte and error (new stream). */
  reset(): void {
    this.#carry = -1;
    this.#lastError = null;
  }
}
