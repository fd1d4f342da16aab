/**
 * Test helpers for the simulator's Live endpoint: a real `ws` client (the simulator's probe
 * client, which records every server event) that starts a Live session, and caller audio encoded
 * in a Live session's format.
 */
import { encodeAlaw, encodeMulaw } from '../../src/simulator/g711Codec.js';
import { RealtimeProbeClient, RealtimeSimulator, type RealtimeSimulatorOptions, type ServerEvent } from '../../src/simulator/index.js';
import { speechBursts, type Burst } from './callerAudio.js';

export type TestFormat = { type: 'audio/pcm'; rate: 16000 | 24000 } | { type: 'audio/pcmu' | 'audio/pcma'; rate: 8000 };

export class LiveHarness {
  readonly sims: RealtimeSimulator[] = [];
  readonly clients: RealtimeProbeClient[] = [];

  async sim(options: RealtimeSimulatorOptions = {}): Promise<RealtimeSimulator> {
    const sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 1000 }, ...options, live: { timelineLeadMs: null, ...options.live } });
    this.sims.push(sim);
    return sim;
  }

  async connect(url: string, headers?: Record<string, string>): Promise<RealtimeProbeClient> {
    const client = await RealtimeProbeClient.connect(url, headers ? { headers } : {});
    this.clients.push(client);
    return client;
  }

  /** Connect, send session.start and wait for session.started. */
  async started(sim: RealtimeSimulator, session: Record<string, unknown> = {}): Promise<{ client: RealtimeProbeClient; started: ServerEvent }> {
    const client = await this.connect(sim.liveUrl);
    client.send({ type: 'session.start', event_id: 'start_1', session: { model: 'gpt-live-1', ...session } });
    const started = await client.waitFor('session.started');
    return { client, started };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(this.sims.splice(0).map((s) => s.close()));
  }
}

export function encodeFor(format: TestFormat, samples: Int16Array): Buffer {
  if (format.type === 'audio/pcm') {
    const out = Buffer.alloc(samples.length * 2);
    for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
    return out;
  }
  const out = new Uint8Array(samples.length);
  (format.type === 'audio/pcmu' ? encodeMulaw : encodeAlaw)(samples, samples.length, out);
  return Buffer.from(out);
}

/** Caller audio (speech bursts over silence) as one base64 append in `format`. */
export function callerAudio(format: TestFormat, totalMs: number, bursts: Burst[] = []): string {
  return encodeFor(format, speechBursts(format.rate, totalMs, bursts)).toString('base64');
}

/** Send `totalMs` of caller audio in 20 ms frames, paced in real time, as a bridge would. */
export async function streamCaller(client: RealtimeProbeClient, format: TestFormat, totalMs: number, bursts: Burst[] = []): Promise<void> {
  const bytes = encodeFor(format, speechBursts(format.rate, totalMs, bursts));
  const frame = (format.type === 'audio/pcm' ? 2 : 1) * (format.rate / 50);
  const t0 = Date.now();
  for (let offset = 0, n = 0; offset < bytes.length; offset += frame, n++) {
    client.send({ type: 'session.input_audio.append', audio: bytes.subarray(offset, offset + frame).toString('base64') });
    const wait = t0 + (n + 1) * 20 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export function errorOf(event: ServerEvent): { type: string; code: string; message: string; param: string | null; client_event_id?: string } {
  return event.error as { type: string; code: string; message: string; param: string | null; client_event_id?: string };
}

export function deltasOf(client: RealtimeProbeClient, after = 0): string[] {
  return client.events.slice(after).filter((e) => e.type === 'session.output_audio.delta').map((e) => String(e.delta));
}

/** Peak absolute sample of a delta in `format`, decoded with the module's own G.711 (the client side). */
export function isSilentDelta(format: TestFormat, base64: string): boolean {
  const bytes = Buffer.from(base64, 'base64');
  if (format.type === 'audio/pcm') {
    for (let i = 0; i + 1 < bytes.length; i += 2) if (bytes.readInt16LE(i) !== 0) return false;
    return true;
  }
  const silence = format.type === 'audio/pcmu' ? 0xff : 0xd5;
  return bytes.every((b) => b === silence);
}
