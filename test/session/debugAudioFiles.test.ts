// What this proves: debug WAV files are named <uuid>_<n>.tmp.wav, only the newest 20 of a session
// are kept, they are readable by their owner only (0600: they hold call audio), and they are all
// removed when the session ends.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWav } from '../../src/audio/wav.js';
import { log } from '../../src/runtime/logger.js';
import { DebugAudioFiles, MAX_DEBUG_FILES, setDebugAudioDir } from '../../src/session/debugAudioFiles.js';
import { sleep } from '../helpers/inProcessHost.js';

const dir = mkdtempSync(join(tmpdir(), 'oair-debugfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DebugAudioFiles', () => {
  it('writes one file per item, keeps the newest, deletes all at the end', async () => {
    const files = new DebugAudioFiles('abc-123', log, dir);
    const paths: string[] = [];
    for (let i = 0; i < MAX_DEBUG_FILES + 5; i++) {
      paths.push(files.open(24000));
      files.write(Int16Array.from([i, i + 1, i + 2]), 3);
    }
    files.finishCurrent();
    await sleep(100);
    expect(paths[0]).toBe(join(dir, 'abc-123_0.tmp.wav'));
    expect(paths.filter((p) => existsSync(p))).toEqual(paths.slice(5));
    const last = readWav(readFileSync(paths[paths.length - 1]!));
    expect(last.sampleRate).toBe(24000);
    expect(Array.from(last.samples)).toEqual([24, 25, 26]);
    await files.dispose();
    expect(paths.filter((p) => existsSync(p))).toEqual([]);
  });

  it('creates its files 0600, even over a world-readable leftover of the same name', async () => {
    const leftover = join(dir, 'perm-uuid_1.tmp.wav');
    writeFileSync(leftover, 'old');
    chmodSync(leftover, 0o644);
    const files = new DebugAudioFiles('perm-uuid', log, dir);
    const first = files.open(24000);
    files.write(Int16Array.from([1, 2, 3]), 3);
    const second = files.open(16000);
    files.write(Int16Array.from([4, 5]), 2);
    files.finishCurrent();
    await sleep(100);
    expect(second).toBe(leftover);
    for (const path of [first, second]) expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Array.from(readWav(readFileSync(second)).samples)).toEqual([4, 5]);
    await files.dispose();
  });

  it("new sessions write in the host's temp directory (FreeSWITCH's temp_dir) once it is known, 0600", async () => {
    const hostTemp = mkdtempSync(join(tmpdir(), 'oair-fs-temp-'));
    setDebugAudioDir(hostTemp);
    try {
      const files = new DebugAudioFiles('uuid-temp-dir', log);
      const path = files.open(24000);
      expect(path).toBe(join(hostTemp, 'uuid-temp-dir_0.tmp.wav'));
      files.write(new Int16Array(480), 480);
      files.finishCurrent();
      await sleep(100);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      await files.dispose();
      expect(existsSync(path)).toBe(false);
    } finally {
      setDebugAudioDir(null);
      rmSync(hostTemp, { recursive: true, force: true });
    }
    const osFiles = new DebugAudioFiles('uuid-os-temp', log);
    expect(osFiles.open(24000).startsWith(tmpdir())).toBe(true);
    await osFiles.dispose();
  });
});
