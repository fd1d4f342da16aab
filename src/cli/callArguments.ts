/**
 * `npm run call` arguments → validated {@link CallArguments}, or a {@link UsageError} whose message is
 * the one line the user sees. Everything the host simulator would refuse later (with its own usage
 * text) or silently ignore (a mistyped --config) is checked here first, so a bad argument never
 * reaches a half-started call.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadModuleConfig } from '../config/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CallArguments {
  caller: string;
  reply: string;
  events: string;
  rate: number;
  ptime: number;
  script?: string;
  url?: string;
  vars: Array<[string, string]>;
  config?: string;
  speed?: number;
  channels?: number;
  tailMs?: number;
  /** Functions the bundled simulator calls after each caller turn (see --sim-call). */
  simCalls: string[];
  /** The bundled simulator's GPT-Live endpoint instead of its Realtime one. */
  live: boolean;
  quiet: boolean;
  testHooks: boolean;
  help: boolean;
}

/** Stands in for the throw-away simulator key while a --config is checked (never sent anywhere). */
const SIMULATOR_KEY_PLACEHOLDER = 'sk-simulator-config-check';

/** The channel rates the host simulator (and the module's resampler tables) support. */
export const CHANNEL_RATES = [8000, 16000, 24000, 32000, 48000] as const;
/** Packet times the host simulator's media clock supports: whole multiples of 10 ms, 10..60. */
export const PTIMES = [10, 20, 30, 40, 50, 60] as const;

function wholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be a whole number ${min}..${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function requireFile(option: string, path: string): void {
  if (!existsSync(path)) throw new UsageError(`${option}: no such file: ${path}`);
  if (!statSync(path).isFile()) throw new UsageError(`${option}: not a file: ${path}`);
}

/** A NAME=VALUE channel variable; the name as FreeSWITCH would accept it in a dialplan `set`. */
export function parseVariable(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--var wants NAME=VALUE, got ${JSON.stringify(text)}`);
  const name = text.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`--var: ${JSON.stringify(name)} is not a channel variable name`);
  return [name, text.slice(eq + 1)];
}

export function parseCallArguments(argv: string[]): CallArguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        caller: { type: 'string' },
        reply: { type: 'string' },
        events: { type: 'string' },
        rate: { type: 'string', default: '8000' },
        ptime: { type: 'string', default: '20' },
        script: { type: 'string' },
        url: { type: 'string' },
        var: { type: 'string', multiple: true },
        config: { type: 'string' },
        speed: { type: 'string' },
        channels: { type: 'string' },
        'tail-ms': { type: 'string' },
        'sim-call': { type: 'string', multiple: true },
        live: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'enable-test-hooks': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // node:util's messages are one line already ("Unknown option '--x'...").
    throw new UsageError(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  }
  const help = values.help ?? false;
  if (help) return { caller: '', reply: '', events: '', rate: 8000, ptime: 20, vars: [], simCalls: [], live: false, quiet: false, testHooks: false, help };
  if (!values.caller || !values.reply || !values.events) throw new UsageError('--caller, --reply and --events are required');

  const rate = Number(values.rate);
  if (!(CHANNEL_RATES as readonly number[]).includes(rate) || !/^\d+$/.test(values.rate ?? '')) {
    throw new UsageError(`--rate must be one of ${CHANNEL_RATES.join(', ')} (Hz), got ${JSON.stringify(values.rate)}`);
  }
  const ptime = Number(values.ptime);
  if (!(PTIMES as readonly number[]).includes(ptime) || !/^\d+$/.test(values.ptime ?? '')) {
    throw new UsageError(`--ptime must be one of ${PTIMES.join(', ')} (ms), got ${JSON.stringify(values.ptime)}`);
  }
  requireFile('--caller', values.caller);
  if (values.script !== undefined) requireFile('--script', values.script);
  if (values.config !== undefined) {
    requireFile('--config', values.config);
    try {
      // The same loader the runtime uses: a file it would refuse is refused here, once, before the call.
      // Against the bundled simulator the call runs with a throw-away OPENAI_API_KEY (call.ts), so a
      // profile's api-key-env naming it is satisfied here too.
      const env = values.url === undefined ? { ...process.env, OPENAI_API_KEY: SIMULATOR_KEY_PLACEHOLDER } : process.env;
      loadModuleConfig(values.config, { env });
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`--config: ${err.message}`);
      throw err;
    }
  }
  if (values.url !== undefined && !/^wss?:\/\/[^/\s]+/.test(values.url)) {
    throw new UsageError(`--url must be a ws:// or wss:// URL, got ${JSON.stringify(values.url)}`);
  }
  const simCalls = values['sim-call'] ?? [];
  if (simCalls.length > 0 && values.url !== undefined) throw new UsageError('--sim-call steers the bundled simulator: it cannot be used with --url');
  for (const name of simCalls) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new UsageError(`--sim-call wants a function name, got ${JSON.stringify(name)}`);
  }
  if (values.live && values.url !== undefined) throw new UsageError('--live picks the bundled simulator\'s GPT-Live endpoint: give a GPT-Live --url instead');
  let speed: number | undefined;
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (!(speed > 0 && speed <= 100)) throw new UsageError(`--speed must be a number in (0, 100], got ${JSON.stringify(values.speed)}`);
  }
  return {
    caller: values.caller,
    reply: values.reply,
    events: values.events,
    rate,
    ptime,
    script: values.script,
    url: values.url,
    vars: (values.var ?? []).map(parseVariable),
    config: values.config,
    speed,
    channels: values.channels === undefined ? undefined : wholeNumber('--channels', values.channels, 1, 2000),
    tailMs: values['tail-ms'] === undefined ? undefined : wholeNumber('--tail-ms', values['tail-ms'], 0, 600000),
    simCalls,
    live: values.live ?? false,
    quiet: values.quiet ?? false,
    testHooks: values['enable-test-hooks'] ?? false,
    help,
  };
}
