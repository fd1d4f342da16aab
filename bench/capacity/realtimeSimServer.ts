/**
 * The realtime simulator as its own process for the capacity bench, so that its CPU is measured
 * apart from the module's. With `--processes K` it runs K processes sharing one listening port
 * (node:cluster, connections spread round-robin), for runs with more calls than one simulator
 * process can answer in time. Prints one JSON line {url, pids} once every process listens, then runs
 * until SIGTERM.
 *
 *   node build/bench/bench/capacity/realtimeSimServer.js --processes 1 --chunk-ms 100 --interval-ms 10 --voice-dir assets/voice
 *        [--tls-key key.pem --tls-cert cert.pem]   (wss://, as the real API: the module's TLS cost is measured too)
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { RealtimeSimulator } from '../../src/simulator/index.js';

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '1' },
    'chunk-ms': { type: 'string', default: '100' },
    'interval-ms': { type: 'string', default: '10' },
    'voice-dir': { type: 'string' },
    port: { type: 'string', default: '0' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
  },
});
const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function serve(port: number): Promise<RealtimeSimulator> {
  return RealtimeSimulator.start({
    port,
    voice: 'speech',
    ...(values['voice-dir'] ? { voiceAssetsDir: values['voice-dir'] } : {}),
    audioChunkMs: Number(values['chunk-ms']),
    deltaIntervalMs: Number(values['interval-ms']),
    // Thousands of appends per second: keeping them would grow without bound.
    recordAudio: false,
    recordEvents: false,
    ...(tls ? { tls } : {}),
  });
}

if (cluster.isPrimary) {
  const processes = Math.max(1, Number(values.processes));
  if (processes === 1) {
    const sim = await serve(Number(values.port));
    console.log(JSON.stringify({ url: sim.url, pids: [process.pid] }));
    process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
  } else {
    const port = Number(values.port) || (await freePort());
    const pids: number[] = [];
    let listening = 0;
    for (let i = 0; i < processes; i++) {
      const w = cluster.fork({ SIM_PORT: String(port) });
      pids.push(w.process.pid!);
      w.on('message', (m: unknown) => {
        if (m === 'listening' && ++listening === processes) {
          console.log(JSON.stringify({ url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`, pids: [process.pid, ...pids] }));
        }
      });
    }
    process.once('SIGTERM', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
      setTimeout(() => process.exit(0), 500);
    });
  }
} else {
  const sim = await serve(Number(process.env.SIM_PORT));
  process.send?.('listening');
  process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}
