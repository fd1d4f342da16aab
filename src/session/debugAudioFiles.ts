/**
 * The debug WAV files of STREAM_DISABLE_AUDIOFILES (on by default, as the seed documents):
 * `<tmp>/<uuid>_<n>.tmp.wav` (`<tmp>`: FreeSWITCH's temp_dir, as the host reports it, else the
 * OS's temporary directory), the assistant's audio as received (decoded, before resampling, at
 * the wire rate), removed when the session ends.
 *
 * Differences from the seed, on purpose: one file per assistant ITEM (raw mode: per burst of
 * binary frames) rather than one per delta (dozens of files a second); written asynchronously
 * by WavFileWriter, never on the audio path's critical section; and bounded: only the newest
 * {@link MAX_DEBUG_FILES} files of a session are kept (older ones are deleted as new ones open);
 * and private: created 0600 (they hold call audio; the seed's were world-readable in /tmp).
 */
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavFileWriter } from '../audio/wav.js';
import type { Logger } from '../runtime/logger.js';

export const MAX_DEBUG_FILES = 20;
/** Owner read/write only. */
export const DEBUG_FILE_MODE = 0o600;

/** Where new sessions put their files: the host's temp directory once the app knows it. */
let defaultDir: string | null = null;

/** The host's temp directory (FreeSWITCH's temp_dir), or null for the OS's. Set once at start. */
export function setDebugAudioDir(dir: string | null): void {
  defaultDir = dir;
}

export function debugAudioDir(): string {
  return defaultDir ?? tmpdir();
}

interface OpenFile {
  path: string;
  writer: WavFileWriter;
}

export class DebugAudioFiles {
  readonly #uuid: string;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #files: OpenFile[] = [];
  #current: OpenFile | null = null;
  #counter = 0;
  #disposed = false;

  constructor(uuid: string, log: Logger, dir: string = debugAudioDir()) {
    this.#uuid = uuid;
    this.#dir = dir;
    this.#log = log;
  }

  /** Path of the file being written, or null. */
  get currentPath(): string | null {
    return this.#current?.path ?? null;
  }

  /** Starts a new file at `sampleRate`; returns its path. */
  open(sampleRate: number): string {
    this.finishCurrent();
    // The uuid is a FreeSWITCH uuid, but never let it name a path outside the directory.
    const safe = this.#uuid.replace(/[^A-Za-z0-9_-]/g, '_');
    const path = join(this.#dir, `${safe}_${this.#counter++}.tmp.wav`);
    const file = { path, writer: new WavFileWriter(path, sampleRate, 1, { mode: DEBUG_FILE_MODE }) };
    this.#files.push(file);
    this.#current = file;
    while (this.#files.length > MAX_DEBUG_FILES) this.#remove(this.#files.shift()!);
    return path;
  }

  write(samples: Int16Array, length: number): void {
    if (this.#current && !this.#disposed && length > 0) this.#current.writer.write(samples, length);
  }

  /** The current item ended: its file is complete. */
  finishCurrent(): void {
    const file = this.#current;
    this.#current = null;
    if (file) file.writer.close().catch((err: unknown) => this.#log.warning(`debug audio file ${file.path}: ${String(err)}`));
  }

  /** Closes and deletes every file of the session. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#current = null;
    await Promise.all(this.#files.splice(0).map((f) => this.#remove(f)));
  }

  async #remove(file: OpenFile): Promise<void> {
    await file.writer.close().catch(() => undefined);
    await unlink(file.path).catch(() => undefined);
  }
}
