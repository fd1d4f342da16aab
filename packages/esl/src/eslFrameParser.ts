/**
 * Framing of the ESL text protocol (mod_event_socket): a block of `Name: value` lines ended by an
 * empty line, then exactly `Content-Length` bytes of body when that header is present. Bytes, not
 * characters: a UTF-8 body may be split anywhere by TCP, so nothing is decoded before the whole
 * frame is here.
 */
import { Buffer } from 'node:buffer';
import { EslProtocolError } from './errors.js';

export interface EslFrame {
  /** Header names as sent (`Content-Type`, `Reply-Text`, …); values are not URL-decoded. */
  headers: Record<string, string>;
  /** The body, or null when the frame has no `Content-Length`. */
  body: Buffer | null;
}

/** A header block this long without its empty line is not ESL: stop before buffering without end. */
const MAX_HEADER_BYTES = 64 * 1024;
/** FreeSWITCH bodies are events and API replies; far below this. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const LF = 0x0a;

export class EslFrameParser {
  /** Unparsed bytes, kept as chunks so a large body is joined once, not once per TCP read. */
  #chunks: Buffer[] = [];
  #length = 0;
  /** Headers of the frame whose body is still arriving. */
  #head: { headers: Record<string, string>; length: number } | null = null;

  /** Feeds bytes; returns the frames they complete. Throws {@link EslProtocolError} on a broken stream. */
  push(chunk: Buffer): EslFrame[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
    }
    const frames: EslFrame[] = [];
    for (;;) {
      if (this.#head === null) {
        const buf = this.#flatten();
        let start = 0;
        // FreeSWITCH separates some frames with an extra newline; it belongs to no frame.
        while (start < buf.length && buf[start] === LF) start++;
        const end = buf.indexOf('\n\n', start);
        if (end < 0) {
          if (buf.length - start > MAX_HEADER_BYTES) throw new EslProtocolError('ESL header block too long');
          this.#keep(buf.subarray(start));
          break;
        }
        const headers = parseHeaders(buf.toString('utf8', start, end));
        this.#keep(buf.subarray(end + 2));
        const lengthText = headers['Content-Length'];
        if (lengthText === undefined) {
          frames.push({ headers, body: null });
          continue;
        }
        if (!/^[0-9]{1,10}$/.test(lengthText.trim())) throw new EslProtocolError(`invalid Content-Length '${lengthText}'`);
        const length = Number(lengthText.trim());
        if (length > MAX_BODY_BYTES) throw new EslProtocolError(`Content-Length ${length} too large`);
        this.#head = { headers, length };
      }
      if (this.#length < this.#head.length) break;
      const buf = this.#flatten();
      // A copy, so the frame does not pin the (possibly much larger) read buffer.
      const body = Buffer.from(buf.subarray(0, this.#head.length));
      this.#keep(buf.subarray(this.#head.length));
      frames.push({ headers: this.#head.headers, body });
      this.#head = null;
    }
    return frames;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.#length;
  }

  #flatten(): Buffer {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const buf = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [buf];
    return buf;
  }

  #keep(rest: Buffer): void {
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
