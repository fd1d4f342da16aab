// UplinkEncoder (src/session/uplinkEncoder.ts): caller frames of any ptime become chunks of exactly
// STREAM_BUFFER_SIZE ms, in the session's input format, with nothing lost or repeated at chunk edges.
import { describe, expect, it } from 'vitest';
import { linearToAlaw, linearToMulaw } from '../../src/audio/g711.js';
import { UplinkEncoder } from '../../src/session/uplinkEncoder.js';

function sink() {
  const texts: string[] = [];
  const binaries: Uint8Array[] = [];
  return { texts, binaries, sink: { text: (t: string) => texts.push(t), binary: (b: Uint8Array) => binaries.push(b) } };
}

const appendAudio = (text: string): Buffer => {
  const event = JSON.parse(text) as { type: string; audio: string };
  expect(event.type).toBe('input_audio_buffer.append');
  return Buffer.from(event.audio, 'base64');
};

function pcmOf(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) out.push(bytes.readInt16LE(i));
  return out;
}

describe('UplinkEncoder', () => {
  it('30 ms frames into 20 ms chunks: every chunk the same size, the samples in order, the rest carried over', () => {
    const { texts, sink: s } = sink();
    const enc = new UplinkEncoder(24000, 1, 20, s);
    enc.configure({ mode: 'json', format: { encoding: 'pcm', rate: 24000 } });
    let next = 0;
    for (let f = 0; f < 4; f++) {
      const frame = Int16Array.from({ length: 720 }, () => next++);
      enc.push(frame, frame.length);
    }
    // 4 × 30 ms = 120 ms: six 20 ms chunks of 480 samples.
    expect(texts).toHaveLength(6);
    const all = texts.flatMap((t) => pcmOf(appendAudio(t)));
    expect(all).toEqual(Array.from({ length: 2880 }, (_, i) => i));
    expect(enc.chunksSent).toBe(6);
    expect(enc.sentMs).toBe(120);
  });

  it('G.711 μ-law and A-law at 8 kHz: one byte per sample, the G.711 of the input', () => {
    for (const [encoding, encode] of [
      ['pcmu', linearToMulaw],
      ['pcma', linearToAlaw],
    ] as const) {
      const { texts, sink: s } = sink();
      const enc = new UplinkEncoder(8000, 1, 20, s);
      enc.configure({ mode: 'json', format: { encoding, rate: 8000 } });
      const frame = Int16Array.from({ length: 160 }, (_, i) => (i - 80) * 300);
      enc.push(frame, 160);
      expect([...appendAudio(texts[0]!)]).toEqual([...frame].map((v) => encode(v)));
    }
  });

  it('stereo capture: JSON mode mixes down to the average of both legs; raw mode keeps them interleaved', () => {
    const frame = Int16Array.from({ length: 320 }, (_, i) => (i % 2 === 0 ? 1000 : 3000));
    const json = sink();
    const down = new UplinkEncoder(8000, 2, 20, json.sink);
    down.configure({ mode: 'json', format: { encoding: 'pcm', rate: 8000 } });
    expect(down.downmixing).toBe(true);
    down.push(frame, 320);
    expect(pcmOf(appendAudio(json.texts[0]!))).toEqual(new Array(160).fill(2000));

    const raw = sink();
    const keep = new UplinkEncoder(8000, 2, 20, raw.sink);
    keep.configure({ mode: 'raw', rate: 8000 });
    expect(keep.downmixing).toBe(false);
    keep.push(frame, 320);
    expect(pcmOf(Buffer.from(raw.binaries[0]!))).toEqual([...frame]);
  });

  it('resamples 8 kHz caller audio to the 24 kHz the API takes: three times the samples per chunk', () => {
    const { texts, sink: s } = sink();
    const enc = new UplinkEncoder(8000, 1, 20, s);
    enc.configure({ mode: 'json', format: { encoding: 'pcm', rate: 24000 } });
    for (let f = 0; f < 5; f++) enc.push(new Int16Array(160).fill(1000), 160);
    const lengths = texts.map((t) => appendAudio(t).length / 2);
    expect(lengths.reduce((a, b) => a + b, 0)).toBeGreaterThan(5 * 480 - 100); // all but the filter's delay
    expect(lengths.slice(1).every((n) => Math.abs(n - 480) <= 1)).toBe(true);
  });

  it('discard drops the partial chunk; flush sends it short; nothing goes out before a target is set', () => {
    const { texts, sink: s } = sink();
    const enc = new UplinkEncoder(8000, 1, 20, s);
    enc.push(new Int16Array(160), 160);
    expect(texts).toHaveLength(0);
    enc.configure({ mode: 'json', format: { encoding: 'pcmu', rate: 8000 } });
    enc.push(new Int16Array(100).fill(5), 100);
    enc.discard();
    enc.push(new Int16Array(100).fill(7), 100);
    enc.flush();
    expect(texts).toHaveLength(1);
    expect([...appendAudio(texts[0]!)]).toEqual(new Array(100).fill(linearToMulaw(7)));
  });
});
