/**
 * Reads a small regular file synchronously: the configuration file and key files. Synchronous on
 * purpose: the configuration is read before the module serves its first command and on an
 * operator's reload, both rare, and both read a few kilobytes from local disk (FreeSWITCH's own
 * `reloadxml` blocks the same way). The file is opened non-blocking and checked to be a regular
 * file before it is read, so a FIFO or a device named by mistake cannot hang the JS thread.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type SmallFile = { ok: true; data: Buffer; mode: number } | { ok: false; code: string; problem: string };

export function readSmallFile(path: string, maxBytes: number): SmallFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, problem: `cannot open '${path}' (${code})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, code: 'ENOTFILE', problem: `'${path}' is not a regular file` };
    if (st.size > maxBytes) return { ok: false, code: 'EFBIG', problem: `'${path}' is larger than ${maxBytes} bytes` };
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) return { ok: false, code: 'EFBIG', problem: `'${path}' is larger than ${maxBytes} bytes` };
    }
    return { ok: true, data: buf.subarray(0, n), mode: st.mode & 0o7777 };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, code, problem: `cannot read '${path}' (${code})` };
  } finally {
    closeSync(fd);
  }
}

/** `0644` style, for messages. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
