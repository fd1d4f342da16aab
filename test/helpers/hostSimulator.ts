/**
 * Runs the host simulator executable (build-native/oair-sim: the embedded libnode runtime with the
 * real bridge, real media threads on a real clock) and reads back what the call produced.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWav, readWav } from '../../src/audio/wav.js';
import { parseCallRecord, type CallRecordLine } from '../../src/cli/callRecord.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const simulatorBinary = join(repoRoot, process.env.OAIR_SIM_BINARY ?? 'build-native/oair-sim');

export interface SimRunOptions {
  caller: Int16Array;
  rate?: number;
  ptime?: number;
  script?: string[];
  url?: string;
  vars?: Record<string, string>;
  channels?: number;
  tailMs?: number;
  speed?: number;
  testHooks?: boolean;
  config?: string;
  extraArgs?: string[];
  timeoutMs?: number;
  /** Extra environment of the simulator process (e.g. TMPDIR, where the debug WAV files go). */
  env?: Record<string, string>;
  /** Called every 20 ms while the simulator runs (e.g. to look at files that exist only during the call), with its pid. */
  whileRunning?: (pid: number) => void;
}

export interface SimRun {
  code: number | null;
  stderr: string;
  record: CallRecordLine[];
  /** Reply audio per channel (index 0 = the first channel). */
  replies: Int16Array[];
  dir: string;
  replyPath: string;
  eventsPath: string;
  api(): CallRecordLine[];
  events(subclass?: string): CallRecordLine[];
  logs(): CallRecordLine[];
  summary(): CallRecordLine | undefined;
}

export async function runHostSimulator(o: SimRunOptions): Promise<SimRun> {
  const dir = mkdtempSync(join(tmpdir(), 'oair-simtest-'));
  const rate = o.rate ?? 8000;
  const callerPath = join(dir, 'caller.wav');
  const replyPath = join(dir, 'reply.wav');
  const eventsPath = join(dir, 'events.jsonl');
  writeFileSync(callerPath, encodeWav(o.caller, rate, 1));
  const args = ['--bundle', repoRoot, '--caller', callerPath, '--reply', replyPath, '--events', eventsPath, '--rate', String(rate)];
  args.push('--ptime', String(o.ptime ?? 20));
  if (o.script) {
    const scriptPath = join(dir, 'call.script');
    writeFileSync(scriptPath, `${o.script.join('\n')}\n`);
    args.push('--script', scriptPath);
  }
  if (o.url) args.push('--url', o.url);
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push('--var', `${k}=${v}`);
  if (o.channels) args.push('--channels', String(o.channels));
  if (o.tailMs !== undefined) args.push('--tail-ms', String(o.tailMs));
  if (o.speed) args.push('--speed', String(o.speed));
  if (o.testHooks) args.push('--enable-test-hooks');
  if (o.config) args.push('--config', o.config);
  args.push(...(o.extraArgs ?? []));
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(simulatorBinary, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...o.env } });
    const watch = o.whileRunning;
    const poll = watch ? setInterval(() => watch(child.pid ?? 0), 20) : undefined;
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      clearInterval(poll);
      done({ code: c, stderr: err });
    });
  });
  let record: CallRecordLine[] = [];
  try {
    record = parseCallRecord(readFileSync(eventsPath, 'utf8'));
  } catch {
    // no record: the run failed before opening it (stderr says why)
  }
  const replies: Int16Array[] = [];
  for (let i = 0; i < (o.channels ?? 1); i++) {
    const p = i === 0 ? replyPath : replyPath.replace(/\.wav$/, `-${i}.wav`);
    try {
      replies.push(readWav(readFileSync(p)).samples);
    } catch {
      replies.push(new Int16Array(0));
    }
  }
  return {
    code,
    stderr,
    record,
    replies,
    dir,
    replyPath,
    eventsPath,
    api: () => record.filter((l) => l.kind === 'api'),
    events: (subclass?: string) => record.filter((l) => l.kind === 'event' && (!subclass || l.subclass === subclass)),
    logs: () => record.filter((l) => l.kind === 'log'),
    summary: () => record.find((l) => l.kind === 'summary'),
  };
}

/** Deterministic white-ish noise: every sample distinct enough to find an exact alignment. */
export function noise(samples: number, seed = 12345, amplitude = 10000): Int16Array {
  const out = new Int16Array(samples);
  let s = seed;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    out[i] = ((s >> 8) % (2 * amplitude)) - amplitude;
  }
  return out;
}

/** Where `needle` starts inside `haystack` (exact match of its first `probe` samples), or -1. */
export function findExact(haystack: Int16Array, needle: Int16Array, probe = 64): number {
  outer: for (let j = 0; j + probe <= haystack.length; j++) {
    for (let i = 0; i < probe; i++) if (haystack[j + i] !== needle[i]) continue outer;
    return j;
  }
  return -1;
}
