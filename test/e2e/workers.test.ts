// What this proves, through the host simulator (the embedded libnode 18 runtime with real media
// threads): with the module setting `workers` > 1 the sessions run on worker threads and
//  - every channel command reaches the worker that owns the channel (stop after start finds the
//    session; status shows each session on the worker its uuid hashes to), for echo tests and for
//    audio streams talking to the realtime simulator over real sockets;
//  - `openai_realtime status` merges all workers and reads like the single-thread status;
//  - `workers: 1` is the single-threaded runtime as before (no worker threads, same replies);
//  - a worker that dies ends its own sessions cleanly — media hooks detached, records released,
//    the channels free for a new start on the restarted worker — while the other worker's
//    sessions go on untouched.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/runtime/workerRouting.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { speechBursts } from '../helpers/callerAudio.js';
import { findExact, noise, runHostSimulator, type SimRun } from '../helpers/hostSimulator.js';

const uuidOf = (i: number): string => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oair-workers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(workers: number): string {
  const path = join(dir, `workers-${workers}.conf.xml`);
  writeFileSync(
    path,
    `<configuration name="openai_realtime.conf">\n  <settings>\n    <param name="workers" value="${workers}"/>\n  </settings>\n</configuration>\n`,
  );
  return path;
}

interface StatusJson {
  totals: Record<string, number>;
  module: { sessions: Record<string, number>; started: Record<string, number>; memory: Record<string, number> };
  sessions: Array<{ uuid: string; family: string; worker?: number }>;
  workers?: Array<{ index: number; sessions: number; restarts: number; answered: boolean }>;
}

/** Replies to commands whose arguments are `args` or start with `args` and a space (`exact`: only equal). */
function replies(run: SimRun, args: string, exact = false): string[] {
  return run
    .api()
    .filter((a) => String(a.args) === args || (!exact && String(a.args).startsWith(`${args} `)))
    .map((a) => String(a.reply));
}

function firstStatusJson(run: SimRun, atOrAfterMs = 0): StatusJson {
  const line = run.api().find((a) => a.args === 'status json' && Number(a.t) >= atOrAfterMs);
  if (!line) throw new Error('no status json reply');
  return JSON.parse(String(line.reply)) as StatusJson;
}

/** Caller audio of channel `reply` is echoed sample-exactly over caller[from, to). */
function echoedExactly(caller: Int16Array, reply: Int16Array, from: number, to: number): boolean {
  const at = findExact(reply, caller.subarray(from));
  if (at < 0) return false;
  const lag = at - from;
  for (let i = from; i < to && i + lag < reply.length; i++) if (reply[i + lag] !== caller[i]) return false;
  return true;
}

describe('sessions sharded over worker threads', () => {
  const CHANNELS = 6;
  const caller = noise(8000 * 2, 4242);
  // 200 ms of echo delay: jitter room on a loaded machine, so the echo stays sample-aligned.
  const script = ['0 openai_realtime echo ${uuid} start 200', '800 openai_realtime status json', '900 openai_realtime status', '1500 openai_realtime echo ${uuid} stop'];

  it.each([1, 2])('workers %i: echo calls, sticky commands and status', async (workers) => {
    const run = await runHostSimulator({ caller, channels: CHANNELS, tailMs: 300, script, config: configWith(workers) });
    expect(run.code).toBe(0);
    expect(replies(run, 'echo').every((r) => r === '+OK Success\n')).toBe(true);
    expect(replies(run, 'echo')).toHaveLength(2 * CHANNELS); // every stop found its session
    for (const reply of run.replies) expect(echoedExactly(caller, reply, 1600, 8000)).toBe(true);

    const ready = run.logs().filter((l) => String(l.message).startsWith('runtime ready'));
    expect(ready).toHaveLength(1);
    const status = firstStatusJson(run);
    expect(status.totals.sessions).toBe(CHANNELS);
    expect(status.sessions.map((s) => s.uuid).sort()).toEqual(Array.from({ length: CHANNELS }, (_, i) => uuidOf(i)).sort());
    const text = replies(run, 'status', true)[0]!;
    if (workers === 1) {
      expect(String(ready[0]!.message)).not.toContain('worker threads');
      expect(status.totals.workers).toBeUndefined();
      expect(status.workers).toBeUndefined();
      expect(text.split('\n')[0]).toBe(`sessions: ${CHANNELS}  media hooks: ${CHANNELS}  uncaught errors: 0`);
    } else {
      expect(String(ready[0]!.message)).toContain(`sessions on ${workers} worker threads`);
      expect(status.totals.workers).toBe(workers);
      for (const s of status.sessions) expect(s.worker).toBe(shardOf(s.uuid, workers));
      expect(new Set(status.sessions.map((s) => s.worker)).size).toBe(workers); // both workers hold sessions
      expect(status.workers!.map((w) => w.sessions).reduce((a, b) => a + b)).toBe(CHANNELS);
      // The single-thread text, plus the worker count.
      expect(text.split('\n')[0]).toBe(`sessions: ${CHANNELS}  media hooks: ${CHANNELS}  uncaught errors: 0  workers: ${workers}`);
    }
    // One table row per session, on the worker its uuid hashes to (a worker column when sharded).
    const rows = text.split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => `${r[0]}  ${r[1]}`).sort()).toEqual(Array.from({ length: CHANNELS }, (_, i) => `${uuidOf(i)}  echo`).sort());
    if (workers > 1) for (const r of rows) expect(Number(r[2])).toBe(shardOf(r[0]!, workers));
    // The module section merges every worker's: active sessions and starts add up, memory is the process's.
    expect(text.split('\n')[1]).toMatch(new RegExp(`^active: echo ${CHANNELS}  started: ${CHANNELS}  ended: 0  `));
    expect(status.module.sessions).toEqual({ echo: CHANNELS });
    expect(status.module.started).toEqual({ echo: CHANNELS });
    expect(status.module.memory.rssMb).toBeGreaterThan(status.module.memory.heapUsedMb);
    expect(run.summary()!.liveChannelRecords).toBe(0);
    expect(run.summary()!.captureOverruns).toBe(0);
  });

  it('a worker that dies ends its sessions cleanly; the other worker carries on; the slot restarts', async () => {
    const CH = 4;
    const victim = uuidOf(0);
    const dead = shardOf(victim, 2);
    const inDead = (i: number): boolean => shardOf(uuidOf(i), 2) === dead;
    expect([0, 1, 2, 3].some((i) => !inDead(i))).toBe(true); // the other worker holds some of these calls
    const audio = noise(8000 * 4, 99);
    const run = await runHostSimulator({
      caller: audio,
      channels: CH,
      tailMs: 200,
      testHooks: true,
      config: configWith(2),
      script: [
        // 200 ms of delay: room for a loaded machine's jitter, so the echo stays sample-aligned.
        '0 openai_realtime echo ${uuid} start 200',
        // Every channel's API thread sends it; they all name the same worker, which exits once.
        `700 openai_realtime debug worker-exit ${victim} 9`,
        // A second after the death: room for a loaded machine to restart the worker thread.
        '2300 openai_realtime status json',
        '2500 openai_realtime echo ${uuid} start 200',
        '2900 openai_realtime status json',
      ],
    });
    expect(run.code).toBe(0);
    expect(replies(run, 'debug').every((r) => r === `+OK worker ${dead} will exit\n`)).toBe(true);
    const exits = run.logs().filter((l) => String(l.message).includes(`worker ${dead} exited (code 9)`));
    expect(exits).toHaveLength(1);
    expect(String(exits[0]!.message)).toContain('channels were released');

    // After the death: only the survivor's sessions; the dead worker's slot counts one restart.
    const after = firstStatusJson(run, 2300);
    expect(after.sessions.map((s) => s.uuid).sort()).toEqual([0, 1, 2, 3].filter((i) => !inDead(i)).map(uuidOf).sort());
    expect(after.workers![dead]).toMatchObject({ answered: true, sessions: 0, restarts: 1 });

    // A new start finds the dead worker's channels free (their hooks were detached) and the
    // survivor's still taken.
    const starts = run.api().filter((a) => String(a.args).startsWith('echo') && Number(a.t) >= 2500);
    expect(starts).toHaveLength(CH);
    for (const s of starts) {
      const i = Number(String(s.uuid).slice(-12)) - 1;
      expect(s.reply).toBe(inDead(i) ? '+OK Success\n' : '-ERR echo already running on this channel\n');
    }
    expect(firstStatusJson(run, 2900).totals.sessions).toBe(CH);

    // What the callers heard: the survivor's calls echoed straight through the death; the dead
    // worker's calls went silent at once (no ring left feeding a dead thread), then echoed again.
    for (let i = 0; i < CH; i++) {
      const reply = run.replies[i]!;
      if (inDead(i)) {
        const gap = reply.subarray(8000 * 1.0, 8000 * 2.6);
        expect(gap.every((v) => v === 0)).toBe(true);
        expect(echoedExactly(audio, reply, 8000 * 2.6, 8000 * 3.5)).toBe(true);
      } else {
        expect(echoedExactly(audio, reply, 1600, 8000 * 3.5)).toBe(true);
      }
    }
    expect(run.summary()!.liveChannelRecords).toBe(0);
    expect(run.logs().filter((l) => Number(l.level) <= 3 && !String(l.message).includes('exited (code 9)'))).toEqual([]);
  });

  describe('audio streams against the realtime simulator', () => {
    let sim: RealtimeSimulator;
    beforeAll(async () => {
      sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 800, frequencyHz: 440 } });
    });
    afterAll(async () => {
      await sim.close();
    });

    it('workers 2: every stream connects, is answered, and stops through its own worker', async () => {
      const CH = 4;
      const run = await runHostSimulator({
        caller: speechBursts(8000, 4000, [{ atMs: 400, ms: 700 }]),
        url: sim.url,
        channels: CH,
        tailMs: 300,
        config: configWith(2),
        script: ['0 start ${url} mono', '3000 openai_realtime status json', '3500 stop'],
      });
      expect(run.code).toBe(0);
      const api = run.api();
      expect(api.filter((a) => a.api === 'uuid_openai_audio_stream').map((a) => a.reply)).toEqual(Array(2 * CH).fill('+OK Success\n'));
      for (let i = 0; i < CH; i++) {
        expect(run.events('mod_openai_audio_stream::connect').some((e) => e.uuid === uuidOf(i))).toBe(true);
        // The answer (a 440 Hz tone) was played to this caller after the caller spoke.
        const heard = run.replies[i]!.subarray(8000 * 1.2, 8000 * 3.4);
        expect(heard.some((v) => Math.abs(v) > 1000)).toBe(true);
      }
      const status = firstStatusJson(run, 3000);
      expect(status.totals.sessions).toBe(CH);
      for (const s of status.sessions) expect(s.worker).toBe(shardOf(s.uuid, 2));
      // (Underruns depend on how loaded the machine is: the bench measures them, tests do not.)
      expect(run.summary()!.liveChannelRecords).toBe(0);
    });
  });
});
