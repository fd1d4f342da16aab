/**
 * examples/esl-tool-call.ts as shipped, against a real ESL server on a real socket
 * (packages/esl/test/helpers/fakeEslServer.ts): it imports the ESL client by its package name, the
 * way an application does, starts the stream, declares the tool and answers get_weather.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeEslServer } from '../../packages/esl/test/helpers/fakeEslServer.js';
import { repoRoot } from '../helpers/hostSimulator.js';

const UUID = '2f1c7c9e-5a3b-4c1d-9e8f-0a1b2c3d4e5f';
const decodeB64 = (b64: string): unknown => JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
const weatherCall = {
  id: 'item_1',
  object: 'realtime.item',
  type: 'function_call',
  status: 'completed',
  name: 'get_weather',
  call_id: 'call_abc',
  arguments: '{"location":"Paris","scale":"celsius"}',
};
const outputItemDone = (item: Record<string, unknown>): string =>
  JSON.stringify({ type: 'response.output_item.done', event_id: 'ev_1', response_id: 'resp_1', output_index: 0, item });

let server: FakeEslServer;
beforeEach(async () => {
  server = await FakeEslServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('examples/esl-tool-call.ts', () => {
  it('runs as shipped: starts the stream, declares the tool, answers get_weather with two commands', async () => {
    const root = `${repoRoot}/`;
    const child = spawn(process.execPath, [`${root}node_modules/.bin/vite-node`, 'examples/esl-tool-call.ts'], {
      cwd: root,
      env: { ...process.env, ESL_HOST: server.host, ESL_PORT: String(server.port), ESL_PASSWORD: server.password, CALL_UUID: UUID },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await server.waitFor(() => server.apiCommands.length === 1);
      expect(server.apiCommands[0]).toBe(`uuid_openai_audio_stream ${UUID} start wss://api.openai.com/v1/realtime?model=gpt-realtime mono 24000`);

      await server.pushCustom('mod_openai_audio_stream::connect', { 'Unique-ID': UUID }, '{"status":"connected"}');
      await server.waitFor(() => server.apiCommands.length === 2);
      const update = decodeB64(server.apiCommands[1]!.split(' ')[3]!) as { type: string; session: { type: string; tools: { name: string }[] } };
      expect(update.type).toBe('session.update');
      expect(update.session.type).toBe('realtime');
      expect(update.session.tools.map((t) => t.name)).toEqual(['get_weather']);

      await server.pushCustom('mod_openai_audio_stream::json', { 'Unique-ID': UUID }, outputItemDone(weatherCall));
      await server.waitFor(() => server.apiCommands.length === 4);
      const [result, create] = server.apiCommands.slice(2).map((c) => decodeB64(c.split(' ')[3]!)) as [
        { type: string; item: { type: string; call_id: string; output: string } },
        unknown,
      ];
      expect(result.type).toBe('conversation.item.create');
      expect(result.item).toMatchObject({ type: 'function_call_output', call_id: 'call_abc' });
      expect(JSON.parse(result.item.output)).toMatchObject({ location: 'Paris', scale: 'celsius', temperature: expect.any(Number) });
      expect(create).toEqual({ type: 'response.create' });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(output).toContain('get_weather(Paris, celsius)');
  });
});
