// What this proves: every scriptable fault of the simulator is observable from a plain `ws`
// client — drops, closes with codes, stalls that fill the client's send buffer, slow reads,
// garbage and corrupt frames, huge frames, a missing session.created — and that faults are
// data: set for all connections, queued for the next one, applied to a live one, and combined.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RealtimeProbeClient, RealtimeSimulator, type RealtimeSimulatorOptions } from '../../src/simulator/index.js';

const clients: RealtimeProbeClient[] = [];
const sims: RealtimeSimulator[] = [];

afterEach(async () => {
  // Stalled servers never answer a close frame; terminate instead of waiting 30 s for ws's timer.
  for (const c of clients.splice(0)) c.ws.terminate();
});
afterAll(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function startSim(options: RealtimeSimulatorOptions = {}): Promise<RealtimeSimulator> {
  const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1000 }, ...options });
  sims.push(sim);
  return sim;
}

async function open(sim: RealtimeSimulator, options: Parameters<typeof RealtimeProbeClient.connect>[1] = {}): Promise<RealtimeProbeClient> {
  const client = await RealtimeProbeClient.connect(sim.url, options);
  clients.push(client);
  return client;
}

async function connect(sim: RealtimeSimulator, options: Parameters<typeof RealtimeProbeClient.connect>[1] = {}): Promise<RealtimeProbeClient> {
  const client = await open(sim, options);
  await client.waitFor('session.created');
  return client;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isStrictBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

describe('dropMidResponse', () => {
  it('cuts the TCP connection after N deltas: the client sees 1006 and exactly N deltas', async () => {
    const sim = await startSim({ faults: { dropMidResponse: { afterDeltas: 3 } } });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    const close = await client.closed;
    expect(close.code).toBe(1006);
    expect(client.ofType('response.output_audio.delta')).toHaveLength(3);
    expect(client.ofType('response.done')).toHaveLength(0);
    const connection = sim.connections[0]!;
    expect(await connection.waitForClose()).toMatchObject({ code: 1006, initiatedBy: 'network' });
    expect(connection.faultsFired).toEqual(['dropMidResponse@3']);
  });
});

describe('closeWith', () => {
  it('closes with the code and reason after N deltas', async () => {
    const sim = await startSim({ faults: { closeWith: { code: 1011, reason: 'internal error', afterDeltas: 2 } } });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    expect(await client.closed).toEqual({ code: 1011, reason: 'internal error' });
    expect(client.ofType('response.output_audio.delta')).toHaveLength(2);
    expect(await sim.connections[0]!.waitForClose()).toMatchObject({ code: 1011, initiatedBy: 'server' });
  });

  it('closes after afterMs, or right after session.created when no timing is given', async () => {
    const sim = await startSim();
    sim.queueFaults({ closeWith: { code: 4001, reason: 'later', afterMs: 50 } });
    sim.queueFaults({ closeWith: { code: 1001, reason: 'going away' } });
    const later = await connect(sim);
    expect(await later.closed).toEqual({ code: 4001, reason: 'later' });
    const now = await open(sim);
    expect(await now.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(now.events.map((e) => e.type)).toEqual(['session.created']);
  });
});

describe('stall', () => {
  it('stops reading the socket, so the client send buffer fills and nothing more is received', async () => {
    const sim = await startSim({ faults: { stall: { afterClientEvents: 1 } } });
    const client = await connect(sim, { perMessageDeflate: false });
    const audio = randomBytes(768 * 1024).toString('base64'); // 1 MiB of incompressible text per event
    for (let i = 0; i < 48; i++) client.send({ type: 'input_audio_buffer.append', audio });
    await sleep(300);
    const connection = sim.connections[0]!;
    // Kernel buffers absorb a few MiB; the rest of the 48 MiB stays in the client.
    expect(client.ws.bufferedAmount).toBeGreaterThan(16 * 1024 * 1024);
    expect(connection.clientEvents.length).toBeLessThan(48);
    const received = connection.frames.count;
    await sleep(200);
    expect(connection.frames.count).toBe(received); // still stalled
    expect(connection.faultsFired).toEqual(['stall']);
  });

  it('with muteServer, the server also goes silent', async () => {
    const sim = await startSim({ faults: { stall: { muteServer: true } } });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    await sleep(300);
    expect(client.events.map((e) => e.type)).toEqual(['session.created']);
    expect(sim.connections[0]!.faultsFired).toEqual(['stall:muted']);
  });
});

describe('slowReads', () => {
  it('reads in bursts, yet every event still arrives in order and is answered', async () => {
    const sim = await startSim({ faults: { slowReads: { readMs: 5, pauseMs: 120 } } });
    const client = await connect(sim);
    for (let i = 0; i < 40; i++) {
      client.send({ type: 'conversation.item.create', event_id: `evt_${i}`, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `m${i}` }] } });
      await sleep(10);
    }
    client.send({ type: 'response.create', event_id: 'evt_last' });
    await client.waitFor('response.created', { timeoutMs: 10_000 });
    const connection = sim.connections[0]!;
    expect(connection.clientEvents.map((r) => r.event.event_id)).toEqual([...Array.from({ length: 40 }, (_, i) => `evt_${i}`), 'evt_last']);
    // Sent every 10 ms, received in bursts separated by the read pauses.
    const times = connection.clientEvents.map((r) => r.receivedAt);
    const bursts = 1 + times.slice(1).filter((t, i) => t - times[i]! >= 60).length;
    expect(bursts).toBeGreaterThanOrEqual(2);
    expect(connection.faultsFired).toEqual(['slowReads:5/120']);
  });
});

describe('garbage', () => {
  it('sends non-JSON text, binary, untyped JSON, unknown types and cut JSON; the session keeps working', async () => {
    const sim = await startSim({ faults: { garbage: { frames: ['text', 'binary', 'untyped', 'unknownType', 'truncatedJson'] } } });
    const client = await connect(sim);
    // The garbage goes out on a timer after session.created; the reply to response.create must
    // not be interleaved with it, so ask only once all five frames are in.
    for (let waited = 0; client.rawFrames.length < 6 && waited < 5000; waited += 10) await sleep(10);
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    const frames = client.rawFrames.slice(1, 6);
    expect(frames.map((f) => f.binary)).toEqual([false, true, false, false, false]);
    expect(frames[0]!.data.toString()).toContain('502 Bad Gateway');
    expect(() => JSON.parse(frames[0]!.data.toString())).toThrow();
    expect(JSON.parse(frames[2]!.data.toString())).not.toHaveProperty('type');
    expect(JSON.parse(frames[3]!.data.toString())).toMatchObject({ type: 'simulator.unknown_event' });
    expect(() => JSON.parse(frames[4]!.data.toString())).toThrow();
    expect(sim.connections[0]!.faultsFired).toEqual(['garbage:text', 'garbage:binary', 'garbage:untyped', 'garbage:unknownType', 'garbage:truncatedJson']);
  });
});

describe('badAudio', () => {
  it('corrupts the chosen deltas with invalid base64', async () => {
    const sim = await startSim({ faults: { badAudio: { kind: 'invalidBase64', atDelta: 2, count: 2 } } });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    const valid = client.ofType('response.output_audio.delta').map((e) => isStrictBase64(e.delta as string));
    expect(valid).toEqual([true, false, false, true, true, true, true, true, true, true]);
  });

  it('sends PCM deltas with an odd number of bytes', async () => {
    const sim = await startSim({ faults: { badAudio: { kind: 'oddLength' } } });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    await client.waitFor('response.done');
    const lengths = client.ofType('response.output_audio.delta').map((e) => Buffer.from(e.delta as string, 'base64').length);
    expect(lengths[0]! % 2).toBe(1);
    expect(lengths.slice(1).every((n) => n === 4800)).toBe(true);
  });
});

describe('hugeFrame', () => {
  it('sends one 20 MiB text frame (a valid audio delta of silence)', async () => {
    const sim = await startSim({ faults: { hugeFrame: {} } });
    const client = await connect(sim);
    const huge = await client.waitFor('response.output_audio.delta', { timeoutMs: 20_000 });
    const frame = client.rawFrames[1]!;
    expect(frame.data.length).toBe(20 * 1024 * 1024);
    expect(isStrictBase64(huge.delta as string)).toBe(true);
  });

  it('makes a client whose maxPayload is smaller close with 1009', async () => {
    const sim = await startSim({ faults: { hugeFrame: { bytes: 2 * 1024 * 1024 } } });
    const client = await connect(sim, { maxPayload: 1024 * 1024 });
    await client.closed;
    // The client's close frame says 1009 (it stops reading, so it never sees the echo).
    expect(await sim.connections[0]!.waitForClose()).toMatchObject({ code: 1009, initiatedBy: 'client' });
  });
});

describe('noSessionCreated', () => {
  it('never sends session.created, yet answers the client', async () => {
    const sim = await startSim({ faults: { noSessionCreated: true } });
    const client = await open(sim);
    await sleep(200);
    expect(client.events).toHaveLength(0);
    client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'x' } });
    await client.waitFor('session.updated');
  });
});

describe('fault scripting', () => {
  it('setFaults applies to every later connection and combines faults; undefined clears them', async () => {
    const sim = await startSim();
    sim.setFaults({ badAudio: { kind: 'invalidBase64', atDelta: 1 }, closeWith: { code: 4002, reason: 'combined', afterDeltas: 3 } });
    for (let i = 0; i < 2; i++) {
      const client = await connect(sim);
      client.send({ type: 'response.create' });
      expect(await client.closed).toEqual({ code: 4002, reason: 'combined' });
      const deltas = client.ofType('response.output_audio.delta').map((e) => isStrictBase64(e.delta as string));
      expect(deltas).toEqual([false, true, true]);
    }
    sim.setFaults(undefined);
    const clean = await connect(sim);
    clean.send({ type: 'response.create' });
    expect((await clean.waitFor('response.done')).response).toMatchObject({ status: 'completed' });
  });

  it('queueFaults covers the next connection only', async () => {
    const sim = await startSim();
    sim.queueFaults({ noSessionCreated: true });
    const first = await open(sim);
    const second = await connect(sim);
    expect(second.events[0]!.type).toBe('session.created');
    expect(first.events).toHaveLength(0);
  });

  it('applyFaults changes a live connection', async () => {
    const sim = await startSim({ deltaIntervalMs: 20 });
    const client = await connect(sim);
    client.send({ type: 'response.create' });
    await client.waitFor('response.output_audio.delta');
    sim.connections[0]!.applyFaults({ dropMidResponse: { afterDeltas: 4 } });
    expect((await client.closed).code).toBe(1006);
    expect(client.ofType('response.output_audio.delta')).toHaveLength(4);
  });
});
