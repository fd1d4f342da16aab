/**
 * Starts the realtime simulator process for a capacity run: plain ws:// or wss:// (a throw-away
 * self-signed certificate made with openssl, so the module's TLS cost is in the figures as it is
 * against the real API), optionally pinned to some CPUs (taskset) so that the host simulator can
 * have a core to itself — the "calls per core" measurement.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface SimLaunchOptions {
  /** build/bench/bench/capacity/realtimeSimServer.js */
  script: string;
  voiceDir: string;
  processes?: number;
  tls?: boolean;
  /** taskset CPU list, e.g. "1". */
  cpus?: string;
  nice?: number;
  /** Node options for the simulator process (e.g. --cpu-prof while looking into its cost). */
  nodeArgs?: string[];
}

export interface LaunchedSim {
  url: string;
  pids: number[];
  /** The CA file a client needs for wss:// (the certificate itself), or undefined for ws://. */
  caFile: string | undefined;
  stop(): void;
}

function makeCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'sim.key');
  const cert = join(dir, 'sim.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { key, cert };
}

export async function launchRealtimeSim(o: SimLaunchOptions): Promise<LaunchedSim> {
  const dir = o.tls ? mkdtempSync(join(tmpdir(), 'oair-bench-tls-')) : undefined;
  const pem = dir ? makeCertificate(dir) : undefined;
  const args = [o.script, '--processes', String(o.processes ?? 1), '--voice-dir', o.voiceDir, ...(pem ? ['--tls-key', pem.key, '--tls-cert', pem.cert] : [])];
  // Its own session (own scheduling autogroup), like the host simulator: see capacityRun.ts.
  const command = [
    ...(existsSync('/usr/bin/setsid') ? ['setsid', '--wait'] : []),
    ...(o.cpus !== undefined ? ['taskset', '-c', o.cpus] : []),
    ...(o.nice !== undefined ? ['nice', '-n', String(o.nice)] : []),
    process.execPath,
    ...(o.nodeArgs ?? []),
    ...args,
  ];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`realtime simulator exited (${code}) before listening`)));
  });
  const { url, pids } = JSON.parse(line) as { url: string; pids: number[] };
  return {
    url,
    pids,
    caFile: pem?.cert,
    stop() {
      // SIGTERM closes it cleanly; a connection left half-open must not keep it alive after the bench.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
