/**
 * The realtime simulator calls tools the way a conversation asks for them: a user text message
 * naming a declared function gets a function call with arguments made from the tool's schema, and
 * the reply after the `function_call_output` quotes that output. Also OpenAI's own Node SDK
 * (`openai`, its realtime `ws` client, which only connects over wss://) against the simulator's
 * TLS mode, doing the same round trip.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeProbeClient, RealtimeSimulator } from '../../src/simulator/index.js';
import { repoRoot } from '../helpers/hostSimulator.js';

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather at a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'City, e.g. "Paris"' }, scale: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['location', 'scale'],
  },
};
const OUTPUT = '{"location":"Paris","temperature":21,"scale":"celsius","conditions":"sunny"}';
const sims: RealtimeSimulator[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

describe('a user message that names a tool', () => {
  it('gets a function call with schema arguments, and the next reply quotes the function_call_output', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
    sims.push(sim);
    const client = await RealtimeProbeClient.connect(sim.url);
    try {
      await client.waitFor('session.created');
      client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [WEATHER_TOOL] } });
      await client.waitFor('session.updated');
      client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Is it sunny? Use get_weather.' }] } });
      client.send({ type: 'response.create' });
      const first = (await client.waitFor('response.done')).response as { output: Array<{ type: string; name?: string; call_id?: string; arguments?: string }> };
      expect(first.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
      expect(JSON.parse(first.output[0]!.arguments!)).toEqual({ location: 'Paris', scale: 'celsius' });

      const mark = client.mark();
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: first.output[0]!.call_id, output: OUTPUT } });
      client.send({ type: 'response.create' });
      const done = await client.waitFor('response.output_text.done', { after: mark });
      expect(String(done.text)).toContain(`get_weather returned ${OUTPUT}.`);

      // A message that names no tool is answered, not called.
      const plain = client.mark();
      client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks, bye.' }] } });
      client.send({ type: 'response.create' });
      const last = (await client.waitFor('response.done', { after: plain })).response as { output: Array<{ type: string }> };
      expect(last.output[0]!.type).toBe('message');
    } finally {
      await client.close();
    }
  });
});

describe('npm run realtime-sim -- --call-function NAME', () => {
  it('calls that function after every user turn, even one that does not name it (audio turns have no text)', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli', 'realtimeSim.js'), '--port', '0', '--voice', 'tone', '--call-function', 'get_weather'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(ws:\/\/\S+)$/m.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`realtime-sim exited ${code}: ${out}`)));
      });
      const client = await RealtimeProbeClient.connect(url);
      try {
        await client.waitFor('session.created');
        client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [WEATHER_TOOL] } });
        await client.waitFor('session.updated');
        client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello.' }] } });
        client.send({ type: 'response.create' });
        const done = (await client.waitFor('response.done')).response as { output: Array<{ type: string; name?: string; arguments?: string }> };
        expect(done.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather' });
        expect(JSON.parse(done.output[0]!.arguments!)).toEqual({ location: 'Paris', scale: 'celsius' });
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe("OpenAI's Node SDK against the simulator over wss://", () => {
  it('connects with its realtime ws client, gets the tool called, and reads the reply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oair-sdk-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        { cwd: dir, stdio: 'pipe' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 }, apiKey: 'sk-sdk-test', tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
      sims.push(sim);
      const openai = new OpenAI({ apiKey: 'sk-sdk-test', baseURL: `https://127.0.0.1:${sim.port}/v1` });
      // The SDK builds wss://<baseURL host>/v1/realtime?model=...; `options` go to ws (our CA).
      const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: cert } }, openai);
      const seen: string[] = [];
      const text = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply; events: ${seen.join(', ')}`)), 15_000);
        rt.on('error', (err) => reject(err));
        rt.on('event', (event) => seen.push(event.type));
        rt.socket.on('open', () => {
          rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [WEATHER_TOOL as never] } });
          rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What does get_weather say?' }] } });
          rt.send({ type: 'response.create' });
        });
        rt.on('response.function_call_arguments.done', (event) => {
          expect(event.name).toBe('get_weather');
          expect(JSON.parse(event.arguments)).toEqual({ location: 'Paris', scale: 'celsius' });
          rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: event.call_id, output: OUTPUT } });
          rt.send({ type: 'response.create' });
        });
        rt.on('response.output_text.done', (event) => {
          clearTimeout(timer);
          resolve(event.text);
        });
      });
      rt.close();
      expect(text).toContain(`get_weather returned ${OUTPUT}.`);
      expect(sim.connections[0]!.handshake.auth).not.toBe('none');
      expect(seen).toContain('session.created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
