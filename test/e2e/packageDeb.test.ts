/**
 * `npm run package` (scripts/package-deb.sh) builds the Debian package, inspected with dpkg-deb:
 * control fields, Debian-only dependencies, the conffile, the file layout of both layouts, and the
 * private libnode. CI has no FreeSWITCH: there the real package must fail with one clear line, and
 * the layout is checked on the explicit `--no-module` test package; where FreeSWITCH's pkg-config
 * file is visible the real package is built and its module's RUNPATH checked.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/hostSimulator.js';

const work = mkdtempSync(join(tmpdir(), 'oair-package-'));
const script = join(repoRoot, 'scripts', 'package-deb.sh');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const withFreeSwitch = spawnSync('pkg-config', ['--exists', 'freeswitch']).status === 0;
const noFreeSwitch = { ...process.env, PKG_CONFIG_PATH: '', PKG_CONFIG_LIBDIR: '/nonexistent' };

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs the packaging script (asynchronously: a build takes a while and the test worker must stay responsive). */
function build(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // gzip: the same package, faster to build and read than xz (the default). --no-ts-build: dist/ is
  // already built, and other tests read it while this one runs.
  const child = spawn('bash', [script, '--out', work, '--build-dir', join(work, `build-${args.join('-')}`), '--compression', 'gzip', '--no-ts-build', ...args], { env, cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('exit', (status) => done({ status, stdout, stderr })));
}
const BUILD_TIMEOUT_MS = 600_000;

const dpkgDeb = (...args: string[]): string => execFileSync('dpkg-deb', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const files = (deb: string): string[] => dpkgDeb('-c', deb).split('\n').map((l) => l.split(/\s+/).pop() ?? '').filter(Boolean).map((p) => p.replace(/^\./, ''));
const field = (deb: string, name: string): string => dpkgDeb('-f', deb, name).trim();

describe('npm run package', () => {
  it('without FreeSWITCH headers the real package fails with one clear line', async () => {
    const r = await build([], noFreeSwitch);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^npm run package: FreeSWITCH development files not found by pkg-config: set PKG_CONFIG_PATH=/)]);
  }, BUILD_TIMEOUT_MS);

  it('refuses an unknown layout', async () => {
    const r = await build(['--layout', 'rpm']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--layout must be signalwire or source, got 'rpm'/);
  }, BUILD_TIMEOUT_MS);

  it('SignalWire layout (--no-module test package): bundle and private libnode in /usr/lib/mod_openai_realtime, config in /etc/freeswitch as a conffile', async () => {
    const r = await build(['--no-module', '--layout', 'signalwire'], noFreeSwitch);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const deb = join(work, `freeswitch-mod-openai-realtime-nomodule_${version}_${arch}.deb`);
    expect(field(deb, 'Package')).toBe('freeswitch-mod-openai-realtime-nomodule');
    expect(field(deb, 'Version')).toBe(version);
    expect(field(deb, 'Architecture')).toBe(arch);
    expect(field(deb, 'Description')).toMatch(/not loadable/);
    // Debian packages only: libnode's libraries; never Debian's or NodeSource's Node itself.
    const depends = field(deb, 'Depends').split(/,\s*/);
    expect(depends).toEqual(expect.arrayContaining(['libuv1', 'libssl3', 'libicu72', 'libc-ares2', 'libnghttp2-14', 'zlib1g', 'libc6']));
    expect(depends.filter((d) => /nodejs|libnode|node-/.test(d))).toEqual([]);
    const list = files(deb);
    for (const f of [
      '/usr/lib/mod_openai_realtime/dist/main.js',
      '/usr/lib/mod_openai_realtime/package.json',
      '/usr/lib/mod_openai_realtime/node_modules/ws/package.json',
      '/usr/lib/mod_openai_realtime/examples/tool-handlers.mjs',
      '/usr/lib/mod_openai_realtime/lib/libnode.so.108',
      '/usr/lib/mod_openai_realtime/lib/libnode-js/acorn/dist/acorn.js',
      '/usr/lib/mod_openai_realtime/lib/libnode-js/acorn-walk/dist/walk.js',
      '/usr/lib/mod_openai_realtime/lib/libnode-js/cjs-module-lexer/lexer.js',
      '/usr/lib/mod_openai_realtime/lib/libnode-js/cjs-module-lexer/dist/lexer.js',
      '/usr/lib/mod_openai_realtime/lib/libnode-js/undici/undici-fetch.js',
      '/etc/freeswitch/autoload_configs/openai_realtime.conf.xml',
    ]) {
      expect(list, f).toContain(f);
    }
    expect(list.some((f) => f.endsWith('mod_openai_realtime.so'))).toBe(false);
    expect(list.some((f) => f.includes('/dist/cli/') || f.includes('/dist/simulator/'))).toBe(false);
    const control = join(work, 'control-signalwire');
    dpkgDeb('-e', deb, control);
    expect(readFileSync(join(control, 'conffiles'), 'utf8').trim()).toBe('/etc/freeswitch/autoload_configs/openai_realtime.conf.xml');
    // The sample points the module at the packaged bundle.
    const x = join(work, 'x-signalwire');
    dpkgDeb('-x', deb, x);
    expect(readFileSync(join(x, 'etc/freeswitch/autoload_configs/openai_realtime.conf.xml'), 'utf8')).toContain('value="/usr/lib/mod_openai_realtime"');
  }, BUILD_TIMEOUT_MS);

  it('source layout (--no-module test package): everything under /usr/local/freeswitch', async () => {
    const r = await build(['--no-module', '--layout', 'source'], noFreeSwitch);
    expect(r.status).toBe(0);
    const deb = join(work, `freeswitch-mod-openai-realtime-nomodule_${version}_${arch}.deb`);
    const list = files(deb);
    expect(list).toContain('/usr/local/freeswitch/share/mod_openai_realtime/lib/libnode.so.108');
    expect(list).toContain('/usr/local/freeswitch/conf/autoload_configs/openai_realtime.conf.xml');
    expect(list.filter((f) => !f.endsWith('/') && !f.startsWith('/usr/local/freeswitch/'))).toEqual([]);
  }, BUILD_TIMEOUT_MS);

  it.skipIf(!withFreeSwitch)('with FreeSWITCH headers: the real package, its module found through $ORIGIN only', async () => {
    const r = await build(['--layout', 'signalwire']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const deb = join(work, `freeswitch-mod-openai-realtime_${version}_${arch}.deb`);
    expect(field(deb, 'Package')).toBe('freeswitch-mod-openai-realtime');
    expect(field(deb, 'Depends')).toMatch(/libfreeswitch1/);
    expect(files(deb)).toContain('/usr/lib/freeswitch/mod/mod_openai_realtime.so');
    const x = join(work, 'x-module');
    dpkgDeb('-x', deb, x);
    const dynamic = execFileSync('readelf', ['-d', join(x, 'usr/lib/freeswitch/mod/mod_openai_realtime.so')], { encoding: 'utf8' });
    expect(dynamic).toMatch(/Library runpath: \[\$ORIGIN\/\.\.\/\.\.\/mod_openai_realtime\/lib\]/);
  }, BUILD_TIMEOUT_MS);
});
