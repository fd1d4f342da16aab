/**
 * `cmake --install` is self-contained: a fresh build tree is installed (DESTDIR, a temporary
 * prefix), the build tree is deleted, and the installed host simulator still loads its private
 * libnode through its $ORIGIN RUNPATH, finds libnode's JS builtins in the private copy with
 * /usr/share/nodejs hidden, and runs a real call against the realtime simulator. `ldd` resolves
 * nothing into the checkout. Where FreeSWITCH is found, the module is built and checked the same way
 * (RUNPATH and ldd only: loading it needs FreeSWITCH).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { parseCallRecord } from '../../src/cli/callRecord.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { repoRoot } from '../helpers/hostSimulator.js';

const work = mkdtempSync(join(tmpdir(), 'oair-install-'));
const build = join(work, 'build');
const stage = join(work, 'stage');
const prefix = '/opt/oair-install-test';

/** The LIBNODE_ROOT setup.sh configured build-native with (its unpack, or / for a system libnode). */
function libnodeRoot(): string {
  const cache = join(repoRoot, 'build-native', 'CMakeCache.txt');
  const line = existsSync(cache) ? readFileSync(cache, 'utf8').match(/^LIBNODE_ROOT:PATH=(.*)$/m) : null;
  return line?.[1] ?? join(repoRoot, '.deps', 'libnode');
}

function cacheValue(name: string): string {
  return readFileSync(join(build, 'CMakeCache.txt'), 'utf8').match(new RegExp(`^${name}:[A-Z]+=(.*)$`, 'm'))?.[1] ?? '';
}

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

/** Can this machine hide /usr/share/nodejs from one process (a private mount namespace)? */
const canHide = spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs none /usr/share/nodejs 2>/dev/null || mount -t tmpfs none /mnt'], { stdio: 'ignore' }).status === 0;

/**
 * Runs the installed simulator, with /usr/share/nodejs an empty directory when the machine allows it.
 * Asynchronous: the realtime simulator it talks to runs in this process's event loop.
 */
function runInstalled(sim: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  const hide = canHide && existsSync('/usr/share/nodejs');
  const quoted = [sim, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = hide
    ? spawn('unshare', ['--mount', 'sh', '-c', `mount -t tmpfs none /usr/share/nodejs && exec ${quoted}`], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(sim, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('exit', (status) => done({ status, stderr })));
}

let installedSim = '';
let bundleDir = '';
let privateLibdir = '';
let moduleSo = '';
/** FreeSWITCH's pkg-config file is visible (PKG_CONFIG_PATH): the module is built and checked too. */
const withModule = spawnSync('pkg-config', ['--exists', 'freeswitch']).status === 0;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(() => {
  const configure = ['-S', repoRoot, '-B', build, `-DLIBNODE_ROOT=${libnodeRoot()}`, '-DOAIR_INSTALL_SIMULATOR=ON', `-DCMAKE_INSTALL_PREFIX=${prefix}`];
  run('cmake', configure);
  const targets = ['oair-sim'];
  if (withModule) targets.push('mod_openai_realtime');
  run('nice', ['cmake', '--build', build, '-j2', '--target', ...targets]);
  bundleDir = join(stage, cacheValue('OAIR_BUNDLE_DIR'));
  privateLibdir = join(stage, cacheValue('OAIR_PRIVATE_LIBDIR'));
  installedSim = join(stage, cacheValue('OAIR_SIMULATOR_DIR'), 'oair-sim');
  if (withModule) moduleSo = join(stage, cacheValue('OAIR_FS_MODULESDIR'), 'mod_openai_realtime.so');
  run('cmake', ['--install', build], { ...process.env, DESTDIR: stage });
  // The build tree is gone: nothing may still come from it.
  rmSync(build, { recursive: true, force: true });
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function runpathOf(file: string): string[] {
  const m = run('readelf', ['-d', file]).match(/\((?:RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[(.*)\]/);
  return m ? m[1]!.split(':').filter(Boolean) : [];
}

describe('cmake --install lays out a self-contained runtime', () => {
  it('installs the bundle, the private libnode and its four JS packages, and the simulator', () => {
    for (const f of ['dist/main.js', 'package.json', 'node_modules/ws/package.json', 'node_modules/prom-client/package.json', 'node_modules/tdigest/package.json', 'node_modules/@opentelemetry/api/package.json', 'examples/tool-handlers.mjs']) expect(existsSync(join(bundleDir, f)), f).toBe(true);
    for (const f of ['libnode.so.108', 'libnode-js/acorn/dist/acorn.js', 'libnode-js/acorn-walk/dist/walk.js', 'libnode-js/cjs-module-lexer/lexer.js', 'libnode-js/cjs-module-lexer/dist/lexer.js', 'libnode-js/undici/undici-fetch.js']) {
      expect(existsSync(join(privateLibdir, f)), f).toBe(true);
    }
    expect(existsSync(installedSim)).toBe(true);
    // Tools of the checkout are not part of the runtime bundle.
    expect(existsSync(join(bundleDir, 'dist', 'cli'))).toBe(false);
  });

  it('the simulator finds libnode through $ORIGIN, and ldd resolves nothing into the checkout', () => {
    expect(runpathOf(installedSim)).toEqual(['$ORIGIN/../lib']);
    const ldd = run('ldd', [installedSim]);
    expect(ldd).not.toMatch(/not found/);
    expect(ldd).toMatch(new RegExp(`libnode\\.so\\.108 => ${escape(stage)}/\\S*/libnode\\.so\\.108`));
    expect(ldd.includes(repoRoot)).toBe(false);
    expect(ldd.includes(build)).toBe(false);
  });

  it.skipIf(!withModule)('the module (FreeSWITCH found) finds libnode through $ORIGIN too', () => {
    const rpath = runpathOf(moduleSo);
    expect(rpath[0]).toMatch(/^\$ORIGIN\//);
    expect(rpath.some((p) => p.startsWith(repoRoot))).toBe(false);
    const ldd = run('ldd', [moduleSo]);
    expect(ldd).toMatch(new RegExp(`libnode\\.so\\.108 => ${escape(stage)}/\\S*/libnode\\.so\\.108`));
    expect(ldd.includes(repoRoot)).toBe(false);
  });

  it('the installed simulator runs a call from the installed bundle, with /usr/share/nodejs hidden', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
    try {
      const caller = new Int16Array(8000);
      for (let i = 0; i < caller.length; i++) caller[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
      writeFileSync(join(work, 'caller.wav'), encodeWav(caller, 8000, 1));
      writeFileSync(join(work, 'call.script'), '0 start ${url} mono\n0 openai_realtime status\n1500 hangup\n');
      const events = join(work, 'events.jsonl');
      const r = await runInstalled(installedSim, [
        '--bundle', bundleDir, '--caller', join(work, 'caller.wav'), '--reply', join(work, 'reply.wav'), '--events', events,
        '--script', join(work, 'call.script'), '--url', sim.url, '--speed', '4',
      ]);
      expect(r.stderr).not.toMatch(/Cannot load externalized builtin/);
      expect(r.status).toBe(0);
      const record = parseCallRecord(readFileSync(events, 'utf8'));
      expect(record.some((l) => l.kind === 'log' && /runtime ready on simulator: node v18\./.test(l.message ?? ''))).toBe(true);
      expect(record.some((l) => l.kind === 'event' && l.subclass === 'mod_openai_audio_stream::connect')).toBe(true);
      expect(sim.connections).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });

  it.skipIf(!canHide)('without the private copy (and /usr/share/nodejs hidden) libnode cannot start: the copy is what is used', async () => {
    const moved = join(privateLibdir, 'libnode-js.moved');
    renameSync(join(privateLibdir, 'libnode-js'), moved);
    try {
      writeFileSync(join(work, 'status.script'), '0 openai_realtime status\n100 hangup\n');
      const r = await runInstalled(installedSim, [
        '--bundle', bundleDir, '--caller', join(work, 'caller.wav'), '--reply', join(work, 'reply2.wav'), '--events', join(work, 'events2.jsonl'),
        '--script', join(work, 'status.script'), '--url', 'ws://127.0.0.1:9',
      ]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Cannot load externalized builtin/);
    } finally {
      renameSync(moved, join(privateLibdir, 'libnode-js'));
    }
  });
});

describe('configure', () => {
  it('a changed -DLIBNODE_ROOT is searched again instead of the cached libnode', () => {
    const dir = join(work, 'reconfigure');
    run('cmake', ['-S', repoRoot, '-B', dir, `-DLIBNODE_ROOT=${libnodeRoot()}`]);
    const r = spawnSync('cmake', ['-S', repoRoot, '-B', dir, '-DLIBNODE_ROOT=/nonexistent-libnode'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/libnode 18 not found \(LIBNODE_ROOT=\/nonexistent-libnode\)/);
  });
});
