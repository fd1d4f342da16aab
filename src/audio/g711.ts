/**
 * ITU-T G.711 μ-law (PCMU) and A-law (PCMA), table-driven.
 *
 * The tables are built once at module load from the ITU-T G.191 reference algorithm (STL
 * `g711.c`), which encodes negative samples through their ones' complement: −1 encodes like 0,
 * into the "negative zero" code. spandsp (and so FreeSWITCH) does the same.
 *
 * The encoders only depend on the top 14 bits (μ-law) or 12 bits (A-law) of a sample, so the
 * encode tables have 16384 and 4096 entries instead of 65536: small enough to stay in L1/L2.
 * Decoding is one 256-entry lookup. The array functions take caller-provided outputs and return
 * the number of values written; they never allocate.
 */

const MULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
/** Indexed by (sample >> 2) & 0x3fff. */
const MULAW_ENCODE = new Uint8Array(1 << 14);
/** Indexed by (sample >> 4) & 0x0fff. */
const ALAW_ENCODE = new Uint8Array(1 << 12);

/** G.191 `ulaw_expand` for one code. */
function expandMulaw(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return code < 0x80 ? -magnitude : magnitude;
}

/** G.191 `alaw_expand` for one code. */
function expandAlaw(code: number): number {
  const ix = (code ^ 0x55) & 0x7f;
  const exponent = ix >> 4;
  let mantissa = ix & 0x0f;
  if (exponent > 0) mantissa += 16;
  mantissa = (mantissa << 4) + 8;
  if (exponent > 1) mantissa <<= exponent - 1;
  return code > 127 ? mantissa : -mantissa;
}

/** G.191 `ulaw_compress` for one 16-bit sample. */
function compressMulaw(sample: number): number {
  // Ones' complement for negatives, then the 14-bit magnitude plus the bias of 33.
  let absno = sample < 0 ? (~sample >> 2) + 33 : (sample >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const high = 8 - segno;
  const low = 0x0f - ((absno >> segno) & 0x0f);
  const code = (high << 4) | low;
  return sample >= 0 ? code | 0x80 : code;
}

/** G.191 `alaw_compress` for one 16-bit sample. */
function compressAlaw(sample: number): number {
  let ix = sample < 0 ? ~sample >> 4 : sample >> 4;
  if (ix > 15) {
    let exponent = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      exponent++;
    }
    ix -= 16;
    ix += exponent << 4;
  }
  if (sample >= 0) ix |= 0x80;
  return ix ^ 0x55;
}

for (let code = 0; code < 256; code++) {
  MULAW_DECODE[code] = expandMulaw(code);
  ALAW_DECODE[code] = expandAlaw(code);
}
for (let i = 0; i < 1 << 14; i++) MULAW_ENCODE[i] = compressMulaw((i << 18) >> 16); // sign-extend i·4
for (let i = 0; i < 1 << 12; i++) ALAW_ENCODE[i] = compressAlaw((i << 20) >> 16); // sign-extend i·16

function checkLength(name: string, length: number, inputLength: number, outputLength: number): void {
  if (!(Number.isInteger(length) && length >= 0 && length <= inputLength && length <= outputLength)) {
    throw new RangeError(
      `Expected an integer 0..${Math.min(inputLength, outputLength)} for ${name} length but received ${length}`,
    );
  }
}

/** μ-law code of one int16 sample (values outside int16 are not meaningful). */
export function linearToMulaw(sample: number): number {
  return MULAW_ENCODE[(sample >> 2) & 0x3fff]!;
}

/** int16 value of one μ-law code (0..255). */
export function mulawToLinear(code: number): number {
  return MULAW_DECODE[code & 0xff]!;
}

/** A-law code of one int16 sample (values outside int16 are not meaningful). */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[(sample >> 4) & 0x0fff]!;
}

/** int16 value of one A-law code (0..255). */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

/** Encodes pcm[0..length) to μ-law into out; returns length. */
export function encodeMulaw(pcm: Int16Array, length: number, out: Uint8Array): number {
  checkLength('encodeMulaw', length, pcm.length, out.length);
  for (let i = 0; i < length; i++) out[i] = MULAW_ENCODE[(pcm[i]! >> 2) & 0x3fff]!;
  return length;
}

/** Decodes μ-law bytes[0..length) into out; returns length. */
export function decodeMulaw(bytes: Uint8Array, length: number, out: Int16Array): number {
  checkLength('decodeMulaw', length, bytes.length, out.length);
  for (let i = 0; i < length; i++) out[i] = MULAW_DECODE[bytes[i]!]!;
  return length;
}

/** Encodes pcm[0..length) to A-law into out; returns length. */
export function encodeAlaw(pcm: Int16Array, length: number, out: Uint8Array): number {
  checkLength('encodeAlaw', length, pcm.length, out.length);
  for (let i = 0; i < length; i++) out[i] = ALAW_ENCODE[(pcm[i]! >> 4) & 0x0fff]!;
  return length;
}

/** Decodes A-law bytes[0..length) into out; returns length. */
export function decodeAlaw(bytes: Uint8Array, length: number, out: Int16Array): number {
  checkLength('decodeAlaw', length, bytes.length, out.length);
  for (let i = 0; i < length; i++) out[i] = ALAW_DECODE[bytes[i]!]!;
  return length;
}
