// What this proves, on the embedded runtime FreeSWITCH loads (through the host simulator, with
// real media threads): an exception in one session's own code — its media handler, or its handler
// of server frames — ends that session only. Its app gets an ::error; the other call's reply WAV is
// sample for sample what it is in the same run without the fault; the module keeps answering
// commands, and the faulted channel can start a new stream at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { runHostSimulator, type SimRun } from '../helpers/hostSimulator.js';

const FIRST = '00000000-0000-4000-8000-000000000001';
const EV = 'mod_openai_audio_stream::';
let sim: RealtimeSimulator;

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1200 }, recordAudio: false });
});

afterAll(async () => {
  await sim.close();
});

/**
 * Two calls, each asking for a reply at 300 ms and another at 2600 ms. Every script line runs on
 * both channels; `fault` lines name the first channel's uuid, so only its session is hit.
 */
function twoCalls(fault: string[]): Promise<SimRun> {
  return runHostSimulator({
    caller: new Int16Array(8000 * 4),
    channels: 2,
    tailMs: 600,
    url: sim.url,
    testHooks: true,
    script: [
      '0 start ${url} mono',
      `300 send_json ${b64json({ type: 'response.create' })}`,
      ...fault,
      '1500 openai_realtime status json',
      // The faulted channel starts over; on the other one this is "already running".
      '2500 start ${url} mono',
      `2600 send_json ${b64json({ type: 'response.create' })}`,
    ],
  });
}

/** The non-silent stretches of a reply (separated by at least 100 ms of zeros at 8 kHz). */
function segments(reply: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  let start = -1;
  let zeros = 0;
  for (let i = 0; i <= reply.length; i++) {
    const silent = i === reply.length || reply[i] === 0;
    if (!silent) {
      if (start < 0) start = i;
      zeros = 0;
    } else if (start >= 0 && ++zeros >= 800) {
      out.push(reply.subarray(start, i - zeros + 1));
      start = -1;
    }
  }
  if (start >= 0) out.push(reply.subarray(start, reply.length - zeros));
  return out;
}

function expectSameAudio(actual: Int16Array, expected: Int16Array): void {
  const a = segments(actual);
  const e = segments(expected);
  const where = (list: Int16Array[]) => list.map((x) => `${x.byteOffset / 2}+${x.length}`).join(' ');
  expect(where(a).replace(/\d+\+/g, '+'), `segments ${where(a)} vs ${where(e)}`).toBe(where(e).replace(/\d+\+/g, '+'));
  for (let i = 0; i < e.length; i++) {
    expect(a[i]!.length).toBe(e[i]!.length);
    expect(Buffer.from(a[i]!.buffer, a[i]!.byteOffset, a[i]!.byteLength).equals(Buffer.from(e[i]!.buffer, e[i]!.byteOffset, e[i]!.byteLength))).toBe(true);
  }
}

describe('containment through the host simulator', () => {
  let baseline: SimRun;

  beforeAll(async () => {
    baseline = await twoCalls([]);
    expect(baseline.code).toBe(0);
    // Two replies heard on each channel.
    expect(segments(baseline.replies[1]!)).toHaveLength(2);
  });

  // The media handler runs every 20 ms: armed mid-reply. Server frames come in bursts: armed before
  // the reply is asked for, so its response.created is the frame that throws.
  it.each([
    ['media', 700],
    ['server', 200],
  ])('an exception in the %s handler of one session ends that session only', async (site, atMs) => {
    const run = await twoCalls([`${atMs} openai_realtime debug throw-in-session ${FIRST} ${site}`]);
    expect(run.code).toBe(0);
    // Armed once (the other channel's copy of the line finds the session gone or ending, or arms the same fault).
    const armed = run.api().filter((a) => String(a.args).startsWith('debug throw-in-session'));
    expect(armed.some((a) => a.reply === `+OK the ${site} handler of the audio_stream session will throw\n`)).toBe(true);
    // The faulted session ended with an ::error its app can see, then its close.
    const errors = run.events(`${EV}error`).filter((e) => e.uuid === FIRST);
    expect(errors.map((e) => JSON.parse(String(e.body)).message.error)).toEqual(['internal error: the stream was ended']);
    expect(run.logs().some((l) => l.uuid === FIRST && String(l.message).includes(`thrown on purpose in the ${site} handler`))).toBe(true);
    // The module kept answering: status right after, and a new stream on the faulted channel.
    const status = JSON.parse(String(run.api().find((a) => a.uuid === FIRST && String(a.args).startsWith('status json'))!.reply));
    expect(status.totals.sessions).toBe(1);
    const restarts = run.api().filter((a) => String(a.args).endsWith(' start ' + sim.url + ' mono') && a.uuid === FIRST);
    expect(restarts.map((a) => a.reply)).toEqual(['+OK Success\n', '+OK Success\n']);
    expect(segments(run.replies[0]!).length).toBeGreaterThanOrEqual(1); // the second reply of the faulted channel is heard
    // The other call heard exactly what it hears without the fault.
    expectSameAudio(run.replies[1]!, baseline.replies[1]!);
    expect(run.events(`${EV}error`).filter((e) => e.uuid !== FIRST)).toEqual([]);
    expect(run.summary()!.liveChannelRecords).toBe(0);
    expect(run.stderr).not.toMatch(/Sanitizer|runtime error:/);
  });
});
