/**
 * Caller audio for the fake channels: speech-like bursts the simulator's energy VAD reacts to
 * (a tone at −12 dBFS peak, well above its −40 dBFS default threshold) separated by silence.
 */
export interface Burst {
  atMs: number;
  ms: number;
  /** Default 300 Hz. */
  freq?: number;
}

export function speechBursts(rate: number, totalMs: number, bursts: Burst[], levelDbfs = -12): Int16Array {
  const out = new Int16Array(Math.round((rate * totalMs) / 1000));
  const amplitude = 32767 * 10 ** (levelDbfs / 20);
  const ramp = Math.round(rate * 0.005);
  for (const b of bursts) {
    const start = Math.round((rate * b.atMs) / 1000);
    const length = Math.round((rate * b.ms) / 1000);
    const w = (2 * Math.PI * (b.freq ?? 300)) / rate;
    for (let i = 0; i < length && start + i < out.length; i++) {
      const gain = i < ramp ? i / ramp : i > length - ramp ? (length - i) / ramp : 1;
      out[start + i] = Math.round(amplitude * gain * Math.sin(w * i));
    }
  }
  return out;
}

/** A JSON client event as the base64 argument of send_json / stop. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** An assistant audio delta as a server sends it: PCM16 of a sine (amplitude 8000) at `rate`, base64. */
export function toneBase64(samples: number, hz = 440, rate = 24000): string {
  const pcm = Int16Array.from({ length: samples }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));
  return Buffer.from(pcm.buffer).toString('base64');
}
