// What this proves: with sessions sharded over worker threads, every command goes where its state
// lives — a channel's command to the worker that owns the channel (sticky: the same uuid, in any
// case and in the `^^<delim>` form, always lands on the same worker), module-wide commands to the
// main thread — and the merged status reads like one thread's status. Pure functions; the threads
// themselves are exercised through the host simulator in test/e2e/workers.test.ts.
import { describe, expect, it } from 'vitest';
import { mergeBroadcastReplies, routeCommand, shardOf, uuidArgument } from '../../src/runtime/workerRouting.js';
import { mergeStatus } from '../../src/runtime/statusMerge.js';
import { resolveWorkerCount } from '../../src/runtime/workerCount.js';

const UUID = '5f0c1a2e-7d3b-4c6a-9e8f-0123456789ab';

describe('routeCommand', () => {
  it('routes channel APIs by their uuid argument', () => {
    expect(routeCommand('uuid_openai_audio_stream', `${UUID} start wss://x mono`)).toEqual({ kind: 'channel', uuid: UUID });
    expect(routeCommand('uuid_raw_audio_stream', `  ${UUID} stop`)).toEqual({ kind: 'channel', uuid: UUID });
    expect(routeCommand('uuid_openai_s2s', `^^|${UUID}|client.event|{"type":"x y"}`)).toEqual({ kind: 'channel', uuid: UUID });
    expect(routeCommand('uuid_openai_s2s', `^^;${UUID};stop`)).toEqual({ kind: 'channel', uuid: UUID });
    expect(routeCommand('uuid_openai_audio_stream', '')).toEqual({ kind: 'channel', uuid: '' });
  });

  it('answers module-wide openai_realtime commands on the main thread, echo on the channel owner', () => {
    expect(routeCommand('openai_realtime', 'status')).toEqual({ kind: 'status', json: false });
    expect(routeCommand('openai_realtime', ' STATUS json')).toEqual({ kind: 'status', json: true });
    expect(routeCommand('openai_realtime', 'reload')).toEqual({ kind: 'broadcast' });
    expect(routeCommand('openai_realtime', `echo ${UUID} start 100`)).toEqual({ kind: 'channel', uuid: UUID });
    expect(routeCommand('openai_realtime', 'echo')).toEqual({ kind: 'main' });
    expect(routeCommand('openai_realtime', 'debug throw')).toEqual({ kind: 'main' });
    expect(routeCommand('openai_realtime', `debug worker-exit ${UUID} 9`)).toEqual({ kind: 'worker-exit', uuid: UUID, code: 9 });
    expect(routeCommand('openai_realtime', '')).toEqual({ kind: 'main' });
    expect(routeCommand('openai_realtime', 'bogus')).toEqual({ kind: 'main' });
  });

  it('finds the uuid of the ^^<delim> form with any delimiter', () => {
    expect(uuidArgument(`^^:${UUID}:start`)).toBe(UUID);
    expect(uuidArgument(`^^#${UUID}`)).toBe(UUID);
    expect(uuidArgument('^^')).toBe('^^');
  });
});

describe('shardOf', () => {
  it('is sticky and case-insensitive, and spreads uuids over the workers', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const shard = shardOf(uuid, 4);
      expect(shardOf(uuid.toUpperCase(), 4)).toBe(shard);
      expect(shardOf(uuid, 4)).toBe(shard);
      counts[shard]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800); // 1000 each ± a few %
    expect(shardOf(UUID, 1)).toBe(0);
  });
});

describe('resolveWorkerCount', () => {
  it('0 means one per core; the bridge caps it at 63', () => {
    expect(resolveWorkerCount(0, 8)).toBe(8);
    expect(resolveWorkerCount(1, 8)).toBe(1);
    expect(resolveWorkerCount(3, 2)).toBe(3);
    expect(resolveWorkerCount(256, 2)).toBe(63);
    expect(resolveWorkerCount(0, 0)).toBe(1);
  });
});

describe('mergeBroadcastReplies', () => {
  it('gives the common reply, else the first error', () => {
    expect(mergeBroadcastReplies(['+OK reloaded (2 profiles)', '+OK reloaded (2 profiles)'])).toBe('+OK reloaded (2 profiles)');
    expect(mergeBroadcastReplies(['+OK a', '-ERR b'])).toBe('-ERR b');
    expect(mergeBroadcastReplies([])).toBe('-ERR no worker answered');
  });
});

describe('mergeStatus', () => {
  const worker = (sessions: Array<Record<string, unknown>>, uncaught = 0): string =>
    JSON.stringify({
      totals: { sessions: sessions.length, mediaHooks: sessions.length, uncaughtErrors: uncaught, liveChannels: 99 },
      module: {
        uptimeS: 1,
        sessions: Object.fromEntries([...new Set(sessions.map((x) => String(x.family)))].map((f) => [f, sessions.filter((x) => x.family === f).length])),
        started: { echo: 5 },
        ended: { echo: 4 },
        memory: { rssMb: 1000, heapUsedMb: 10, heapTotalMb: 20, externalMb: 1, arrayBuffersMb: 0.5 },
        toolHandlers: null,
      },
      config: { file: null, profiles: [] },
      sessions,
    });
  /** The table rows' first columns (uuid, family, worker). */
  const rows = (text: string): string[] => text.split('\n').filter((l) => /^[a-c]  /.test(l)).map((l) => l.split(/\s{2,}/).slice(0, 3).join(' '));

  it('sums the workers, counts process-wide counters once and tags each session with its worker', () => {
    const parts = [
      { index: 0, reply: worker([{ uuid: 'a', family: 'echo' }], 1), restarts: 0 },
      { index: 1, reply: worker([{ uuid: 'b', family: 'audio_stream' }, { uuid: 'c', family: 'echo' }]), restarts: 2 },
    ];
    const json = JSON.parse(mergeStatus(parts, 1, { liveChannels: 3, tableChannels: 3, commandTimeouts: 0 }, true)) as {
      totals: Record<string, number>;
      module: { sessions: Record<string, number>; started: Record<string, number>; ended: Record<string, number>; memory: Record<string, number> };
      config: unknown;
      sessions: Array<Record<string, unknown>>;
      workers: Array<Record<string, unknown>>;
    };
    expect(json.totals).toEqual({ sessions: 3, mediaHooks: 3, uncaughtErrors: 2, liveChannels: 3, tableChannels: 3, commandTimeouts: 0, workers: 2 });
    expect(json.config).toEqual({ file: null, profiles: [] });
    expect(json.sessions.map((s) => [s.uuid, s.worker])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
    ]);
    expect(json.workers[1]).toMatchObject({ index: 1, answered: true, sessions: 2, restarts: 2 });
    // Module parts: sessions and starts add up; the JS heaps add up on top of this thread's own;
    // the resident size is the process's, taken once (here, from this process).
    expect(json.module.sessions).toEqual({ echo: 2, audio_stream: 1 });
    expect(json.module.started).toEqual({ echo: 10 });
    expect(json.module.ended).toEqual({ echo: 8 });
    expect(json.module.memory.heapUsedMb).toBeGreaterThanOrEqual(20);
    expect(json.module.memory.rssMb).not.toBe(2000);
    const text = mergeStatus(parts, 0, {}, false);
    expect(text.split('\n')[0]).toBe('sessions: 3  media hooks: 3  uncaught errors: 1  workers: 2');
    expect(text.split('\n')[1]).toMatch(/^active: echo 2, audio_stream 1  started: 10  ended: 8  up: /);
    expect(rows(text)).toEqual(['a echo 0', 'b audio_stream 1', 'c echo 1']);
  });

  it('names a worker that did not answer', () => {
    const text = mergeStatus([{ index: 0, reply: worker([]), restarts: 0 }, { index: 1, reply: null, restarts: 0 }], 0, {}, false);
    expect(text.split('\n')[0]).toBe('sessions: 0  media hooks: 0  uncaught errors: 0  workers: 2');
    expect(text.split('\n')).toContain('workers not answering: 1');
    expect(rows(text)).toEqual([]);
  });
});
