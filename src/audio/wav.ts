/**
 * RIFF/WAVE for 16-bit PCM: parse a file in memory, encode one, and stream one to disk.
 *
 * Reading tolerates what real tools write: extra chunks (LIST, fact, cue, …) before or after
 * `data`, odd-sized chunks with their pad byte, WAVE_FORMAT_EXTENSIBLE headers whose sub-format is
 * PCM, and a `data` size that overruns the file (a recording cut short before its header was fixed
 * up): the samples present are returned. Anything else is refused with an Error naming the reason.
 *
 * `WavFileWriter` is for debug recordings on the Node thread: it copies each chunk into a buffer
 * and writes full buffers with fs.promises, one write in flight at a time, so no call blocks the
 * event loop; `close()` patches the RIFF and data sizes.
 */

import { Buffer } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Decoded WAV contents. */
export interface WavData {
  sampleRate: number;
  channels: number;
  /** Interleaved int16 samples (frames × channels). */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const HEADER_BYTES = 44;
/** Largest data size a RIFF header can describe (its RIFF size must stay below 2^32). */
const MAX_DATA_BYTES = 0xffffffff - (HEADER_BYTES - 8);

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/**
 * Parses a 16-bit PCM WAV file. Throws an Error whose message says what is wrong or unsupported
 * (not RIFF/WAVE, compressed or float formats, other bit depths, missing chunks).
 */
export function readWav(buffer: Uint8Array): WavData {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteLength < 12 || fourcc(buffer, 0) !== 'RIFF' || fourcc(buffer, 8) !== 'WAVE') {
    throw new Error('Not a WAV file: missing RIFF/WAVE header');
  }
  let format: { sampleRate: number; channels: number; blockAlign: number } | null = null;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength) {
    const id = fourcc(buffer, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buffer.byteLength) throw new Error(`WAV fmt chunk too short (${size} bytes)`);
      let formatTag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
        // The sub-format GUID starts with the plain format tag (KSDATAFORMAT_SUBTYPE_PCM → 1).
        if (size < 40 || body + 26 > buffer.byteLength) throw new Error('WAV extensible fmt chunk too short');
        formatTag = view.getUint16(body + 24, true);
      }
      if (formatTag !== WAVE_FORMAT_PCM) {
        throw new Error(`Unsupported WAV format tag 0x${formatTag.toString(16)}: only PCM (1) is supported`);
      }
      if (bitsPerSample !== 16) {
        throw new Error(`Unsupported WAV sample size ${bitsPerSample} bits: only 16-bit PCM is supported`);
      }
      if (channels < 1) throw new Error('WAV fmt chunk declares 0 channels');
      if (sampleRate < 1) throw new Error('WAV fmt chunk declares a sample rate of 0');
      if (blockAlign !== channels * 2) {
        throw new Error(`WAV block align ${blockAlign} does not match ${channels} channel(s) of 16 bits`);
      }
      format = { sampleRate, channels, blockAlign };
    } else if (id === 'data') {
      if (format === null) throw new Error('WAV data chunk comes before the fmt chunk');
      // A size past the end of the file (or 0xFFFFFFFF from a streaming writer) means the header
      // was never fixed up: keep the whole frames that are present.
      const available = Math.min(size, buffer.byteLength - body);
      const frames = Math.floor(available / format.blockAlign);
      const count = frames * format.channels;
      const samples = new Int16Array(count);
      if (LITTLE_ENDIAN_HOST) {
        // Copy through bytes: the data may start at an odd offset, which Int16Array views forbid.
        new Uint8Array(samples.buffer).set(buffer.subarray(body, body + count * 2));
      } else {
        for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + i * 2, true);
      }
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    // Chunks are padded to an even size; the pad byte is not counted in `size`.
    offset = body + size + (size & 1);
  }
  throw new Error(format === null ? 'WAV file has no fmt chunk' : 'WAV file has no data chunk');
}

function writeHeader(target: Uint8Array, sampleRate: number, channels: number, dataBytes: number): void {
  const view = new DataView(target.buffer, target.byteOffset, HEADER_BYTES);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) target[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
}

function checkFormat(sampleRate: number, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > 0x7fff) {
    throw new RangeError(`Expected an integer 1..32767 for channels but received ${channels}`);
  }
  // The header's byte rate (sampleRate × channels × 2) is a 32-bit field.
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate * channels * 2 > 0xffffffff) {
    throw new RangeError(`Expected a positive integer for sampleRate but received ${sampleRate}`);
  }
}

/** Copies samples into `target` as little-endian bytes. */
function putSamplesLE(target: Uint8Array, offset: number, samples: Int16Array, count: number): void {
  if (LITTLE_ENDIAN_HOST) {
    target.set(new Uint8Array(samples.buffer, samples.byteOffset, count * 2), offset);
  } else {
    const view = new DataView(target.buffer, target.byteOffset);
    for (let i = 0; i < count; i++) view.setInt16(offset + i * 2, samples[i]!, true);
  }
}

/** A complete 16-bit PCM WAV file (44-byte header) holding the interleaved `samples`. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels: number): Uint8Array {
  checkFormat(sampleRate, channels);
  if (samples.length % channels !== 0) {
    throw new RangeError(`${samples.length} samples is not a whole number of ${channels}-channel frames`);
  }
  if (samples.length * 2 > MAX_DATA_BYTES) throw new RangeError('Too many samples for a WAV file');
  const out = new Uint8Array(HEADER_BYTES + samples.length * 2);
  writeHeader(out, sampleRate, channels, samples.length * 2);
  putSamplesLE(out, HEADER_BYTES, samples, samples.length);
  return out;
}

/** Options for {@link WavFileWriter}. */
export interface WavFileWriterOptions {
  /** Bytes collected before a write is issued (default 64 KiB, ~1.4 s of 24 kHz mono). */
  bufferBytes?: number;
  /** Permissions of the file (default 0o666 less the umask); an existing file is set to them too. */
  mode?: number;
}

/**
 * Streams interleaved int16 audio to a WAV file without blocking the event loop.
 *
 * `write()` copies the samples and returns at once; full buffers are written in order by one
 * asynchronous chain (if the disk lags, buffers queue up in memory rather than block). A write error is kept and rethrown by `close()` (later writes are dropped);
 * `close()` flushes, patches the header sizes and closes the file. Data past 4 GiB is not
 * recorded (a RIFF header cannot describe it).
 */
export class WavFileWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;

  readonly #bufferBytes: number;
  #current: Buffer;
  #used = 0;
  /** Buffers whose write completed, ready for reuse. */
  readonly #spare: Buffer[] = [];
  /** Bytes of audio accepted so far (what the header will declare). */
  #dataBytes = 0;
  readonly #file: Promise<FileHandle>;
  /** Tail of the write chain: every disk operation is appended here, so they run in order. */
  #chain: Promise<void>;
  /** First open or write error (kept, reported by close()). */
  #error: unknown = null;
  #closed: Promise<void> | null = null;

  constructor(path: string, sampleRate: number, channels = 1, options?: WavFileWriterOptions) {
    checkFormat(sampleRate, channels);
    const bufferBytes = options?.bufferBytes ?? 64 * 1024;
    if (!Number.isInteger(bufferBytes) || bufferBytes < 2) {
      throw new RangeError(`Expected an integer >= 2 for bufferBytes but received ${bufferBytes}`);
    }
    this.path = path;
    this.sampleRate = sampleRate;
    this.channels = channels;
    // Even, so a sample never straddles two buffers.
    this.#bufferBytes = bufferBytes & ~1;
    this.#current = Buffer.allocUnsafe(this.#bufferBytes);
    const header = Buffer.alloc(HEADER_BYTES);
    // Placeholder "unknown length" sizes (the streaming convention): a file left behind by a
    // crash before close() still reads, here and in sox/ffmpeg, up to its last whole frame.
    writeHeader(header, sampleRate, channels, MAX_DATA_BYTES);
    const mode = options?.mode;
    this.#file = open(path, 'w', mode ?? 0o666);
    // Keep an open failure from surfacing as an unhandled rejection; close() reports it.
    this.#file.catch(() => undefined);
    this.#chain = Promise.resolve();
    this.#enqueue(async (file) => {
      // open()'s mode applies only to a file it creates.
      if (mode !== undefined) await file.chmod(mode);
      await file.write(header, 0, HEADER_BYTES, 0);
    });
  }

  /**
   * Appends a disk operation to the chain. Links never reject: the first error is kept in
   * #error, later operations are skipped, and close() reports it.
   */
  #enqueue(task: (file: FileHandle) => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#error !== null) return;
      try {
        await task(await this.#file);
      } catch (error) {
        this.#error = error;
      }
    });
  }

  /** Samples (all channels) accepted so far. */
  get samplesWritten(): number {
    return this.#dataBytes / 2;
  }

  /**
   * Queues samples[0..length) (interleaved) for writing. Copies them, so the caller may reuse
   * `samples` at once. Throws if the writer is closed.
   */
  write(samples: Int16Array, length = samples.length): void {
    if (this.#closed !== null) throw new Error(`WavFileWriter for ${this.path} is closed`);
    if (!(Number.isInteger(length) && length >= 0 && length <= samples.length)) {
      throw new RangeError(`Expected an integer 0..${samples.length} for length but received ${length}`);
    }
    if (this.#error !== null) return;
    let remaining = Math.min(length, Math.floor((MAX_DATA_BYTES - this.#dataBytes) / 2));
    let from = 0;
    while (remaining > 0) {
      const room = (this.#bufferBytes - this.#used) / 2;
      const count = Math.min(room, remaining);
      putSamplesLE(this.#current, this.#used, from === 0 ? samples : samples.subarray(from), count);
      this.#used += count * 2;
      this.#dataBytes += count * 2;
      from += count;
      remaining -= count;
      if (this.#used === this.#bufferBytes) this.#flush();
    }
  }

  /** Hands the current buffer to the write chain and starts a fresh one. */
  #flush(): void {
    if (this.#used === 0) return;
    const buffer = this.#current;
    const length = this.#used;
    // File position of this buffer's first byte: everything before it is already queued.
    const position = HEADER_BYTES + this.#dataBytes - length;
    this.#current = this.#spare.pop() ?? Buffer.allocUnsafe(this.#bufferBytes);
    this.#used = 0;
    this.#enqueue(async (file) => {
      await file.write(buffer, 0, length, position);
      this.#spare.push(buffer);
    });
  }

  /**
   * Flushes the remaining samples, writes the final sizes into the header and closes the file.
   * Rejects with the first error met while opening or writing. Calling it again returns the same
   * promise.
   */
  close(): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#flush();
    const dataBytes = this.#dataBytes;
    this.#enqueue(async (file) => {
      const header = Buffer.alloc(HEADER_BYTES);
      writeHeader(header, this.sampleRate, this.channels, dataBytes);
      await file.write(header, 0, HEADER_BYTES, 0);
    });
    this.#closed = this.#chain.then(async () => {
      // The file is closed even after a write error; only an open failure leaves nothing to close.
      const file = await this.#file.catch(() => null);
      if (file !== null) await file.close();
      if (this.#error !== null) throw this.#error;
    });
    return this.#closed;
  }
}
