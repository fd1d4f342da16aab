// What this proves, through the native command queue exactly as fs_cli or ESL would call it: for
// every API command, bad input (empty, missing and extra arguments, unknown commands, invalid and
// unicode uuids, 1 MB arguments, bad rates, mix types and URLs, header injection in
// STREAM_EXTRA_HEADERS, garbage JSON for a live session) gets one clear `-ERR <reason>` — or, for
// a client event the module forwards, `+OK` and the server's error event — and nothing else
// happens: no session, no media hook, no connection, no event, no key in a reply or a log line,
// and the live sessions are still there afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { CORPUS_KEY, badInputCorpus, replyProblem, type BadInput } from '../helpers/badInputCorpus.js';
import { inProcessHost, newUuid, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';

let h: InProcessHost;
let sim: RealtimeSimulator;
/** A channel with nothing on it, and one each with a live session of either API. */
let idle: string;
const live: Record<'stream' | 's2s', string> = { stream: '', s2s: '' };

function channel(prefix: string, vars: Record<string, string> = {}): string {
  const uuid = newUuid(prefix);
  h.host.createChannel(uuid, { rate: 8000, ptimeMs: 20, source: new Int16Array(8000), vars: { STREAM_DISABLE_AUDIOFILES: 'true', ...vars } });
  return uuid;
}

/**
 * A live session of `kind` on its channel. A forwarded client event may end it — the simulator,
 * like OpenAI since the beta was switched off, closes with 4000 on a beta-shaped event — and that
 * is the server's answer, not ours; the next case then gets a new session.
 */
async function ensureLive(kind: 'stream' | 's2s'): Promise<void> {
  const family = kind === 'stream' ? 'audio_stream' : 's2s';
  const existing = live[kind] ? h.app.registry.get(live[kind], family) : undefined;
  if (existing && existing.status().state === 'open') return;
  // A session the server just closed is still ending (registered, not open): wait until it is gone,
  // or a case meant for a live session would meet a channel that is already free again.
  if (existing) await waitFor(() => !h.app.registry.get(live[kind], family), `old ${kind} gone`);
  live[kind] = channel(`bad-live-${kind}`);
  const uuid = live[kind];
  if (kind === 'stream') expect(await h.command('uuid_openai_audio_stream', `${uuid} start ${sim.url} mono`)).toBe('+OK Success');
  else expect(await h.command('uuid_openai_s2s', `${uuid} session.create ws://127.0.0.1:${sim.port} v1/realtime?model=gpt-realtime bearer`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, kind === 'stream' ? 'mod_openai_audio_stream::connect' : 'openai_s2s::connect').length > 0, `live ${kind}`);
}

beforeAll(async () => {
  h = inProcessHost();
  sim = await RealtimeSimulator.start({ voice: 'tone' });
  idle = channel('bad-idle');
  await ensureLive('stream');
  await ensureLive('s2s');
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await sim.close();
});

const fill = (text: string, uuid: string): string => text.replaceAll('${uuid}', uuid).replaceAll('${url}', sim.url);

describe('bad input corpus', () => {
  const corpus = badInputCorpus();
  const fresh: string[] = [];

  it.each(corpus.map((entry, i) => [`${entry.api} ${i}: ${entry.note}`, entry] as [string, BadInput]))('%s', async (_, entry) => {
    if (entry.session) await ensureLive(entry.session);
    const uuid = entry.session ? live[entry.session] : entry.vars ? channel('bad-vars', entry.vars) : idle;
    if (entry.vars) fresh.push(uuid);
    const connections = sim.connections.length;
    const reply = await h.command(entry.api, fill(entry.args, uuid), 15_000);
    expect(replyProblem(entry, reply), reply.slice(0, 300)).toBeNull();
    if (!entry.session) {
      expect(h.app.registry.get(uuid, 'audio_stream')).toBeUndefined();
      expect(h.app.registry.get(uuid, 's2s')).toBeUndefined();
      expect(h.app.registry.get(uuid, 'echo')).toBeUndefined();
      expect(h.host.mediaStats(uuid)?.attached ?? false).toBe(false);
      expect(h.events(uuid)).toEqual([]);
      expect(sim.connections.length).toBe(connections);
    }
  });

  it('left nothing behind: the live sessions alone, still open, and no key anywhere', async () => {
    await ensureLive('stream');
    await ensureLive('s2s');
    expect(h.app.registry.all().map((s) => s.uuid).sort()).toEqual([live.stream, live.s2s].sort());
    expect(h.app.registry.get(live.stream, 'audio_stream')!.status()).toMatchObject({ state: 'open', internalErrors: 0 });
    expect(h.app.registry.get(live.s2s, 's2s')!.status()).toMatchObject({ state: 'open', internalErrors: 0 });
    expect(h.bridge.counters().tableChannels).toBe(2);
    for (const uuid of [idle, ...fresh]) expect(h.events(uuid)).toEqual([]);
    expect(h.logs().filter((l) => l.includes(CORPUS_KEY))).toEqual([]);
    expect(h.host.records().events.filter((e) => e.includes(CORPUS_KEY))).toEqual([]);
  });
});
