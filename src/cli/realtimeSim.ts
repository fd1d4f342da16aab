#!/usr/bin/env node
/**
 * Run the OpenAI Realtime simulator on its own, for a client on this machine to talk to:
 *
 *   node dist/cli/realtimeSim.js --port 8765 [--api-key K] [--voice tone|speech] [--verbose]
 *                                [--tls-key key.pem --tls-cert cert.pem]   (wss://)
 *                                [--call-function NAME ...]                (after every user turn)
 *
 * It prints the URL to connect to and runs until SIGINT/SIGTERM. This process is a standalone
 * tool, not the embedded runtime, so it may own its signals.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RealtimeSimulator } from '../simulator/index.js';

const USAGE = `usage: realtime-sim [--port N] [--host H] [--api-key KEY] [--voice tone|speech]
                    [--tone-hz HZ] [--tone-ms MS] [--delta-interval-ms MS] [--chunk-ms MS]
                    [--session-limit-ms MS] [--tls-key PEM --tls-cert PEM] [--verbose]
                    [--call-function NAME ...]
The simulated model calls a declared function when a user text message names it (get_weather or
"get weather"), or after every user turn for a function given with --call-function (audio turns
have no text); arguments are made from the tool's JSON schema, and the reply after the
function_call_output quotes that output in its transcript.`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a non-negative number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8765' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      voice: { type: 'string', default: 'speech' },
      'tone-hz': { type: 'string' },
      'tone-ms': { type: 'string' },
      'delta-interval-ms': { type: 'string' },
      'chunk-ms': { type: 'string' },
      'session-limit-ms': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'call-function': { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if ((values['tls-key'] === undefined) !== (values['tls-cert'] === undefined)) throw new Error('--tls-key and --tls-cert go together');
  const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined;
  const voice = values.voice;
  if (voice !== 'tone' && voice !== 'speech') throw new Error(`--voice expects tone or speech, got "${voice}"`);

  const sim = await RealtimeSimulator.start({
    port: numberOption(values.port, 'port'),
    host: values.host,
    apiKey: values['api-key'],
    voice,
    tone: { frequencyHz: numberOption(values['tone-hz'], 'tone-hz'), durationMs: numberOption(values['tone-ms'], 'tone-ms') },
    deltaIntervalMs: numberOption(values['delta-interval-ms'], 'delta-interval-ms'),
    audioChunkMs: numberOption(values['chunk-ms'], 'chunk-ms'),
    sessionLimitMs: numberOption(values['session-limit-ms'], 'session-limit-ms'),
    // A long call would otherwise keep every audio payload in memory.
    recordAudio: false,
    // A standalone simulator may serve calls for hours: no event history.
    recordEvents: false,
    ...(tls ? { tls } : {}),
    ...(values['call-function'] ? { functionCall: values['call-function'].map((name) => ({ name })) } : {}),
  });

  sim.on('connection', (c) => console.log(`[sim] #${c.index} connected from ${c.handshake.remoteAddress} (auth: ${c.handshake.auth}, deflate: ${c.handshake.deflate})`));
  sim.on('close', (c, close) => console.log(`[sim] #${c.index} closed ${close.code} ${close.reason} (by ${close.initiatedBy})`));
  sim.on('refused', (r) => console.log(`[sim] refused upgrade ${r.url}: HTTP ${r.status} (${r.cause})`));
  if (values.verbose) {
    const quiet = new Set(['input_audio_buffer.append', 'response.output_audio.delta', 'response.output_audio_transcript.delta']);
    sim.on('clientEvent', (c, e) => quiet.has(e.type) || console.log(`[sim] #${c.index} ← ${e.type}`));
    sim.on('serverEvent', (c, e) => quiet.has(e.type) || console.log(`[sim] #${c.index} → ${e.type}`));
  }

  console.log(sim.url);
  console.log(`[sim] GPT-Live: ${sim.liveUrl}`);
  sim.live.on('connection', (c) => console.log(`[sim] live #${c.index} connected (auth: ${c.handshake.auth})`));
  console.log(`[sim] voice: ${voice}${values['api-key'] ? ', api key required' : ', no api key required'}; Ctrl-C to stop`);

  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`realtime-sim: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(2);
});
