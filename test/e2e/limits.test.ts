// What this proves, with a configuration file that sets the limits low: each limit of the module
// settings is enforced and, when reached, says so — max-sessions with `-ERR too many sessions
// (max N)` for either API and nothing attached; max-send-json-bytes with `-ERR json too large`;
// playback-queue-ms by dropping the newest audio (counted in status, logged once per item);
// uplink-backlog-ms by dropping caller audio while the server does not read (counted, logged).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, sleep, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

const AS = 'uuid_openai_audio_stream';
const S2S = 'uuid_openai_s2s';
let h: InProcessHost;
let sim: RealtimeSimulator;
let t: TempDir;

beforeAll(async () => {
  t = tempDir();
  const config = t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <settings>
    <param name="max-sessions" value="2"/>
    <param name="max-send-json-bytes" value="2048"/>
    <param name="playback-queue-ms" value="1000"/>
    <param name="uplink-backlog-ms" value="100"/>
  </settings>
</configuration>
`,
  );
  h = inProcessHost({ configFile: config });
  // A long reply sent much faster than real time: the playback queue must bound it.
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 4000 }, deltaIntervalMs: 2 });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

const channel = (prefix: string, vars: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { seconds: 10, recordMs: 10_000, vars: { STREAM_DISABLE_AUDIOFILES: 'true', ...vars } });

const connectionsOf = (uuid: string): SimulatedConnection[] => connectionsOfChannel(sim, uuid);
const streamStatus = (uuid: string) => h.app.registry.get(uuid, 'audio_stream')?.status();

async function startStream(uuid: string): Promise<SimulatedConnection> {
  expect(await h.command(AS, `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::connect').length > 0, '::connect');
  return waitFor(() => connectionsOf(uuid)[0], 'connection');
}

describe('max-sessions', () => {
  it('the session after the limit is refused with the limit named, for either API, and nothing is attached', async () => {
    const a = channel('max-a');
    const b = channel('max-b');
    await startStream(a);
    expect(await h.command(S2S, `${b} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
    const c = channel('max-c');
    expect(await h.command(AS, `${c} start ${sim.url} mono`)).toBe('-ERR too many sessions (max 2)');
    expect(await h.command('uuid_raw_audio_stream', `${c} start ${sim.url} mono 16k`)).toBe('-ERR too many sessions (max 2)');
    expect(await h.command(S2S, `${c} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('-ERR too many sessions (max 2)');
    expect(h.host.mediaStats(c)?.attached).toBe(false);
    expect(h.events(c)).toEqual([]);
    await sleep(100);
    expect(connectionsOf(c)).toHaveLength(0);
    // A place frees up when a session ends.
    expect(await h.command(S2S, `${b} session.delete`)).toBe('+OK Success');
    await waitFor(() => h.bridge.counters().tableChannels < 2, 'hook released');
    await startStream(c);
    expect(await h.command(AS, `${a} stop`)).toBe('+OK Success');
    expect(await h.command(AS, `${c} stop`)).toBe('+OK Success');
  });
});

describe('max-send-json-bytes', () => {
  it('a bigger send_json, stop <json> or client.event is refused with the limit named', async () => {
    const uuid = channel('json');
    await startStream(uuid);
    const big = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(3000) }] } };
    expect(await h.command(AS, `${uuid} send_json ${b64json(big)}`)).toBe('-ERR json too large (max 2048 bytes)');
    // A clean-up stop still stops; the reply says the final message was not sent.
    expect(await h.command(AS, `${uuid} stop ${b64json(big)}`)).toBe('-ERR final message not sent (json too large (max 2048 bytes)); the stream was stopped');
    expect(await h.command(AS, `${uuid} stop`)).toBe('-ERR no stream on this channel');
    const s2s = channel('json-s2s');
    expect(await h.command(S2S, `${s2s} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
    await waitFor(() => h.events(s2s, 'openai_s2s::connect').length > 0, 'connect');
    expect(await h.command(S2S, `${s2s} client.event ${JSON.stringify(big)}`)).toBe('-ERR json too large (max 2048 bytes)');
    expect(await h.command(S2S, `${s2s} session.delete`)).toBe('+OK Success');
  });
});

describe('playback-queue-ms', () => {
  it('a reply longer than the queue keeps what fits, drops the rest, counts it and says so once', async () => {
    const uuid = channel('queue');
    await startStream(uuid);
    expect(await h.command(AS, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, 'mod_openai_audio_stream::json').some((e) => e.body.includes('"response.done"')), 'response.done');
    const status = streamStatus(uuid)!;
    expect(status.limits).toEqual({ playbackQueueMs: 1000, uplinkBacklogMs: 100 });
    // 4 s arrived at once; about 1 s fits (plus the ring's 80 ms).
    expect(Number(status.playbackDroppedMs)).toBeGreaterThan(2500);
    expect(Number(status.playbackQueuedMs)).toBeLessThanOrEqual(1000);
    expect(h.logs(uuid).filter((l) => l.includes('playback queue full (playback-queue-ms 1000)'))).toHaveLength(1);
    expect(await h.command(AS, `${uuid} stop`)).toBe('+OK Success');
  });
});

describe('uplink-backlog-ms', () => {
  it('caller audio is dropped while more than 100 ms of it waits in a stalled socket; status and log say so', async () => {
    const uuid = channel('backlog', { STREAM_MESSAGE_DEFLATE: 'true' });
    const connection = await startStream(uuid);
    h.host.startMedia(uuid);
    await waitFor(() => connection.appendedAudioMs > 200, 'audio flowing');
    connection.applyFaults({ stall: {} });
    // Fill the kernel's socket buffers (the limit is on what waits in the process), within the app's share (4 x 2048).
    const event = { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: '' }] } };
    for (let i = 0; i < 4000; i++) {
      event.item.content[0]!.text = randomBytes(1400).toString('base64').slice(0, 1800);
      const reply = await h.command(AS, `${uuid} send_json ${b64json(event)}`);
      if (reply !== '+OK Success') {
        expect(reply).toMatch(/^-ERR send buffer full: the server is not reading \(\d+ bytes waiting, max 8192\)$/);
        break;
      }
    }
    await waitFor(() => Number(streamStatus(uuid)!.uplinkBacklogDroppedMs) >= 200, 'caller audio dropped');
    expect(h.logs(uuid).filter((l) => l.includes('caller audio is dropped while more than 100 ms of it'))).toHaveLength(1);
    expect(Number(streamStatus(uuid)!.socketBufferedBytes)).toBeLessThan(8192 + 2048 + 2048);
    expect(await h.command(AS, `${uuid} stop`)).toBe('+OK Success');
  });
});
