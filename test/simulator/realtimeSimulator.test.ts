// What this proves: the realtime simulator speaks the OpenAI Realtime GA protocol the way
// docs/realtime-protocol.md describes it (handshake and auth, beta rejection,
// session.update, responses, cancel, truncate, items, frame validation, function calls, session
// limit), over real sockets with a real `ws` client. VAD and faults have their own files.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alawToLinear, decodeAlaw, decodeMulaw, linearToAlaw, linearToMulaw, mulawToLinear } from '../../src/audio/g711.js';
import { readWav } from '../../src/audio/wav.js';
import * as simulatorG711 from '../../src/simulator/g711Codec.js';
import { isStrictBase64 } from '../../src/simulator/audioFormats.js';
import fc from 'fast-check';
import { RealtimeProbeClient, RealtimeSimulator, type RealtimeSimulatorOptions, type ServerEvent } from '../../src/simulator/index.js';

const clients: RealtimeProbeClient[] = [];
const sims: RealtimeSimulator[] = [];

async function startSim(options: RealtimeSimulatorOptions = {}): Promise<RealtimeSimulator> {
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1000 }, ...options });
  sims.push(sim);
  return sim;
}

/** Connect and wait for session.created. */
async function connect(sim: RealtimeSimulator, options: Parameters<typeof RealtimeProbeClient.connect>[1] = {}, url = sim.url): Promise<RealtimeProbeClient> {
  const client = await RealtimeProbeClient.connect(url, options);
  clients.push(client);
  await client.waitFor('session.created');
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function errorOf(event: ServerEvent): { type: string; code: string | null; message: string; param?: string | null; event_id?: string | null } {
  return event.error as { type: string; code: string | null; message: string; param?: string | null; event_id?: string | null };
}

function pcmBase64(samples: Int16Array): string {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, i * 2);
  return bytes.toString('base64');
}

function decodePcm(base64: string): Int16Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Dominant frequency by counting upward zero crossings (enough for a pure tone). */
function zeroCrossingHz(samples: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / samples.length;
}

function peakDbfs(samples: Int16Array): number {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  return 20 * Math.log10(peak / 32768);
}

/** Audio deltas of one response, decoded as 24 kHz PCM. */
function responseAudio(client: RealtimeProbeClient, responseId: string): Int16Array {
  return concat(client.ofType('response.output_audio.delta').filter((e) => e.response_id === responseId).map((e) => decodePcm(e.delta as string)));
}

describe('handshake and auth', () => {
  it('accepts anything without an apiKey and sends a full default GA session', async () => {
    const sim = await startSim();
    expect(sim.url).toBe(`ws://127.0.0.1:${sim.port}/v1/realtime?model=gpt-realtime`);
    const client = await connect(sim);
    const session = client.events[0]!.session as Record<string, unknown>;
    expect(client.events[0]!.event_id).toMatch(/^event_/);
    expect(session).toMatchObject({
      type: 'realtime',
      object: 'realtime.session',
      model: 'gpt-realtime',
      output_modalities: ['audio'],
      tools: [],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            create_response: true,
            interrupt_response: true,
          },
          transcription: null,
          noise_reduction: null,
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
    });
    expect(session.id).toMatch(/^sess_/);
    expect(typeof session.instructions).toBe('string');
    expect(sim.connections[0]!.handshake.auth).toBe('none');
  });

  it('records the handshake as received: url, query and headers', async () => {
    const sim = await startSim();
    await connect(sim, { headers: { 'OpenAI-Safety-Identifier': 'user-123', 'X-Test': 'yes' } }, `${sim.url}&extra=1`);
    const handshake = sim.connections[0]!.handshake;
    expect(handshake.path).toBe('/v1/realtime');
    expect(handshake.query).toEqual({ model: 'gpt-realtime', extra: '1' });
    expect(handshake.url).toBe('/v1/realtime?model=gpt-realtime&extra=1');
    expect(handshake.headers['openai-safety-identifier']).toBe('user-123');
    expect(handshake.headers['x-test']).toBe('yes');
    expect(handshake.rawHeaders).toContain('OpenAI-Safety-Identifier');
    expect(handshake.betaHeader).toBe(false);
  });

  describe('with an apiKey', () => {
    let sim: RealtimeSimulator;
    beforeAll(async () => {
      sim = await startSim({ apiKey: 'sk-test-0123456789' });
    });

    it('accepts Authorization: Bearer', async () => {
      await connect(sim, { headers: { Authorization: 'Bearer sk-test-0123456789' } });
      expect(sim.connections.at(-1)!.handshake.auth).toBe('bearer');
    });

    it('accepts the Azure api-key header', async () => {
      await connect(sim, { headers: { 'api-key': 'sk-test-0123456789' } });
      expect(sim.connections.at(-1)!.handshake.auth).toBe('api-key-header');
    });

    it('accepts the Azure api-key query parameter', async () => {
      await connect(sim, {}, `${sim.url}&api-key=sk-test-0123456789`);
      expect(sim.connections.at(-1)!.handshake.auth).toBe('api-key-query');
    });

    it('refuses a missing key with HTTP 401 and an OpenAI JSON error body', async () => {
      const refusal = await RealtimeProbeClient.refusal(sim.url);
      expect(refusal.status).toBe(401);
      expect(refusal.headers['content-type']).toBe('application/json');
      const body = JSON.parse(refusal.body) as { error: { type: string; message: string; code: unknown } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toMatch(/didn't provide an API key/);
      expect(sim.refusedHandshakes.at(-1)).toMatchObject({ status: 401, cause: 'auth' });
    });

    it('refuses a wrong key with 401 invalid_api_key', async () => {
      const refusal = await RealtimeProbeClient.refusal(sim.url, { headers: { Authorization: 'Bearer sk-wrong-key-000000' } });
      expect(refusal.status).toBe(401);
      const body = JSON.parse(refusal.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_api_key');
      expect(body.error.message).not.toContain('sk-wrong-key-000000');
    });
  });

  it('refuses with a configured status and body (429 with retry-after), for the next attempt only', async () => {
    const sim = await startSim();
    sim.queueFaults({ refuseHandshake: { status: 429 } });
    const refusal = await RealtimeProbeClient.refusal(sim.url);
    expect(refusal.status).toBe(429);
    expect(refusal.headers['retry-after']).toBe('1');
    expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    await connect(sim); // the queued fault covered one attempt
    expect(sim.connections).toHaveLength(1);
  });

  it('refuses with any status and a custom body', async () => {
    const sim = await startSim();
    sim.queueFaults({ refuseHandshake: { status: 403, body: { error: { message: 'nope', type: 'invalid_request_error', code: 'custom' } } } });
    sim.queueFaults({ refuseHandshake: { status: 500 } });
    const forbidden = await RealtimeProbeClient.refusal(sim.url);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body)).toEqual({ error: { message: 'nope', type: 'invalid_request_error', code: 'custom' } });
    const serverError = await RealtimeProbeClient.refusal(sim.url);
    expect(serverError.status).toBe(500);
    expect(JSON.parse(serverError.body)).toMatchObject({ error: { type: 'server_error' } });
    expect(sim.refusedHandshakes.map((r) => r.cause)).toEqual(['fault', 'fault']);
  });

  it('refuses other paths with 404 and a URL with neither model nor call_id with 400; accepts call_id', async () => {
    const sim = await startSim();
    expect((await RealtimeProbeClient.refusal(`ws://127.0.0.1:${sim.port}/v1/chat?model=x`)).status).toBe(404);
    expect((await RealtimeProbeClient.refusal(`ws://127.0.0.1:${sim.port}/v1/realtime`)).status).toBe(400);
    await connect(sim, {}, `ws://127.0.0.1:${sim.port}/v1/realtime?call_id=rtc_abc`);
    expect(sim.connections[0]!.handshake.query.call_id).toBe('rtc_abc');
  });
});

describe('wss://', () => {
  it('serves the protocol over TLS with the given certificate, as the real API does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oair-sim-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const sim = await startSim({ tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
      expect(sim.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime\?model=/);
      const client = await connect(sim, { ca: cert });
      client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'over TLS' } });
      const updated = await client.waitFor('session.updated');
      expect((updated.session as { instructions: string }).instructions).toBe('over TLS');
      // Without the CA the certificate is refused: it really is TLS.
      await expect(RealtimeProbeClient.connect(sim.url)).rejects.toThrow(/self-signed|certificate/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('permessage-deflate', () => {
  it('is negotiated when the client offers it, and recorded both ways', async () => {
    const sim = await startSim();
    await connect(sim, { perMessageDeflate: true });
    const handshake = sim.connections[0]!.handshake;
    expect(handshake.requestedExtensions).toContain('permessage-deflate');
    expect(handshake.negotiatedExtensions).toContain('permessage-deflate');
    expect(handshake.deflate).toBe(true);
  });

  it('is absent when the client does not offer it', async () => {
    const sim = await startSim();
    await connect(sim, { perMessageDeflate: false });
    const handshake = sim.connections[0]!.handshake;
    expect(handshake.requestedExtensions).toBeNull();
    expect(handshake.negotiatedExtensions).toBeNull();
    expect(handshake.deflate).toBe(false);
  });
});

describe('beta API rejection', () => {
  const BETA_ERROR = {
    type: 'invalid_request_error',
    code: 'beta_api_shape_disabled',
    message: 'The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.',
  };
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await startSim();
  });

  it('answers the OpenAI-Beta: realtime=v1 header with the error and close 4000 (after HTTP 101)', async () => {
    const client = await RealtimeProbeClient.connect(sim.url, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
    clients.push(client);
    const close = await client.closed;
    expect(close.code).toBe(4000);
    expect(client.events.map((e) => e.type)).toEqual(['error']);
    expect(client.events[0]!.error).toEqual(BETA_ERROR);
    const connection = sim.connections.at(-1)!;
    expect(connection.handshake.betaHeader).toBe(true);
    expect(await connection.waitForClose()).toMatchObject({ code: 4000, initiatedBy: 'server' });
  });

  it('answers a session.update without session.type the same way, echoing event_id', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', event_id: 'evt_beta_1', session: { instructions: 'hi' } });
    expect((await client.closed).code).toBe(4000);
    expect(errorOf(client.ofType('error')[0]!)).toEqual({ ...BETA_ERROR, event_id: 'evt_beta_1' });
  });

  it('answers beta-only fields (modalities, input_audio_format, voice…) the same way', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', modalities: ['audio', 'text'], input_audio_format: 'g711_ulaw' } });
    expect((await client.closed).code).toBe(4000);
    expect(errorOf(client.ofType('error')[0]!).code).toBe('beta_api_shape_disabled');
  });
});

describe('session.update', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await startSim();
  });

  it('merges only the fields present and answers with the effective session', async () => {
    const client = await connect(sim);
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Be brief.',
        audio: {
          input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad', silence_duration_ms: 800 } },
          output: { format: { type: 'audio/pcma' } },
        },
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }],
      },
    });
    const updated = (await client.waitFor('session.updated')).session as Record<string, any>;
    expect(updated.instructions).toBe('Be brief.');
    expect(updated.audio.input.format).toEqual({ type: 'audio/pcmu' });
    expect(updated.audio.output.format).toEqual({ type: 'audio/pcma' });
    expect(updated.audio.output.voice).toBe('marin'); // untouched
    expect(updated.audio.input.turn_detection).toMatchObject({ type: 'server_vad', silence_duration_ms: 800, threshold: 0.5, prefix_padding_ms: 300 });
    expect(updated.tools).toHaveLength(1);
    expect(updated.output_modalities).toEqual(['audio']);
    expect(sim.connections.at(-1)!.session.audio.input.format).toEqual({ type: 'audio/pcmu' });
  });

  it('rejects an unknown format type with invalid_request_error, param and echoed event_id, changing nothing', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', event_id: 'evt_fmt', session: { type: 'realtime', instructions: 'changed?', audio: { input: { format: { type: 'audio/opus' } } } } });
    const error = errorOf(await client.waitFor('error'));
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'session.audio.input.format.type', event_id: 'evt_fmt' });
    expect(client.ofType('session.updated')).toHaveLength(0);
    expect(sim.connections.at(-1)!.session.instructions).not.toBe('changed?');
  });

  it('rejects temperature as GA does (unknown_parameter)', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', temperature: 0.8 } });
    expect(errorOf(await client.waitFor('error'))).toMatchObject({
      code: 'unknown_parameter',
      message: "Unknown parameter: 'session.temperature'.",
      param: 'session.temperature',
      event_id: null,
    });
  });

  it('allows a voice change before any audio, refuses it after', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'cedar' } } } });
    expect(((await client.waitFor('session.updated')).session as any).audio.output.voice).toBe('cedar');
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    client.send({ type: 'session.update', event_id: 'evt_voice', session: { type: 'realtime', audio: { output: { voice: 'alloy' } } } });
    expect(errorOf(await client.waitFor('error'))).toMatchObject({
      code: 'cannot_update_voice',
      message: "Cannot update a conversation's voice if assistant audio is present.",
      event_id: 'evt_voice',
    });
  });
});

describe('responses', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await startSim({ voice: 'tone', tone: { durationMs: 1000, frequencyHz: 440, levelDbfs: -12 } });
  });

  it('streams the GA event sequence, with rate_limits.updated at the start and usage at the end', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    const done = await client.waitFor('response.done');
    const types = client.events.slice(1).map((e) => e.type).filter((t) => !t.endsWith('.delta'));
    expect(types).toEqual([
      'response.created',
      'rate_limits.updated',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const created = client.ofType('response.created')[0]!.response as Record<string, any>;
    expect(created).toMatchObject({ object: 'realtime.response', status: 'in_progress', output: [] });
    expect(created.id).toMatch(/^resp_/);
    const response = done.response as Record<string, any>;
    expect(response).toMatchObject({ id: created.id, status: 'completed', status_details: null });
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_audio', transcript: 'This is a test tone.' }] });
    expect(response.output[0].id).toMatch(/^item_/);
    expect(response.usage.output_token_details.audio_tokens).toBe(20); // 1 s at 50 ms per token
    expect(response.usage.total_tokens).toBe(response.usage.input_tokens + response.usage.output_tokens);
    const limits = client.ofType('rate_limits.updated')[0]!.rate_limits as Array<{ name: string }>;
    expect(limits.map((l) => l.name)).toEqual(['requests', 'tokens']);
  });

  it('sends 100 ms deltas whose decoded audio is the announced tone (1000 ms, 440 Hz, −12 dBFS)', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    const done = await client.waitFor('response.done');
    const responseId = (done.response as { id: string }).id;
    const deltas = client.ofType('response.output_audio.delta');
    expect(deltas).toHaveLength(10);
    for (const d of deltas) expect(decodePcm(d.delta as string)).toHaveLength(2400);
    const audio = responseAudio(client, responseId);
    expect(audio.length / 24).toBe(1000);
    expect(zeroCrossingHz(audio, 24000)).toBeCloseTo(440, -1);
    expect(peakDbfs(audio)).toBeCloseTo(-12, 0);
    const transcript = client.ofType('response.output_audio_transcript.delta').map((e) => e.delta).join('');
    expect(transcript).toBe(client.ofType('response.output_audio_transcript.done')[0]!.transcript);
    expect(sim.connections.at(-1)!.responses[0]).toMatchObject({ status: 'completed', audioMs: 1000, deltas: 10, transcript: 'This is a test tone.' });
  });

  it('speaks G.711 μ-law at 8 kHz when the output format says so', async () => {
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { format: { type: 'audio/pcmu' } } } } });
    await client.waitFor('session.updated');
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    const bytes = Buffer.concat(client.ofType('response.output_audio.delta').map((e) => Buffer.from(e.delta as string, 'base64')));
    expect(bytes.length).toBe(8000); // 1 s at 8 kHz, one byte per sample
    // Decoded with the project's own G.711 (an independent implementation).
    const pcm = new Int16Array(bytes.length);
    decodeMulaw(bytes, bytes.length, pcm);
    expect(zeroCrossingHz(pcm, 8000)).toBeCloseTo(440, -1);
    expect(peakDbfs(pcm)).toBeCloseTo(-12, 0);
  });

  it('speaks G.711 A-law at 8 kHz, per response when response.create asks for it', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create', response: { audio: { output: { format: { type: 'audio/pcma' } } } } });
    const done = (await client.waitFor('response.done')).response as Record<string, any>;
    expect(done.audio.output.format).toEqual({ type: 'audio/pcma' });
    const bytes = Buffer.concat(client.ofType('response.output_audio.delta').map((e) => Buffer.from(e.delta as string, 'base64')));
    expect(bytes.length).toBe(8000);
    const pcm = new Int16Array(bytes.length);
    decodeAlaw(bytes, bytes.length, pcm);
    expect(zeroCrossingHz(pcm, 8000)).toBeCloseTo(440, -1);
    expect(sim.connections.at(-1)!.session.audio.output.format).toEqual({ type: 'audio/pcm', rate: 24000 }); // the session is unchanged
  });

  it('streams text deltas with output_modalities ["text"]', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const done = await client.waitFor('response.done');
    expect(client.ofType('response.output_audio.delta')).toHaveLength(0);
    const text = client.ofType('response.output_text.delta').map((e) => e.delta).join('');
    expect(text).toBe('This is a test tone.');
    expect(client.ofType('response.output_text.done')[0]!.text).toBe(text);
    expect((done.response as any).output[0].content).toEqual([{ type: 'output_text', text }]);
  });

  it('refuses a second response.create while one is active', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    const created = await client.waitFor('response.created');
    client.send({ type: 'response.create', event_id: 'evt_second' });
    const error = errorOf(await client.waitFor('error'));
    expect(error).toMatchObject({ code: 'conversation_already_has_active_response', event_id: 'evt_second' });
    expect(error.message).toContain((created.response as { id: string }).id);
    await client.waitFor('response.done');
    expect(client.ofType('response.created')).toHaveLength(1);
  });

  it('ends incomplete at max_output_tokens', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create', response: { max_output_tokens: 10 } });
    const done = (await client.waitFor('response.done')).response as Record<string, any>;
    expect(done.status).toBe('incomplete');
    expect(done.status_details).toEqual({ type: 'incomplete', reason: 'max_output_tokens' });
    expect(sim.connections.at(-1)!.responses[0]!.audioMs).toBe(500); // 10 tokens × 50 ms
  });

  it('speaks recorded phrases with the speech voice: the greeting, all of its samples', async () => {
    const speech = await startSim({ voice: 'speech' });
    const client = await connect(speech);
    client.send({ type: 'response.create' });
    const done = (await client.waitFor('response.done')).response as Record<string, any>;
    expect(done.output[0].content[0].transcript).toBe('Hello, this is the OpenAI realtime simulator.');
    const audio = responseAudio(client, done.id);
    // Read with the project's WAV reader, not the simulator's.
    const wav = readWav(readFileSync(new URL('../../assets/voice/greeting.wav', import.meta.url)));
    expect(wav).toMatchObject({ sampleRate: 24000, channels: 1 });
    expect(audio).toEqual(wav.samples);
    expect(peakDbfs(audio)).toBeGreaterThan(-10); // normalised speech, not silence
  });

  it('speaks the phrases at 8 kHz μ-law (band-limited to a third of the samples)', async () => {
    const speech = await startSim({ voice: 'speech' });
    const client = await connect(speech);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { format: { type: 'audio/pcmu' } } } } });
    await client.waitFor('session.updated');
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    const bytes = Buffer.concat(client.ofType('response.output_audio.delta').map((e) => Buffer.from(e.delta as string, 'base64')));
    const wav = readWav(readFileSync(new URL('../../assets/voice/greeting.wav', import.meta.url)));
    expect(bytes.length).toBe(Math.floor(wav.samples.length / 3));
    const pcm = new Int16Array(bytes.length);
    decodeMulaw(bytes, bytes.length, pcm);
    expect(peakDbfs(pcm)).toBeGreaterThan(-12);
  });
});

describe('response.cancel', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await startSim({ tone: { durationMs: 3000 }, deltaIntervalMs: 20 });
  });

  it('cancels the active response: deltas stop, parts close, response.done cancelled / client_cancelled', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    await client.waitFor('response.output_audio.delta');
    client.send({ type: 'response.cancel' });
    const done = (await client.waitFor('response.done')).response as Record<string, any>;
    expect(done.status).toBe('cancelled');
    expect(done.status_details).toEqual({ type: 'cancelled', reason: 'client_cancelled' });
    const afterDone = client.events.slice(client.events.findIndex((e) => e.type === 'response.done'));
    expect(afterDone.filter((e) => e.type === 'response.output_audio.delta')).toHaveLength(0);
    expect(client.ofType('response.output_audio.done')).toHaveLength(1);
    expect(client.ofType('response.output_audio.delta').length).toBeLessThan(30);
    expect(done.output[0].status).toBe('incomplete');
    const connection = sim.connections.at(-1)!;
    expect(connection.cancels).toEqual([expect.objectContaining({ responseId: done.id, reason: 'client_cancelled' })]);
    expect(connection.cancels[0]!.audioMsSent).toBe(connection.responses[0]!.audioMs);
  });

  it('errors with response_cancel_not_active when nothing is active, and the session stays open', async () => {
    const client = await connect(sim);
    client.send({ type: 'response.cancel', event_id: 'evt_cancel' });
    expect(errorOf(await client.waitFor('error'))).toMatchObject({
      type: 'invalid_request_error',
      code: 'response_cancel_not_active',
      message: 'Cancellation failed: no active response found',
      event_id: 'evt_cancel',
    });
    client.send({ type: 'response.create' });
    await client.waitFor('response.created');
  });
});

describe('conversation.item.truncate', () => {
  let sim: RealtimeSimulator;
  let client: RealtimeProbeClient;
  let itemId: string;
  beforeAll(async () => {
    sim = await startSim({ tone: { durationMs: 1000 } });
    client = await RealtimeProbeClient.connect(sim.url);
    await client.waitFor('session.created');
    client.send({ type: 'response.create' });
    itemId = ((await client.waitFor('response.done')).response as any).output[0].id;
  });
  afterAll(async () => {
    await client.close();
  });

  it('rejects audio_end_ms beyond the item audio with OpenAI\'s wording', async () => {
    const mark = client.mark();
    client.send({ type: 'conversation.item.truncate', event_id: 'evt_long', item_id: itemId, content_index: 0, audio_end_ms: 5000 });
    expect(errorOf(await client.waitFor('error', { after: mark }))).toMatchObject({
      type: 'invalid_request_error',
      message: 'Audio content of 1000ms is already shorter than 5000ms',
      event_id: 'evt_long',
    });
  });

  it('rejects an unknown item and a non-assistant item', async () => {
    let mark = client.mark();
    client.send({ type: 'conversation.item.truncate', item_id: 'item_nope', content_index: 0, audio_end_ms: 10 });
    expect(errorOf(await client.waitFor('error', { after: mark }))).toMatchObject({ code: 'item_truncate_invalid_item_id', message: 'Item with item_id not found: item_nope' });
    mark = client.mark();
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    const userItem = (await client.waitFor('conversation.item.done', { after: mark })).item as { id: string };
    mark = client.mark();
    client.send({ type: 'conversation.item.truncate', item_id: userItem.id, content_index: 0, audio_end_ms: 0 });
    expect(errorOf(await client.waitFor('error', { after: mark })).param).toBe('item_id');
  });

  it('truncates, records audio_end_ms and cuts the transcript', async () => {
    const mark = client.mark();
    client.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 400 });
    const truncated = await client.waitFor('conversation.item.truncated', { after: mark });
    expect(truncated).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 400 });
    expect(sim.connections[0]!.truncations).toEqual([{ itemId, contentIndex: 0, audioEndMs: 400, itemAudioMs: 1000 }]);
    client.send({ type: 'conversation.item.retrieve', item_id: itemId });
    const item = (await client.waitFor('conversation.item.retrieved', { after: mark })).item as any;
    expect(item.content[0].transcript).toBe('This is');
    // The item is now 400 ms long.
    client.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 500 });
    expect(errorOf(await client.waitFor('error', { after: mark })).message).toBe('Audio content of 400ms is already shorter than 500ms');
  });
});

describe('conversation items', () => {
  it('creates (added + done), rejects an unknown previous_item_id, retrieves and deletes', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] } });
    const added = await client.waitFor('conversation.item.added');
    const done = await client.waitFor('conversation.item.done');
    const item = added.item as { id: string; object: string };
    expect(item).toMatchObject({ object: 'realtime.item', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] });
    expect(added.previous_item_id).toBeNull();
    expect((done.item as { id: string }).id).toBe(item.id);

    client.send({ type: 'conversation.item.create', event_id: 'evt_prev', previous_item_id: 'item_missing', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }] } });
    expect(errorOf(await client.waitFor('error'))).toMatchObject({ param: 'previous_item_id', event_id: 'evt_prev' });

    client.send({ type: 'conversation.item.create', previous_item_id: item.id, item: { id: 'item_client_2', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'sys' }] } });
    const second = await client.waitFor('conversation.item.added', { where: (e) => (e.item as { id: string }).id === 'item_client_2' });
    expect(second.previous_item_id).toBe(item.id);

    client.send({ type: 'conversation.item.delete', item_id: item.id });
    expect((await client.waitFor('conversation.item.deleted')).item_id).toBe(item.id);
    expect(sim.connections[0]!.items.map((i) => i.id)).toEqual(['item_client_2']);
  });
});

describe('input audio buffer', () => {
  it('errors on a commit under 100 ms, commits 200 ms, clears', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
    await client.waitFor('session.updated');
    client.send({ type: 'input_audio_buffer.append', audio: pcmBase64(new Int16Array(1200)) }); // 50 ms
    client.send({ type: 'input_audio_buffer.commit', event_id: 'evt_commit' });
    expect(errorOf(await client.waitFor('error'))).toEqual({
      type: 'invalid_request_error',
      code: 'input_audio_buffer_commit_empty',
      message: 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 50.00ms of audio.',
      param: null,
      event_id: 'evt_commit',
    });
    client.send({ type: 'input_audio_buffer.append', audio: pcmBase64(new Int16Array(3600)) }); // +150 ms
    client.send({ type: 'input_audio_buffer.commit' });
    const committed = await client.waitFor('input_audio_buffer.committed');
    expect(committed.previous_item_id).toBeNull();
    const added = await client.waitFor('conversation.item.added');
    expect(added.item).toMatchObject({ id: committed.item_id, type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: null }] });
    expect(client.ofType('response.created')).toHaveLength(0); // no turn detection: the client asks
    client.send({ type: 'input_audio_buffer.append', audio: pcmBase64(new Int16Array(4800)) });
    client.send({ type: 'input_audio_buffer.clear' });
    await client.waitFor('input_audio_buffer.cleared');
    client.send({ type: 'input_audio_buffer.commit' });
    expect(errorOf(await client.waitFor('error', { after: client.mark() })).code).toBe('input_audio_buffer_commit_empty');
    expect(sim.connections[0]!.appendedAudioMs).toBe(400);
  });

  it('rejects invalid base64, odd-length PCM and appends over 15 MiB', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    client.send({ type: 'input_audio_buffer.append', event_id: 'evt_b64', audio: 'data:audio/wav;base64,AAAA' });
    expect(errorOf(await client.waitFor('error'))).toMatchObject({ type: 'invalid_request_error', param: 'audio', event_id: 'evt_b64' });
    let mark = client.mark();
    client.send({ type: 'input_audio_buffer.append', audio: Buffer.from([1, 2, 3]).toString('base64') });
    expect(errorOf(await client.waitFor('error', { after: mark })).message).toMatch(/even number of bytes/);
    mark = client.mark();
    client.send({ type: 'input_audio_buffer.append', event_id: 'evt_big', audio: 'A'.repeat(16 * 1024 * 1024) });
    expect(errorOf(await client.waitFor('error', { after: mark, timeoutMs: 20_000 }))).toMatchObject({
      code: 'string_above_max_length',
      param: 'audio',
      event_id: 'evt_big',
    });
    expect(sim.connections[0]!.appendedAudioMs).toBe(0);
    expect(sim.connections[0]!.closed).toBeNull();
  });
});

describe('strict base64 check', () => {
  // The rule as the regular expression the simulator used to run (too slow at load): a table walk
  // must say exactly the same of every string.
  const reference = (t: string): boolean =>
    t.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(t) && (t.indexOf('=') === -1 || t.length % 4 === 0);
  it('agrees with the reference rule on valid, unpadded and broken strings', () => {
    const samples = ['', 'AAAA', 'AAA=', 'AA==', 'A===', 'AAA', 'AA', 'A', 'AAAAA', 'AA=A', '=AAA', 'AAAA====', 'AQID', 'AQ', 'data:audio/wav;base64,AAAA', 'AB-_', 'AB C', 'ÄÄÄÄ', 'AB\nC', Buffer.from('hello world').toString('base64')];
    for (const s of samples) expect([s, isStrictBase64(s)]).toEqual([s, reference(s)]);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AZaz09+/=-_ .\u00e9'.split('')), maxLength: 40 }), (s) => isStrictBase64(s) === reference(s)),
      { numRuns: 5000 },
    );
  });
});

describe('recordEvents: false (load runs)', () => {
  it('serves a whole turn and keeps no event history', async () => {
    const sim = await startSim({ recordEvents: false });
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime' } });
    await client.waitFor('session.updated');
    client.send({ type: 'response.create' });
    const done = await client.waitFor('response.done', { timeoutMs: 5000 });
    expect((done.response as { status: string }).status).toBe('completed');
    expect(client.events.filter((e) => e.type === 'response.output_audio.delta').length).toBeGreaterThan(0);
    expect(sim.connections[0]!.serverEvents).toEqual([]);
    expect(sim.connections[0]!.clientEvents).toEqual([]);
  });
});

describe('frame validation', () => {
  it('counts a frame holding two concatenated events as invalid and answers with an error', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    client.sendRaw(JSON.stringify({ type: 'response.cancel' }) + JSON.stringify({ type: 'response.create' }));
    const error = errorOf(await client.waitFor('error'));
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const connection = sim.connections[0]!;
    expect(connection.invalidFrames).toBe(1);
    expect(connection.invalidFrameLog[0]!.preview).toContain('response.cancel');
    expect(connection.clientEvents).toHaveLength(0);
    expect(client.ofType('response.created')).toHaveLength(0);

    client.sendRaw(Buffer.from([1, 2, 3])); // binary
    client.sendRaw('[1,2]');
    client.send({ type: 'response.create', event_id: 'evt_ok' });
    await client.waitFor('response.created');
    expect(connection.invalidFrames).toBe(3);
    expect(connection.frames).toMatchObject({ count: 4, text: 3, binary: 1 });
    expect(connection.clientEventTypes()).toEqual(['response.create']);
  });

  it('answers an event without a type and an unknown type with errors', async () => {
    const sim = await startSim();
    const client = await connect(sim);
    client.send({ event_id: 'evt_untyped' } as never);
    expect(errorOf(await client.waitFor('error'))).toMatchObject({ code: 'missing_required_parameter', param: 'type', event_id: 'evt_untyped' });
    const mark = client.mark();
    client.send({ type: 'response.audio.delta', event_id: 'evt_unknown' });
    expect(errorOf(await client.waitFor('error', { after: mark }))).toMatchObject({ code: 'invalid_value', param: 'type', event_id: 'evt_unknown' });
  });
});

describe('function calls', () => {
  it('calls the configured function after a user turn, then speaks after function_call_output', async () => {
    const sim = await startSim({ functionCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const client = await connect(sim);
    client.send({
      type: 'session.update',
      session: { type: 'realtime', tools: [{ type: 'function', name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] },
    });
    await client.waitFor('session.updated');
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] } });
    client.send({ type: 'response.create' });
    const first = (await client.waitFor('response.done')).response as Record<string, any>;
    expect(first.status).toBe('completed');
    const call = first.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(call.call_id).toMatch(/^call_/);
    const added = client.ofType('response.output_item.added')[0]!.item as Record<string, unknown>;
    expect(added).toMatchObject({ type: 'function_call', name: 'get_weather', call_id: call.call_id, arguments: '' });
    const argDeltas = client.ofType('response.function_call_arguments.delta');
    expect(argDeltas.map((e) => e.delta).join('')).toBe('{"city":"Paris"}');
    expect(client.ofType('response.function_call_arguments.done')[0]).toMatchObject({ call_id: call.call_id, name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(client.ofType('response.output_audio.delta')).toHaveLength(0);

    const mark = client.mark();
    client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' } });
    const output = await client.waitFor('conversation.item.done', { after: mark });
    expect(output.item).toMatchObject({ type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' });
    client.send({ type: 'response.create' });
    const second = (await client.waitFor('response.done', { after: mark })).response as Record<string, any>;
    expect(second.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(client.events.slice(mark).filter((e) => e.type === 'response.output_audio.delta').length).toBeGreaterThan(0);
    expect(sim.connections[0]!.responses.map((r) => r.kind)).toEqual(['function_call', 'message']);
  });

  it('speaks instead when the session has no matching tool, or tool_choice is none', async () => {
    const sim = await startSim({ functionCall: { name: 'get_weather' } });
    const client = await connect(sim);
    client.send({ type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', name: 'other' }] } });
    await client.waitFor('session.updated');
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
    client.send({ type: 'response.create' });
    expect(((await client.waitFor('response.done')).response as any).output[0].type).toBe('message');
    const mark = client.mark();
    client.send({ type: 'response.create', response: { tools: [{ type: 'function', name: 'get_weather' }], tool_choice: 'none' } });
    expect(((await client.waitFor('response.done', { after: mark })).response as any).output[0].type).toBe('message');
  });
});

describe('private G.711 codec', () => {
  // The simulator keeps its own codec so it never shares a bug with the client it tests; it must
  // still agree with the project's implementation code for code.
  it('decodes every μ-law and A-law code like src/audio/g711.ts', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const mu = new Int16Array(256);
    const a = new Int16Array(256);
    simulatorG711.decodeMulaw(codes, 256, mu);
    simulatorG711.decodeAlaw(codes, 256, a);
    for (let i = 0; i < 256; i++) {
      expect(mu[i], `μ-law ${i}`).toBe(mulawToLinear(i));
      expect(a[i], `A-law ${i}`).toBe(alawToLinear(i));
    }
  });

  it('encodes every 16-bit sample to a code that decodes within one step of the project\'s', () => {
    const samples = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const mu = new Uint8Array(samples.length);
    const a = new Uint8Array(samples.length);
    simulatorG711.encodeMulaw(samples, samples.length, mu);
    simulatorG711.encodeAlaw(samples, samples.length, a);
    let muMismatch = 0;
    let aMismatch = 0;
    const tooFar: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (mu[i] !== linearToMulaw(s)) muMismatch++;
      if (a[i] !== linearToAlaw(s)) aMismatch++;
      // Whatever the rounding at segment edges, the error stays within the G.711 step size.
      const muError = Math.abs(mulawToLinear(mu[i]!) - s);
      const aError = Math.abs(alawToLinear(a[i]!) - s);
      if (muError > Math.max(8, Math.abs(s) / 16 + 16) || aError > Math.max(16, Math.abs(s) / 16 + 16)) tooFar.push(s);
    }
    expect(tooFar).toEqual([]);
    // The project follows G.191 (ones' complement for negative samples), the simulator the
    // classic Sun code (two's complement): they may differ only at decision boundaries.
    expect(muMismatch).toBeLessThan(256);
    expect(aMismatch).toBeLessThan(256);
  });
});

describe('session time limit', () => {
  it('sends session_expired and closes with 1001', async () => {
    const sim = await startSim({ sessionLimitMs: 300 });
    const client = await connect(sim);
    const close = await client.closed;
    expect(close.code).toBe(1001);
    expect(close.reason).toBe('Your session hit the maximum duration of 0.005 minutes.');
    expect(errorOf(client.ofType('error')[0]!)).toMatchObject({
      type: 'invalid_request_error',
      code: 'session_expired',
      message: 'Your session hit the maximum duration of 0.005 minutes.',
    });
    expect(await sim.connections[0]!.waitForClose()).toMatchObject({ code: 1001, initiatedBy: 'server' });
  });

  it('announces expires_at an hour ahead by default (OpenAI\'s 60-minute limit)', async () => {
    const sim = await startSim();
    await connect(sim);
    const expiresAt = sim.connections[0]!.session.expires_at;
    expect(expiresAt - Date.now() / 1000).toBeGreaterThan(59 * 60);
  });
});

describe('recording', () => {
  it('records client events, server events and closes, and emits typed events', async () => {
    const sim = await startSim();
    const seen: string[] = [];
    sim.on('connection', (c) => seen.push(`connection ${c.index}`));
    sim.on('clientEvent', (_c, e) => seen.push(`client ${e.type}`));
    sim.on('close', (_c, close) => seen.push(`close ${close.code}`));
    const client = await connect(sim);
    client.send({ type: 'response.create', event_id: 'evt_1' });
    await client.waitFor('response.done');
    await client.close(1000, 'bye');
    const connection = await sim.connections[0]!.waitForClose();
    expect(connection).toEqual({ code: 1000, reason: 'bye', initiatedBy: 'client' });
    expect(seen).toEqual(['connection 0', 'client response.create', 'close 1000']);
    const record = sim.connections[0]!;
    expect(record.clientEvents[0]!.event).toEqual({ type: 'response.create', event_id: 'evt_1' });
    expect(record.serverEventTypes()).toEqual(client.events.map((e) => e.type));
    expect(record.serverEvents.map((e) => e.event_id)).toEqual(client.events.map((e) => e.event_id));
  });
});
