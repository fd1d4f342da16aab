/**
 * The simulator's own G.711 μ-law / A-law codec, deliberately not src/audio/g711.ts.
 *
 * Why a second implementation: the simulator decodes what the client encodes and encodes what the
 * client decodes. With one shared codec a symmetric bug (swapped tables, a sign error) would
 * cancel out and every test would pass while OpenAI heard noise. This is the classic algorithm of
 * Sun's g711.c (two's complement), the project's follows G.191; a test checks that they agree.
 * Same call shapes as src/audio/g711.ts.
 */

const BIAS = 0x84;
const CLIP = 32635;

function encodeMulawSample(sample: number): number {
  let pcm = sample;
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  if (pcm > CLIP) pcm = CLIP;
  pcm += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeMulawSample(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

function encodeAlawSample(sample: number): number {
  let pcm = sample;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  if (pcm > 32767) pcm = 32767;
  let compressed: number;
  if (pcm < 256) {
    compressed = pcm >> 4;
  } else {
    let exponent = 7;
    for (let bit = 0x4000; (pcm & bit) === 0 && exponent > 1; bit >>= 1) exponent--;
    compressed = (exponent << 4) | ((pcm >> (exponent + 3)) & 0x0f);
  }
  return (compressed ^ mask) & 0xff;
}

function decodeAlawSample(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  let magnitude = ((a & 0x0f) << 4) + 8;
  if (exponent !== 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  return sign ? magnitude : -magnitude;
}

const MULAW_TABLE = new Int16Array(256);
const ALAW_TABLE = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  MULAW_TABLE[i] = decodeMulawSample(i);
  ALAW_TABLE[i] = decodeAlawSample(i);
}

export function encodeMulaw(pcm: Int16Array, length: number, out: Uint8Array): number {
  for (let i = 0; i < length; i++) out[i] = encodeMulawSample(pcm[i]!);
  return length;
}

export function decodeMulaw(bytes: Uint8Array, length: number, out: Int16Array): number {
  for (let i = 0; i < length; i++) out[i] = MULAW_TABLE[bytes[i]!]!;
  return length;
}

export function encodeAlaw(pcm: Int16Array, length: number, out: Uint8Array): number {
  for (let i = 0; i < length; i++) out[i] = encodeAlawSample(pcm[i]!);
  return length;
}

export function decodeAlaw(bytes: Uint8Array, length: number, out: Int16Array): number {
  for (let i = 0; i < length; i++) out[i] = ALAW_TABLE[bytes[i]!]!;
  return length;
}
