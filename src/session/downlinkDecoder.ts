/**
 * Assistant audio → samples at the channel rate (docs/DESIGN.md §5 downlink): base64 deltas (JSON
 * mode) or binary frames (raw mode) → PCM16 with the odd byte carried across deltas of one item,
 * or G.711 decoded → resampled to the channel rate with this direction's own resampler state.
 *
 * `source` holds the decoded audio before resampling (what the debug WAV records, like the seed);
 * `output` the channel-rate samples to queue. Both are reused and grow only when a larger delta
 * than ever before arrives. Invalid base64 is a return value, never an exception; it drops the
 * odd byte carried from the delta before (what follows starts on a sample boundary).
 */
import { decodeAlaw, decodeMulaw } from '../audio/g711.js';
import { Pcm16ByteStream } from '../audio/pcm16ByteStream.js';
import { INVALID_BASE64, Pcm16Decoder, base64MaxDecodedLength, decodeBase64ToBytes } from '../audio/pcm.js';
import { Resampler } from '../audio/resampler.js';
import type { WireFormat } from './sessionFormats.js';

export { INVALID_BASE64 };

export class DownlinkDecoder {
  readonly channelRate: number;
  #format: WireFormat = { encoding: 'pcm', rate: 24000 };
  #resampler: Resampler;
  readonly #pcm = new Pcm16Decoder();
  readonly #raw = new Pcm16ByteStream();
  #bytes: Buffer = Buffer.alloc(4096);
  #source: Int16Array = new Int16Array(4096);
  #output: Int16Array = new Int16Array(4096);
  #sourceLength = 0;
  #lastError: string | null = null;

  constructor(channelRate: number) {
    this.channelRate = channelRate;
    this.#resampler = new Resampler(this.#format.rate, channelRate);
  }

  get format(): WireFormat {
    return this.#format;
  }

  /** Decoded audio of the last call, before resampling (at `format.rate`). */
  get source(): Int16Array {
    return this.#source;
  }

  get sourceLength(): number {
    return this.#sourceLength;
  }

  /** Channel-rate samples of the last call. */
  get output(): Int16Array {
    return this.#output;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** The wire format of what follows; a rate change gets a fresh resampler. */
  configure(format: WireFormat): void {
    if (format.encoding === this.#format.encoding && format.rate === this.#format.rate) return;
    if (format.rate !== this.#format.rate) this.#resampler = new Resampler(format.rate, this.channelRate);
    this.#format = format;
    this.reset();
  }

  /** Decodes one base64 delta; returns output samples, or INVALID_BASE64 (see lastError). */
  decodeBase64(b64: string): number {
    this.#sourceLength = 0;
    if (this.#format.encoding === 'pcm') {
      this.#ensureSource(this.#pcm.requiredOutputLength(b64.length));
      const n = this.#pcm.decode(b64, this.#source);
      if (n === INVALID_BASE64) {
        this.#lastError = this.#pcm.lastError;
        // The dropped delta's bytes sat between the carried byte and the next delta: pairing them
        // would shift every later sample of the item by one byte (noise). Start on a sample boundary.
        this.#pcm.reset();
        return INVALID_BASE64;
      }
      this.#sourceLength = n;
    } else {
      const maxBytes = base64MaxDecodedLength(b64.length);
      if (this.#bytes.length < maxBytes) this.#bytes = Buffer.alloc(grow(this.#bytes.length, maxBytes));
      const n = decodeBase64ToBytes(b64, this.#bytes);
      if (n === INVALID_BASE64) {
        this.#lastError = 'invalid base64';
        return INVALID_BASE64;
      }
      this.#ensureSource(n);
      if (this.#format.encoding === 'pcmu') decodeMulaw(this.#bytes, n, this.#source);
      else decodeAlaw(this.#bytes, n, this.#source);
      this.#sourceLength = n;
    }
    this.#lastError = null;
    return this.#resample(this.#sourceLength);
  }

  /** Decodes one raw binary frame of PCM16LE; returns output samples. */
  decodeBytes(bytes: Uint8Array): number {
    this.#ensureSource(this.#raw.requiredOutputLength(bytes.length));
    this.#sourceLength = this.#raw.decode(bytes, bytes.length, this.#source);
    return this.#resample(this.#sourceLength);
  }

  /**
   * End of an item: pushes zeros through the resampler so the last real samples, still inside its
   * filter, come out; then starts clean. Returns output samples (0 when not resampling).
   */
  flushTail(): number {
    this.#sourceLength = 0;
    const delay = this.#resampler.delaySamples;
    let produced = 0;
    if (delay > 0) {
      const zeros = Math.ceil(((delay + 1) * this.#format.rate) / this.channelRate) + 1;
      this.#ensureSource(zeros);
      this.#source.fill(0, 0, zeros);
      produced = this.#resample(zeros);
    }
    this.reset();
    return produced;
  }

  /** New item or barge-in: no carried byte, no resampler history. */
  reset(): void {
    this.#pcm.reset();
    this.#raw.reset();
    this.#resampler.reset();
  }

  #resample(length: number): number {
    const bound = this.#resampler.maxOutputLength(length);
    if (this.#output.length < bound) this.#output = new Int16Array(grow(this.#output.length, bound));
    return this.#resampler.process(this.#source, length, this.#output);
  }

  #ensureSource(length: number): void {
    if (this.#source.length < length) this.#source = new Int16Array(grow(this.#source.length, length));
  }
}

function grow(current: number, needed: number): number {
  let n = Math.max(current, 1);
  while (n < needed) n *= 2;
  return n;
}
