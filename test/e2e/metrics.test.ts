// What this proves, through the host simulator (the embedded libnode 18 runtime, real media threads)
// with real sessions talking to the realtime simulator over real sockets:
//  - `openai_realtime metrics` answers the Prometheus text format: sessions by family, protocol and
//    state while the calls run; after they end, starts and ends by reason, frames in and out,
//    tokens and the response/playout latency histograms — the same totals whether the sessions ran
//    on one thread or were sharded over two workers (whose answers are summed);
//  - with `metrics-listen` the runtime serves GET /metrics on that address over a real socket, and
//    without it the runtime listens on no TCP port at all;
//  - a bad `metrics-listen` value is refused when the configuration loads, naming the setting.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configError.js';
import { loadModuleConfig } from '../../src/config/moduleConfig.js';
import { RealtimeSimulator } from '../../src/simulator/index.js';
import { configText, tempDir, type TempDir } from '../helpers/configFixtures.js';
import { b64json, speechBursts } from '../helpers/callerAudio.js';
import { noise, runHostSimulator } from '../helpers/hostSimulator.js';

let t: TempDir;
beforeAll(() => {
  t = tempDir();
});
afterAll(() => t.remove());

function config(settings: Record<string, string>): string {
  const params = Object.entries(settings).map(([k, v]) => `    <param name="${k}" value="${v}"/>\n`);
  return t.write(`m${Math.random().toString(36).slice(2)}.conf.xml`, configText('', params.join('')));
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition format: `# TYPE` lines and samples (`name{a="b",...} value`). */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.length === 0 || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

/** Sum of the samples named `name` whose labels include `labels`. */
function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

describe('openai_realtime metrics after simulated calls', () => {
  let sim: RealtimeSimulator;
  beforeAll(async () => {
    sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600, frequencyHz: 440 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each([1, 2])('workers %i: gauges while the calls run, counters and histograms after they end', async (workers) => {
    const CH = 2;
    const run = await runHostSimulator({
      caller: speechBursts(8000, 4500, [{ atMs: 400, ms: 700 }]),
      url: sim.url,
      channels: CH,
      tailMs: 300,
      config: config({ workers: String(workers) }),
      script: ['0 start ${url} mono', '2800 openai_realtime metrics', '3200 stop', '3900 openai_realtime metrics'],
    });
    expect(run.code).toBe(0);
    // The script runs per channel: the first answer at each time is the one read.
    const answers = run.api().filter((a) => a.api === 'openai_realtime' && a.args === 'metrics');
    const at = (ms: number): string => String(answers.find((a) => Number(a.t) >= ms)!.reply);
    const during = parseExposition(at(2800));
    const after = parseExposition(at(3900));

    expect(during.types.get('openai_realtime_sessions')).toBe('gauge');
    expect(sum(during.samples, 'openai_realtime_sessions', { family: 'audio_stream', protocol: 'realtime', state: 'open' })).toBe(CH);
    // Frames are counted while the calls run, and the totals do not step back when they end.
    const framesDuring = sum(during.samples, 'openai_realtime_frames_in_total');
    expect(framesDuring).toBeGreaterThan(100 * CH);

    const s = after.samples;
    for (const [name, type] of [
      ['openai_realtime_sessions_started_total', 'counter'],
      ['openai_realtime_sessions_ended_total', 'counter'],
      ['openai_realtime_session_failures_total', 'counter'],
      ['openai_realtime_frames_in_total', 'counter'],
      ['openai_realtime_frames_out_total', 'counter'],
      ['openai_realtime_underruns_total', 'counter'],
      ['openai_realtime_server_gaps_total', 'counter'],
      ['openai_realtime_reconnects_total', 'counter'],
      ['openai_realtime_tokens_total', 'counter'],
      ['openai_realtime_live_usage_seconds_total', 'counter'],
      ['openai_realtime_response_latency_seconds', 'histogram'],
      ['openai_realtime_playout_latency_seconds', 'histogram'],
    ]) {
      expect([name, after.types.get(name!)]).toEqual([name, type]);
    }
    expect(sum(s, 'openai_realtime_sessions')).toBe(0);
    expect(sum(s, 'openai_realtime_sessions_started_total', { family: 'audio_stream', protocol: 'realtime' })).toBe(CH);
    expect(sum(s, 'openai_realtime_sessions_ended_total', { family: 'audio_stream', protocol: 'realtime', reason: 'stop' })).toBe(CH);
    expect(sum(s, 'openai_realtime_session_failures_total')).toBe(0);
    expect(sum(s, 'openai_realtime_frames_in_total', { protocol: 'realtime' })).toBeGreaterThanOrEqual(framesDuring);
    // Frames written are the answer's (a 600 ms tone: 30 frames of 20 ms per caller).
    expect(sum(s, 'openai_realtime_frames_out_total')).toBeGreaterThanOrEqual(25 * CH);
    expect(sum(s, 'openai_realtime_reconnects_total')).toBe(0);
    expect(sum(s, 'openai_realtime_tokens_total', { protocol: 'realtime', kind: 'output' })).toBeGreaterThan(0);
    expect(sum(s, 'openai_realtime_tokens_total', { protocol: 'realtime', kind: 'input_audio' })).toBeGreaterThan(0);
    // One answer per caller: one response latency and one playout latency measured each.
    expect(sum(s, 'openai_realtime_response_latency_seconds_count')).toBe(CH);
    expect(sum(s, 'openai_realtime_playout_latency_seconds_count')).toBe(CH);
    expect(sum(s, 'openai_realtime_response_latency_seconds_bucket', { le: '+Inf' })).toBe(CH);
    expect(sum(s, 'openai_realtime_response_latency_seconds_sum')).toBeGreaterThan(0);
    // Nothing identifying in any label: no uuid, no URL.
    for (const sample of [...during.samples, ...s]) {
      for (const v of Object.values(sample.labels)) expect(v).toMatch(/^[a-z_0-9.+Inf]*$/);
    }
    if (workers > 1) expect(sum(s, 'openai_realtime_metrics_workers_silent')).toBe(0);
  });
});

describe('openai_realtime metrics of a GPT-Live session', () => {
  it('protocol live: started and ended by reason, frames, and the usage seconds the server reported', async () => {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 600 }, live: { usageIntervalMs: 1000 } });
    try {
      const run = await runHostSimulator({
        caller: speechBursts(8000, 4500, [{ atMs: 400, ms: 700 }]),
        tailMs: 300,
        script: [`0 start ${sim.liveUrl} mono`, `5 send_json ${b64json({ type: 'session.start', session: { model: 'gpt-live-1' } })}`, '2800 openai_realtime metrics', '3200 stop', '3900 openai_realtime metrics'],
      });
      expect(run.code).toBe(0);
      const answers = run.api().filter((a) => a.api === 'openai_realtime' && a.args === 'metrics');
      const during = parseExposition(String(answers[0]!.reply)).samples;
      const after = parseExposition(String(answers[1]!.reply)).samples;
      expect(sum(during, 'openai_realtime_sessions', { family: 'audio_stream', protocol: 'live' })).toBe(1);
      expect(sum(after, 'openai_realtime_sessions_started_total', { protocol: 'live' })).toBe(1);
      expect(sum(after, 'openai_realtime_sessions_ended_total', { protocol: 'live', reason: 'stop' })).toBe(1);
      expect(sum(after, 'openai_realtime_frames_in_total', { protocol: 'live' })).toBeGreaterThan(100);
      // session.usage.updated every second of a call of about 3 s.
      expect(sum(after, 'openai_realtime_live_usage_seconds_total', { protocol: 'live' })).toBeGreaterThanOrEqual(2);
      expect(sum(after, 'openai_realtime_live_usage_seconds_total', { protocol: 'realtime' })).toBe(0);
    } finally {
      await sim.close();
    }
  });
});

/** TCP ports `pid` listens on: its socket inodes matched against /proc/net/tcp{,6} in state LISTEN. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('metrics-listen', () => {
  it('configured: GET /metrics over a real socket answers the exposition format; other paths 404', async () => {
    const port = await freePort();
    let fetched: Promise<{ status: number; type: string | null; body: string; other: number; ports: number[] }> | null = null;
    const run = await runHostSimulator({
      caller: noise(8000 * 3),
      tailMs: 200,
      config: config({ 'metrics-listen': `127.0.0.1:${port}` }),
      script: ['0 openai_realtime echo ${uuid} start 100'],
      whileRunning: (pid) => {
        if (fetched !== null || pid === 0) return;
        fetched = (async () => {
          const deadline = Date.now() + 10_000;
          for (;;) {
            try {
              const res = await fetch(`http://127.0.0.1:${port}/metrics`);
              const body = await res.text();
              // Until the script has started the echo test.
              if (!body.includes('family="echo"') && Date.now() < deadline) throw new Error('no echo session yet');
              const other = (await fetch(`http://127.0.0.1:${port}/`)).status;
              return { status: res.status, type: res.headers.get('content-type'), body, other, ports: listeningPorts(pid) };
            } catch (err) {
              if (Date.now() > deadline) throw err;
              await new Promise((r) => setTimeout(r, 50));
            }
          }
        })();
      },
    });
    expect(run.code).toBe(0);
    expect(fetched).not.toBeNull();
    const got = await fetched!;
    expect(got.status).toBe(200);
    expect(got.type).toContain('text/plain; version=0.0.4');
    expect(got.other).toBe(404);
    expect(got.ports).toContain(port);
    const { types, samples } = parseExposition(got.body);
    expect(types.get('openai_realtime_sessions')).toBe('gauge');
    expect(sum(samples, 'openai_realtime_sessions_started_total', { family: 'echo', protocol: 'none' })).toBe(1);
    expect(sum(samples, 'openai_realtime_sessions', { family: 'echo', protocol: 'none', state: 'none' })).toBe(1);
    expect(run.stderr).not.toMatch(/metrics-listen/);
  });

  it('not configured: the runtime listens on no TCP port', async () => {
    let ports: number[] | null = null;
    let sawRuntime = false;
    const run = await runHostSimulator({
      caller: noise(8000 * 2),
      tailMs: 200,
      config: config({}),
      script: ['0 openai_realtime echo ${uuid} start 100', '1500 openai_realtime metrics'],
      whileRunning: (pid) => {
        if (pid === 0) return;
        try {
          const threads = readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
          if (!threads.includes('oair-js')) return;
          sawRuntime = true;
          ports = [...(ports ?? []), ...listeningPorts(pid)];
        } catch {
          // the process is exiting
        }
      },
    });
    expect(run.code).toBe(0);
    expect(sawRuntime).toBe(true);
    expect(ports).toEqual([]);
    // The API command works without the listener.
    const reply = String(run.api().find((a) => a.api === 'openai_realtime' && a.args === 'metrics')!.reply);
    expect(parseExposition(reply).types.get('openai_realtime_sessions')).toBe('gauge');
  });

  it.each([
    ['no port', '127.0.0.1', 'is not host:port'],
    ['a host name', 'metrics.example.com:9464', 'is not an IP address'],
    ['port out of range', '127.0.0.1:70000', 'port 70000 is not 1..65535'],
    ['port zero', '127.0.0.1:0', 'port 0 is not 1..65535'],
    ['IPv6 without brackets', '::1:9464', 'is not host:port'],
  ])('a bad value is refused at load: %s', (_title, value, message) => {
    const file = config({ 'metrics-listen': value });
    let error: unknown = null;
    try {
      loadModuleConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain('settings, param "metrics-listen"');
    expect(String((error as Error).message)).toContain(message);
  });

  it('accepted forms: IPv4, [IPv6], localhost, and empty (off)', () => {
    expect(loadModuleConfig(config({ 'metrics-listen': '127.0.0.1:9464' })).settings.metricsListen).toBe('127.0.0.1:9464');
    expect(loadModuleConfig(config({ 'metrics-listen': '[::1]:9464' })).settings.metricsListen).toBe('[::1]:9464');
    expect(loadModuleConfig(config({ 'metrics-listen': 'localhost:9464' })).settings.metricsListen).toBe('localhost:9464');
    expect(loadModuleConfig(config({ 'metrics-listen': '' })).settings.metricsListen).toBeNull();
    expect(loadModuleConfig(config({})).settings.metricsListen).toBeNull();
  });
});
