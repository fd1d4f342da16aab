/**
 * Reads the simulator's own voice assets: RIFF/WAVE, PCM 16-bit. Only what assets/voice/ needs;
 * src/audio/wav.ts is the project's general WAV code (another engineer's), kept separate so the
 * simulator can load its voice without it.
 */

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved if channels > 1. */
  samples: Int16Array;
}

export function parseWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');

  let sampleRate = 0;
  let channels = 0;
  let bitsPerSample = 0;
  let formatTag = 0;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      formatTag = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bitsPerSample = view.getUint16(body + 14, true);
    } else if (id === 'data') {
      // 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE (assumed PCM sub-format).
      if ((formatTag !== 1 && formatTag !== 0xfffe) || bitsPerSample !== 16) {
        throw new Error(`unsupported WAV encoding (format ${formatTag}, ${bitsPerSample} bits)`);
      }
      const length = Math.min(size, bytes.length - body) >> 1;
      const samples = new Int16Array(length);
      for (let i = 0; i < length; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { sampleRate, channels, samples };
    }
    // Chunks are padded to an even size.
    offset = body + size + (size & 1);
  }
  throw new Error('WAV file has no data chunk');
}
