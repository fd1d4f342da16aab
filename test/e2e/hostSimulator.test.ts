// What this proves: the embedded runtime (Debian's libnode 18 inside a native host, the same
// runtime FreeSWITCH loads) carries audio both ways bit-exactly through the real bridge and real
// media threads; a JS exception, a JS busy loop and a JS process.exit() do not end the host; 50
// channels at once and rapid start/stop churn leave nothing behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExact, noise, runHostSimulator } from '../helpers/hostSimulator.js';

/** The reply contains the caller audio from `from` onwards, delayed, sample for sample. */
function expectEchoed(caller: Int16Array, reply: Int16Array, rate: number, delayMs: number): number {
  const from = Math.round(rate * 0.2); // skip the first 200 ms (the stream starts a frame or two in)
  const at = findExact(reply, caller.subarray(from));
  expect(at).toBeGreaterThan(0);
  const lag = at - from;
  expect(lag).toBeGreaterThanOrEqual(Math.round((delayMs * rate) / 1000));
  let compared = 0;
  for (let i = from; i < caller.length && i + lag < reply.length; i++, compared++) {
    if (reply[i + lag] !== caller[i]) throw new Error(`sample ${i} differs after alignment`);
  }
  expect(compared).toBeGreaterThan(caller.length - from - rate); // all of it, bar the last second of tail
  return lag;
}

describe('host simulator with the embedded runtime', () => {
  it.each([
    [8000, 20],
    [16000, 10],
    [48000, 30],
    [8000, 60],
  ])('echoes caller audio bit-exactly at %i Hz, ptime %i ms', async (rate, ptime) => {
    const caller = noise(rate * 2);
    // The echo's delay is its only cushion against a stalled JS thread: 400 ms keeps a loaded test
    // machine from turning a scheduling stall into a gap (the media path under test is the same).
    const delayMs = 400;
    const run = await runHostSimulator({ caller, rate, ptime, tailMs: 900, script: [`0 openai_realtime echo \${uuid} start ${delayMs}`] });
    expect(run.code).toBe(0);
    expect(run.api()[0]?.reply).toBe('+OK Success\n');
    const lag = expectEchoed(caller, run.replies[0]!, rate, delayMs);
    // Delay + a few frames, + what one scheduling stall of the JS thread at the echo's start adds
    // on a loaded machine (an ASan build beside other jobs: 80 ms seen); a lag that kept growing
    // would still fail here.
    expect(lag).toBeLessThanOrEqual(Math.round((rate * (delayMs + 3 * ptime + 250)) / 1000));
    expect(run.replies[0]!.length).toBeGreaterThanOrEqual(caller.length); // aligned, same rate, no shorter
    const summary = run.summary()!;
    expect(summary.captureOverruns).toBe(0);
    expect(summary.liveChannelRecords).toBe(0);
  });

  it('names its threads for top -H: oair-js runs JS, oair-js-<n> the session workers, oair-node the helpers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oair-names-'));
    try {
      const config = join(dir, 'openai_realtime.conf.xml');
      writeFileSync(config, '<configuration name="openai_realtime.conf"><settings><param name="workers" value="2"/></settings></configuration>\n');
      const names = new Set<string>();
      const look = (pid: number): void => {
        try {
          for (const tid of readdirSync(`/proc/${pid}/task`)) names.add(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
        } catch {
          // the process is gone
        }
      };
      const run = await runHostSimulator({ caller: noise(8000), tailMs: 300, config, script: ['0 openai_realtime echo ${uuid} start 100'], whileRunning: look });
      expect(run.code).toBe(0);
      expect(run.api()[0]?.reply).toBe('+OK Success\n');
      expect(names).toContain('oair-js');
      expect(names).toContain('oair-js-0');
      expect(names).toContain('oair-js-1');
      expect(names).toContain('oair-node');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('contains a thrown JS exception and a rejected promise: commands and audio go on', async () => {
    const caller = noise(8000 * 2);
    const run = await runHostSimulator({
      caller,
      testHooks: true,
      tailMs: 500,
      script: [
        '0 openai_realtime echo ${uuid} start 200',
        '300 openai_realtime debug throw',
        '400 openai_realtime debug reject',
        '800 openai_realtime status json',
      ],
    });
    expect(run.code).toBe(0);
    const status = JSON.parse(run.api()[3]!.reply!) as { totals: { uncaughtErrors: number; sessions: number } };
    expect(status.totals.uncaughtErrors).toBe(2);
    expect(status.totals.sessions).toBe(1);
    expect(run.logs().some((l) => String(l.message).includes('uncaught exception contained'))).toBe(true);
    expectEchoed(caller, run.replies[0]!, 8000, 200);
  });

  it('survives process.exit() in JS: the runtime restarts and answers again', async () => {
    // Status is asked several times after the exit: how soon the fresh runtime answers depends on
    // the machine (an ASan build restarts slower); until then the host answers for itself.
    const run = await runHostSimulator({
      caller: noise(8000 * 7),
      testHooks: true,
      tailMs: 200,
      script: [
        '0 openai_realtime echo ${uuid} start 0',
        '500 openai_realtime debug exit',
        '2500 openai_realtime status',
        '4000 openai_realtime status',
        '5500 openai_realtime status',
        '6800 openai_realtime status',
      ],
    });
    expect(run.code).toBe(0); // the host process did not exit with JS's code 7
    const messages = run.logs().map((l) => String(l.message));
    expect(messages.some((m) => m.includes('asked to exit (code 7)'))).toBe(true);
    expect(messages.some((m) => m.includes('restarting'))).toBe(true);
    expect(messages.filter((m) => m.startsWith('runtime ready')).length).toBe(2);
    const statusReplies = run.api().slice(2).map((a) => String(a.reply));
    for (const r of statusReplies) expect(r).toMatch(/^sessions: 0|^-ERR runtime not running/); // never a hang
    expect(statusReplies[statusReplies.length - 1]).toMatch(/^sessions: 0/); // a fresh runtime answered
    expect(run.summary()!.liveChannelRecords).toBe(0); // the old runtime's hook was released
  });

  it('keeps the media clock while JS is stuck in a loop', async () => {
    const run = await runHostSimulator({
      caller: noise(8000 * 2),
      testHooks: true,
      tailMs: 0,
      script: ['0 openai_realtime echo ${uuid} start 0', '200 openai_realtime debug spin 800'],
    });
    expect(run.code).toBe(0);
    const summary = run.summary()!;
    expect(summary.ticks).toBeGreaterThanOrEqual(100); // 2 s at 20 ms: every tick happened
    expect(Number(summary.maxLateMs)).toBeLessThan(200); // the media threads never waited for JS's 800 ms
  });

  it('runs 50 channels at once, each echoed bit-exactly', async () => {
    const caller = noise(8000 * 2, 777);
    const run = await runHostSimulator({ caller, channels: 50, tailMs: 600, script: ['0 openai_realtime echo ${uuid} start 200'] });
    expect(run.code).toBe(0);
    expect(run.api().filter((a) => a.reply === '+OK Success\n').length).toBe(50);
    for (const reply of run.replies) expectEchoed(caller, reply, 8000, 200); // 200 ms of jitter room per call
    expect(run.summary()!.captureOverruns).toBe(0);
    expect(run.summary()!.liveChannelRecords).toBe(0);
  });

  it('survives start/stop churn with nothing left behind', async () => {
    const script: string[] = [];
    for (let i = 0; i < 40; i++) {
      script.push(`${i * 60} openai_realtime echo \${uuid} start 0`);
      script.push(`${i * 60 + 30} openai_realtime echo \${uuid} stop`);
    }
    const run = await runHostSimulator({ caller: noise(8000 * 3), channels: 4, tailMs: 0, script });
    expect(run.code).toBe(0);
    const replies = run.api().map((a) => a.reply);
    expect(replies.length).toBe(320);
    expect(replies.every((r) => r === '+OK Success\n')).toBe(true);
    expect(run.summary()!.liveChannelRecords).toBe(0);
    expect(run.logs().filter((l) => Number(l.level) <= 3)).toEqual([]);
  });
});
