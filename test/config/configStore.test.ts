// What this proves: the ConfigStore serves defaults without a file, reloads the file so that NEW
// sessions get the new profiles while a running session keeps (unchanged) the object it holds,
// keeps the previous configuration on a failed reload with a clear, logged error, and reports the
// settings that only apply when the module is loaded again.
import { unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/configStore.js';
import { DEFAULT_SETTINGS } from '../../src/config/moduleSettings.js';
import { captureLog, configText, KEYS, tempDir, type TempDir } from '../helpers/configFixtures.js';

let t: TempDir;
beforeAll(() => {
  t = tempDir();
});
afterAll(() => t.remove());

const profile = (name: string, model: string, extra = '') =>
  `    <profile name="${name}">\n      <param name="url" value="wss://api.openai.com/v1/realtime?model=${model}"/>\n      <param name="api-key-env" value="K"/>\n${extra}    </profile>\n`;
const env = { K: KEYS.env };

describe('ConfigStore', () => {
  it('holds the defaults and no profiles without a file', () => {
    const log = captureLog();
    const none = new ConfigStore(null, { logger: log });
    expect(none.settings).toEqual(DEFAULT_SETTINGS);
    expect(none.profileNames()).toEqual([]);
    expect(none.reload()).toMatchObject({ ok: true, file: null, profiles: [] });

    const missing = new ConfigStore(t.path('absent.xml'), { logger: log });
    expect(missing.settings).toEqual(DEFAULT_SETTINGS);
    expect(missing.profile('openai')).toBeUndefined();
    expect(missing.lastError).toBeNull();
    expect(log.lines.some((l) => l.level === 'notice' && l.message.includes('not found: built-in defaults'))).toBe(true);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('reload: new sessions get the new profiles; a running session keeps the object it holds, unchanged', () => {
    const file = t.write('reload.xml', configText(profile('openai', 'gpt-realtime', '      <param name="heartbeat-s" value="5"/>\n')));
    const log = captureLog();
    const store = new ConfigStore(file, { env, logger: log });
    const running = store.profile('openai')!; // what a session started now would keep
    const snapshot = JSON.stringify(running);

    writeFileSync(file, configText(profile('openai', 'gpt-realtime-mini') + profile('second', 'gpt-realtime'), '    <param name="max-sessions" value="10"/>\n'));
    const result = store.reload();
    expect(result).toEqual({ ok: true, file, profiles: ['openai', 'second'], warnings: [], restartRequired: [] });

    expect(store.profile('openai')!.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime-mini');
    expect(store.profile('openai')!.heartbeatS).toBe(0);
    expect(store.profile('second')).toBeDefined();
    expect(store.settings.maxSessions).toBe(10);
    // The running session's profile is another object, untouched.
    expect(store.profile('openai')).not.toBe(running);
    expect(running.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(running.heartbeatS).toBe(5);
    expect(JSON.stringify(running)).toBe(snapshot);
    expect(Object.isFrozen(running)).toBe(true);
    expect(log.lines.some((l) => l.level === 'notice' && l.message === `configuration loaded from ${file}: 2 profiles (openai, second)`)).toBe(true);
  });

  it('reload failure: the previous profiles stay, the error is logged and returned, and names the place', () => {
    const file = t.write('fail.xml', configText(profile('openai', 'gpt-realtime')));
    const log = captureLog();
    const store = new ConfigStore(file, { env, logger: log });
    const before = store.current;

    writeFileSync(file, configText(profile('openai', 'gpt-realtime', `      <param name="api-key" value="${KEYS.inline}"/>\n`)));
    const result = store.reload();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe(`${file}:8: profile "openai", param "api-key": more than one key source (api-key-env, api-key): set exactly one; the previous configuration stays in use`);
    expect(result.error).not.toContain(KEYS.inline);
    expect(store.current).toBe(before);
    expect(store.profile('openai')!.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(store.lastError).toBe(result.error);
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([{ level: 'error', message: `configuration not loaded: ${result.error}` }]);

    // An emptied or removed file is a failure too once one was loaded.
    writeFileSync(file, '');
    expect(store.reload()).toMatchObject({ ok: false, error: expect.stringContaining(`${file}:1: invalid XML`) });
    unlinkSync(file);
    expect(store.reload()).toMatchObject({ ok: false, error: expect.stringContaining('(ENOENT); the previous configuration stays in use') });
    expect(store.current).toBe(before);

    // Fixed: the next reload succeeds and clears the error.
    writeFileSync(file, configText(profile('openai', 'gpt-realtime-2')));
    expect(store.reload()).toMatchObject({ ok: true });
    expect(store.lastError).toBeNull();
    expect(store.profile('openai')!.url).toContain('gpt-realtime-2');
  });

  it('an invalid file at start gives the defaults and the error; reload picks up the fixed file', () => {
    const file = t.write('bad-at-start.xml', '<configuration name="openai_realtime.conf">\n<settings>\n');
    const log = captureLog();
    const store = new ConfigStore(file, { env, logger: log });
    expect(store.profileNames()).toEqual([]);
    expect(store.settings).toEqual(DEFAULT_SETTINGS);
    expect(store.lastError).toContain(`${file}:3: invalid XML`);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);

    writeFileSync(file, configText(profile('openai', 'gpt-realtime')));
    expect(store.reload()).toMatchObject({ ok: true, profiles: ['openai'] });
  });

  it('reports settings that need the module to be loaded again', () => {
    const file = t.write('restart.xml', configText('', '    <param name="workers" value="2"/>\n'));
    const log = captureLog();
    const store = new ConfigStore(file, { logger: log });
    writeFileSync(file, configText('', '    <param name="workers" value="4"/>\n    <param name="heap-limit-mb" value="256"/>\n    <param name="stats-interval-s" value="60"/>\n'));
    const result = store.reload();
    expect(result).toMatchObject({ ok: true, restartRequired: ['heap-limit-mb', 'workers'] });
    expect(store.settings.workers).toBe(4);
    expect(store.settings.statsIntervalS).toBe(60);
    expect(log.lines.some((l) => l.message.includes('heap-limit-mb, workers changed; they apply when the module is loaded again'))).toBe(true);
  });

  it('logs load warnings (a key file readable by others) without the key', () => {
    const keyFile = t.write('wide.key', KEYS.file, 0o644);
    const file = t.write(
      'warn.xml',
      configText(`    <profile name="p">\n      <param name="url" value="wss://h/v1"/>\n      <param name="api-key-file" value="${keyFile}"/>\n    </profile>\n`),
    );
    const log = captureLog();
    const store = new ConfigStore(file, { logger: log });
    expect(store.profile('p')!.key!.reveal()).toBe(KEYS.file);
    const warnings = log.lines.filter((l) => l.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(keyFile);
    expect(warnings[0]!.message).not.toContain(KEYS.file);
  });
});
