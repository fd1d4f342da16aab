/**
 * Raw PCM16 little-endian bytes → int16 samples for a stream of binary frames (the raw audio
 * mode's downlink). Like `Pcm16Decoder` for base64, an odd trailing byte is carried into the next
 * frame instead of being dropped, so a server that splits frames mid-sample still plays correctly.
 * Allocation-free: the caller passes the output array.
 */
export class Pcm16ByteStream {
  /** The carried low byte (0..255), or −1 when the stream is sample-aligned. */
  #carry = -1;

  get hasPendingByte(): boolean {
    return this.#carry >= 0;
  }

  /** Samples `decode` may write for `byteLength` bytes (including a carried-in byte). */
  requiredOutputLength(byteLength: number): number {
    return (byteLength + 1) >> 1;
  }

  /** Decodes bytes[0..length) into out; returns the number of whole samples written. */
  decode(bytes: Uint8Array, length: number, out: Int16Array): number {
    if (out.length < this.requiredOutputLength(length)) {
      throw new RangeError(`Output holds ${out.length} samples, ${this.requiredOutputLength(length)} needed`);
    }
    let i = 0;
    let n = 0;
    if (this.#carry >= 0 && length > 0) {
      out[n++] = ((this.#carry | (bytes[0]! << 8)) << 16) >> 16;
      this.#carry = -1;
      i = 1;
    }
    for (; i + 1 < length; i += 2) out[n++] = ((bytes[i]! | (bytes[i + 1]! << 8)) << 16) >> 16;
    if (i < length) this.#carry = bytes[i]!;
    return n;
  }

  reset(): void {
    this.#carry = -1;
  }
}
