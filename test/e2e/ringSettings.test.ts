// The module settings capture-ring-ms and playback-ring-ms size the rings of every session's media
// hook (through the real bridge and test host, not a stand-in): a configuration file that sets them
// gives rings of that size (rounded up by the host to a power of two samples), for either API,
// where the defaults give 1000 ms rings; after `openai_realtime reload` new sessions get the new sizes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';
import { createTaggedChannel, inProcessHost, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

let h: InProcessHost;
let sim: RealtimeSimulator;
let t: TempDir;
let configFile: string;

const CAPTURE_RING_MS = 3000;
const PLAYBACK_RING_MS = 200;

beforeAll(async () => {
  t = tempDir();
  configFile = writeConfig(CAPTURE_RING_MS, PLAYBACK_RING_MS);
  h = inProcessHost({ configFile });
  sim = await RealtimeSimulator.start({ voice: 'tone' });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
  t.remove();
});

function writeConfig(captureMs: number, playbackMs: number): string {
  return t.write(
    'openai_realtime.conf.xml',
    `<configuration name="openai_realtime.conf">
  <settings>
    <param name="capture-ring-ms" value="${captureMs}"/>
    <param name="playback-ring-ms" value="${playbackMs}"/>
  </settings>
</configuration>
`,
  );
}

/** What a ring of `ms` at `rate` becomes: the host rounds the sample count up to a power of two. */
function ringMs(ms: number, rate: number): number {
  let samples = 1;
  while (samples < (ms * rate) / 1000) samples *= 2;
  return Math.floor((samples * 1000) / rate);
}

describe('capture-ring-ms / playback-ring-ms', () => {
  it('an audio stream and an s2s session get rings of the configured sizes', async () => {
    for (const rate of [8000, 16000]) {
      const a = createTaggedChannel(h, 'ring-as', { rate, seconds: 5, vars: { STREAM_DISABLE_AUDIOFILES: 'true' } });
      expect(await h.command('uuid_openai_audio_stream', `${a} start ${sim.url} mono`)).toBe('+OK Success');
      const stream = await waitFor(() => h.app.registry.get(a, 'audio_stream')?.status(), 'stream status');
      expect(stream).toMatchObject({ captureRingMs: ringMs(CAPTURE_RING_MS, rate), playbackRingMs: ringMs(PLAYBACK_RING_MS, rate) });
      // Not the defaults (1000 ms each).
      expect(stream.captureRingMs).not.toBe(ringMs(1000, rate));
      expect(stream.playbackRingMs).not.toBe(ringMs(1000, rate));
      expect(await h.command('uuid_openai_audio_stream', `${a} stop`)).toBe('+OK Success');
    }
    const b = createTaggedChannel(h, 'ring-s2s', { seconds: 5 });
    expect(await h.command('uuid_openai_s2s', `${b} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe(
      '+OK Success',
    );
    const s2s = await waitFor(() => h.app.registry.get(b, 's2s')?.status(), 's2s status');
    expect(s2s).toMatchObject({ captureRingMs: ringMs(CAPTURE_RING_MS, 8000), playbackRingMs: ringMs(PLAYBACK_RING_MS, 8000) });
    expect(await h.command('uuid_openai_s2s', `${b} session.delete`)).toBe('+OK Success');
  });

  it('a reload applies new sizes to the sessions that start after it', async () => {
    writeConfig(500, 2000);
    expect(await h.command('openai_realtime', 'reload')).toMatch(/^\+OK/);
    const a = createTaggedChannel(h, 'ring-reload', { seconds: 5, vars: { STREAM_DISABLE_AUDIOFILES: 'true' } });
    expect(await h.command('uuid_openai_audio_stream', `${a} start ${sim.url} mono`)).toBe('+OK Success');
    const stream = await waitFor(() => h.app.registry.get(a, 'audio_stream')?.status(), 'stream status');
    expect(stream).toMatchObject({ captureRingMs: ringMs(500, 8000), playbackRingMs: ringMs(2000, 8000) });
    expect(await h.command('uuid_openai_audio_stream', `${a} stop`)).toBe('+OK Success');
  });
});
