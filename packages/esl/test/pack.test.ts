/**
 * The package as an application gets it: `npm pack`, then `npm install <tarball>` into an empty
 * app (offline: the package has no dependencies, so nothing is fetched and nothing is compiled), then
 * the app imports the client by its name, connects to a real ESL server on a socket and starts a
 * stream; and TypeScript type-checks the app against the installed declarations.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEslServer } from './helpers/fakeEslServer.js';

const packageDir = resolve(import.meta.dirname, '..');
const repoRoot = resolve(packageDir, '..', '..');
const UUID = '2f1c7c9e-5a3b-4c1d-9e8f-0a1b2c3d4e5f';
const work = mkdtempSync(join(tmpdir(), 'oair-esl-pack-'));
const app = join(work, 'app');
let tarball = '';
let packedFiles: string[] = [];

const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  // --ignore-scripts: dist/ is already built (npm run build:ts); prepack's tsc would rewrite it while
  // other tests import it. A user's `npm pack` runs prepack and compiles first.
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], packageDir)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'esl-app', version: '1.0.0', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack + npm install of @mod-openai-realtime/esl', () => {
  it('packs the compiled client, its declarations and README, and no sources or tests', () => {
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('README.md');
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packedFiles.filter((f) => f.startsWith('test/'))).toEqual([]);
  });

  it('installs without running a build: nothing but the package lands in the app', () => {
    expect(readdirSync(join(app, 'node_modules'))).toEqual(['.package-lock.json', '@mod-openai-realtime']);
  });

  it('an app imports it by name, connects and starts a stream', async () => {
    const server = await FakeEslServer.start();
    try {
      writeFileSync(
        join(app, 'main.mjs'),
        `import { OpenAIRealtimeClient, EslArgumentError } from '@mod-openai-realtime/esl';
const client = new OpenAIRealtimeClient();
await client.connect('127.0.0.1', Number(process.env.ESL_PORT), 'ClueCon');
const reply = await client.start(process.env.CALL_UUID, { url: 'profile:openai', mix: 'mono' });
let refused = '';
try { await client.pause('not-a-uuid'); } catch (err) { refused = err instanceof EslArgumentError ? 'EslArgumentError' : String(err); }
console.log(JSON.stringify({ reply, refused }));
await client.close();
`,
      );
      const out = await new Promise<string>((done, fail) => {
        const child = spawn(process.execPath, ['main.mjs'], { cwd: app, env: { ...process.env, ESL_PORT: String(server.port), CALL_UUID: UUID } });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.on('error', fail);
        child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`exit ${code}: ${text}`))));
      });
      expect(JSON.parse(out)).toEqual({ reply: '+OK Success', refused: 'EslArgumentError' });
      expect(server.apiCommands).toEqual([`uuid_openai_audio_stream ${UUID} start profile:openai mono`]);
    } finally {
      await server.close();
    }
  });

  it('its declarations type-check an app (and catch a wrong call)', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules', '@types')] },
        files: ['good.ts'],
      }),
    );
    writeFileSync(
      join(app, 'good.ts'),
      `import { OpenAIRealtimeClient, type FunctionCallNotice } from '@mod-openai-realtime/esl';
const client = new OpenAIRealtimeClient();
client.on('functionCall', (call: FunctionCallNotice) => void client.sendFunctionResult(call.uuid, call.callId, { ok: true }));
export const started: Promise<string> = client.start('u', { url: 'profile:openai', mix: 'mono' });
`,
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    writeFileSync(join(app, 'good.ts'), `import { OpenAIRealtimeClient } from '@mod-openai-realtime/esl';\nexport const n: number = new OpenAIRealtimeClient().start('u', { mix: 'mono' });\n`);
    let errors = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    } catch (err) {
      errors = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(errors).toMatch(/error TS2322|error TS2741|error TS2345/);
  });
});
