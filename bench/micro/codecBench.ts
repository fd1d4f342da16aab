/**
 * Throughput of the per-frame codecs on the audio path: base64 of PCM16 (uplink appends, downlink
 * deltas, with the strict validation the downlink does) and G.711 μ-law / A-law both ways. Sizes are
 * what a call moves: 20 ms appends at 24 kHz, 100 ms deltas, 20 ms G.711 frames at 8 kHz.
 */
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../../src/audio/g711.js';
import { Pcm16Decoder, encodePcm16Base64 } from '../../src/audio/pcm.js';

export interface CodecRow {
  name: string;
  /** Samples per call of the codec. */
  block: number;
  nsPerSample: number;
}

function speech(n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(8000 * Math.sin(i / 7) + 3000 * Math.sin(i / 2.3));
  return out;
}

/** CPU ns per sample of `run` (which handles `samples` samples), best of `rounds`. */
function time(samples: number, rounds: number, budgetMs: number, run: () => void): number {
  for (let i = 0; i < 200; i++) run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = process.cpuUsage();
    let used = 0;
    while (used < budgetMs * 1000) {
      for (let i = 0; i < 50; i++) run();
      n += 50 * samples;
      const u = process.cpuUsage(t0);
      used = u.user + u.system;
    }
    best = Math.min(best, (used * 1000) / n);
  }
  return best;
}

export function benchCodecs(rounds: number, budgetMs: number): CodecRow[] {
  const append = speech(480);
  const delta = speech(2400);
  const deltaB64 = encodePcm16Base64(delta, delta.length);
  const decoder = new Pcm16Decoder();
  const decoded = new Int16Array(decoder.requiredOutputLength(deltaB64.length));
  const g711In = speech(160);
  const g711 = new Uint8Array(160);
  const pcm = new Int16Array(160);
  encodeMulaw(g711In, 160, g711);
  let sink = 0;
  const rows: CodecRow[] = [
    { name: 'base64 encode (PCM16 → text)', block: 480, nsPerSample: time(480, rounds, budgetMs, () => (sink += encodePcm16Base64(append, 480).length)) },
    { name: 'base64 decode, strict (text → PCM16)', block: 2400, nsPerSample: time(2400, rounds, budgetMs, () => (sink += decoder.decode(deltaB64, decoded))) },
    { name: 'G.711 μ-law encode', block: 160, nsPerSample: time(160, rounds, budgetMs, () => (sink += encodeMulaw(g711In, 160, g711))) },
    { name: 'G.711 μ-law decode', block: 160, nsPerSample: time(160, rounds, budgetMs, () => (sink += decodeMulaw(g711, 160, pcm))) },
    { name: 'G.711 A-law encode', block: 160, nsPerSample: time(160, rounds, budgetMs, () => (sink += encodeAlaw(g711In, 160, g711))) },
    { name: 'G.711 A-law decode', block: 160, nsPerSample: time(160, rounds, budgetMs, () => (sink += decodeAlaw(g711, 160, pcm))) },
  ];
  if (sink === 0.5) console.log(sink); // keep the results alive
  return rows;
}
