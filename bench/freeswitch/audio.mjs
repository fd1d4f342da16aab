/**
 * The caller's audio and what the caller heard, for the FreeSWITCH bench.
 *
 * The caller (leg A) plays a 4 s loop: a speech-like burst (band-limited noise with a syllable
 * envelope, 0.8 s) then silence. A is recorded in stereo: left is what A hears (the AI leg's
 * output, i.e. the reply), right what A sends. The reply is the peer's tone; a 100 ms window of the
 * left channel "has reply audio" when it is above −45 dBFS and the tone holds most of its power.
 */
import { readFileSync } from 'node:fs';

export const RATE = 8000;
export const CYCLE_S = 4;
export const BURST_S = 0.8;

export function wavBytes(channels, rate, samples) {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * channels * 2, 28); b.writeUInt16LE(channels * 2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], 44 + i * 2);
  return b;
}

/** One cycle: 0.8 s of noise low-passed once (a little voice-like tilt), 4 Hz syllable envelope. */
export function speechLikeCycle() {
  const out = new Int16Array(CYCLE_S * RATE);
  let s = 0x2468ace1, prev = 0;
  for (let i = 0; i < BURST_S * RATE; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const white = ((s >>> 0) / 0xffffffff) * 2 - 1;
    prev = 0.6 * prev + 0.4 * white;
    const env = 0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / RATE);
    out[i] = Math.round(prev * env * 12000);
  }
  return out;
}

function readStereo(path) {
  const b = readFileSync(path);
  let off = 12, fmt = null, data = null;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4), size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = { channels: b.readUInt16LE(off + 10), rate: b.readUInt32LE(off + 12) };
    if (id === 'data') { data = b.subarray(off + 8, Math.min(b.length, off + 8 + size)); break; }
    off += 8 + size + (size & 1);
  }
  if (!fmt || !data || fmt.channels !== 2) return null;
  const n = Math.floor(data.length / 4);
  const left = new Int16Array(n), right = new Int16Array(n);
  for (let i = 0; i < n; i++) { left[i] = data.readInt16LE(i * 4); right[i] = data.readInt16LE(i * 4 + 2); }
  return { rate: fmt.rate, left, right };
}

/** Goertzel power of `hz` relative to the window's total power (0..1) and the window's dBFS. */
function windowTone(a, from, n, rate, hz) {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0, s2 = 0, tot = 0;
  for (let i = from; i < from + n; i++) { const s0 = a[i] + k * s1 - s2; s2 = s1; s1 = s0; tot += a[i] * a[i]; }
  const p = s1 * s1 + s2 * s2 - k * s1 * s2;
  const dbfs = 20 * Math.log10(Math.max(Math.sqrt(tot / n), 1e-3) / 32768);
  return { share: tot > 0 ? (2 * p) / (n * tot) : 0, dbfs };
}

/**
 * What A heard: share of 100 ms windows with reply audio, and holes — runs of 20–80 ms of silence
 * with reply audio right before and after while the caller is silent (a frame the module failed to
 * deliver mid-reply; the short gap where the caller's next burst cuts the reply is not one).
 */
export function heardReply(path, toneHz) {
  const w = readStereo(path);
  if (!w) return null;
  const win = Math.round(w.rate / 10), blk = Math.round(w.rate / 50);
  let windows = 0, reply = 0;
  for (let i = 0; i + win <= w.left.length; i += win) {
    windows++;
    const t = windowTone(w.left, i, win, w.rate, toneHz);
    if (t.dbfs > -45 && t.share > 0.5) reply++;
  }
  const blocks = [], caller = [];
  for (let i = 0; i + blk <= w.left.length; i += blk) {
    blocks.push(windowTone(w.left, i, blk, w.rate, toneHz).dbfs > -45);
    caller.push(windowTone(w.right, i, blk, w.rate, toneHz).dbfs > -45);
  }
  let holes = 0;
  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i] || !blocks[i - 1]) continue;
    let j = i;
    while (j < blocks.length && !blocks[j]) j++;
    const callerNear = caller.slice(i, j + 5).some(Boolean);
    if (j < blocks.length && j - i <= 4 && !callerNear) holes++;
    i = j;
  }
  return { windows, reply, share: windows ? reply / windows : 0, holes, seconds: w.left.length / w.rate };
}
