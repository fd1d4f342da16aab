/**
 * Prometheus metrics of one JS thread's sessions (`openai_realtime metrics`, the `metrics-listen`
 * listener), on prom-client. Each thread that runs sessions has one; the sharded runtime asks every
 * worker for `metrics json` and sums the answers (runtime/metricsMerge.ts), as `status` does.
 *
 * Counters are the sessions that ended (their final status, kept here) plus the sessions still
 * running (their status now), so a scrape during a call sees its frames and the totals never step
 * back when the call ends (the port keeps its last counters, media/channelPort.ts). Labels come from
 * small fixed sets only: family, protocol, state, and the end reason sorted by status/endReasons.ts;
 * never a uuid, a URL, a profile's text or the words of an error.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import type { ActiveSession, SessionRegistry } from '../runtime/sessionRegistry.js';
import { observeLatencies } from '../session/latencyMeter.js';
import { endReasonLabel, isFailure } from './endReasons.js';

// Only the four classes used, from prom-client's own files: its index also loads the default
// process metrics, the push gateway and the cluster code, which every session worker would pay for
// at start (about 35 ms against 20 ms on this machine; the main thread loads the aggregator only when
// asked, runtime/metricsMerge.ts).
const require = createRequire(import.meta.url);
const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
type Counter<L extends string> = Prom.Counter<L>;
type Histogram = Prom.Histogram;
type MetricsJson = Prom.MetricObjectWithValues<Prom.MetricValue<string>>[];

const PREFIX = 'openai_realtime_';
const FAMILIES = new Set(['audio_stream', 's2s', 'echo']);
const PROTOCOLS = new Set(['realtime', 'live']);
/** Latency buckets in seconds: a good answer is well under a second, a bad one several. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

const COUNTED = ['framesIn', 'framesOut', 'underruns', 'serverGaps', 'reconnects'] as const;
const TOKEN_KINDS = ['input', 'output', 'inputAudio', 'inputText', 'inputCached', 'outputAudio', 'outputText'] as const;
const TOKEN_LABEL: Record<(typeof TOKEN_KINDS)[number], string> = {
  input: 'input',
  output: 'output',
  inputAudio: 'input_audio',
  inputText: 'input_text',
  inputCached: 'input_cached',
  outputAudio: 'output_audio',
  outputText: 'output_text',
};

type Totals = Record<string, number>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function familyLabel(v: unknown): string {
  return typeof v === 'string' && FAMILIES.has(v) ? v : 'other';
}

export function protocolLabel(v: unknown): string {
  return typeof v === 'string' && PROTOCOLS.has(v) ? v : 'none';
}

/** The engines' states are a handful of lower-case words; anything else is not a label. */
export function stateLabel(v: unknown): string {
  if (v === undefined) return 'none';
  return typeof v === 'string' && /^[a-z_]{1,24}$/.test(v) ? v : 'other';
}

/** The counted values of one status snapshot. */
function countsOf(status: Record<string, unknown>): Totals {
  const out: Totals = {};
  for (const key of COUNTED) out[key] = num(status[key]);
  // GPT-Live sessions report the server's usage seconds in their `live` part (session/live/).
  const live = status.live !== null && typeof status.live === 'object' ? (status.live as Record<string, unknown>) : {};
  out.usageSeconds = num(live.usageSeconds);
  const tokens = status.tokens !== null && typeof status.tokens === 'object' ? (status.tokens as Record<string, unknown>) : {};
  for (const kind of TOKEN_KINDS) out[`tokens.${kind}`] = num(tokens[kind]);
  return out;
}

function add(into: Totals, from: Totals): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export class SessionMetrics {
  readonly registry = new Registry();
  readonly #sessions: SessionRegistry;
  /** Totals of ended sessions, by `family|protocol`. */
  readonly #retired = new Map<string, Totals>();
  /** Totals of all sessions for the scrape under way (#refresh). */
  #current = new Map<string, Totals>();
  #states = new Map<string, number>();
  readonly #started: Counter<'family' | 'protocol'>;
  readonly #ended: Counter<'family' | 'protocol' | 'reason'>;
  readonly #failures: Counter<'family' | 'protocol' | 'reason'>;
  readonly #latency: Record<'response' | 'playout', Histogram>;

  constructor(sessions: SessionRegistry) {
    this.#sessions = sessions;
    const r = [this.registry];
    const self = this;
    new Gauge({
      name: `${PREFIX}sessions`,
      help: 'Sessions running now, by API family, protocol (realtime|live) and state',
      labelNames: ['family', 'protocol', 'state'],
      registers: r,
      collect() {
        this.reset();
        for (const [key, n] of self.#states) {
          const [family, protocol, state] = key.split('|') as [string, string, string];
          this.set({ family, protocol, state }, n);
        }
      },
    });
    this.#started = new Counter({ name: `${PREFIX}sessions_started_total`, help: 'Sessions started', labelNames: ['family', 'protocol'], registers: r });
    this.#ended = new Counter({
      name: `${PREFIX}sessions_ended_total`,
      help: 'Sessions ended, by reason (stop|hangup|server_closed|connect_failed|connection_lost|internal_error|shutdown|other)',
      labelNames: ['family', 'protocol', 'reason'],
      registers: r,
    });
    this.#failures = new Counter({
      name: `${PREFIX}session_failures_total`,
      help: 'Sessions that ended in a failure (connect_failed|connection_lost|internal_error)',
      labelNames: ['family', 'protocol', 'reason'],
      registers: r,
    });
    const summed = (name: string, help: string, key: string): void => {
      new Counter({
        name: `${PREFIX}${name}`,
        help,
        labelNames: ['family', 'protocol'],
        registers: r,
        collect() {
          this.reset();
          for (const [labels, totals] of self.#current) {
            const [family, protocol] = labels.split('|') as [string, string];
            this.inc({ family, protocol }, totals[key] ?? 0);
          }
        },
      });
    };
    summed('frames_in_total', 'Caller audio frames the media thread took from the channel', 'framesIn');
    summed('frames_out_total', 'Frames the media thread wrote to the channel', 'framesOut');
    summed('underruns_total', 'Frames played as silence while a response was playing (the model audio came too late)', 'underruns');
    summed('server_gaps_total', 'Frames of silence inside a response because the server had not sent its audio yet', 'serverGaps');
    summed('reconnects_total', 'WebSocket reconnections after a dropped connection', 'reconnects');
    summed('live_usage_seconds_total', 'GPT-Live session seconds as the server reported them (session usage)', 'usageSeconds');
    new Counter({
      name: `${PREFIX}tokens_total`,
      help: 'Tokens of response.done usage, by kind (input|output|input_audio|input_text|input_cached|output_audio|output_text)',
      labelNames: ['protocol', 'kind'],
      registers: r,
      collect() {
        this.reset();
        for (const [labels, totals] of self.#current) {
          const protocol = labels.split('|')[1]!;
          for (const kind of TOKEN_KINDS) this.inc({ protocol, kind: TOKEN_LABEL[kind] }, totals[`tokens.${kind}`] ?? 0);
        }
      },
    });
    this.#latency = {
      response: new Histogram({
        name: `${PREFIX}response_latency_seconds`,
        help: 'From the server deciding the caller finished (speech_stopped) to the first audio of the answer',
        buckets: LATENCY_BUCKETS,
        registers: r,
      }),
      playout: new Histogram({
        name: `${PREFIX}playout_latency_seconds`,
        help: "From a response's first audio arriving to its first sample played on the channel (the module's own share)",
        buckets: LATENCY_BUCKETS,
        registers: r,
      }),
    };
    observeLatencies((kind, ms) => this.#latency[kind].observe(Math.max(0, ms) / 1000));
    sessions.watch({ added: (s) => this.#added(s), removed: (s) => this.#removed(s) });
  }

  /** This thread's metrics in the text exposition format. */
  async text(): Promise<string> {
    this.#refresh();
    return this.registry.metrics();
  }

  /** This thread's metrics as prom-client's JSON (what the sharded runtime sums over workers). */
  async json(): Promise<MetricsJson> {
    this.#refresh();
    return this.registry.getMetricsAsJSON();
  }

  #added(s: ActiveSession): void {
    this.#started.inc({ family: familyLabel(s.family), protocol: protocolLabel(s.protocol) });
  }

  #removed(s: ActiveSession): void {
    let status: Record<string, unknown>;
    try {
      status = s.status();
    } catch {
      status = {};
    }
    const labels = { family: familyLabel(s.family), protocol: protocolLabel(s.protocol) };
    const reason = endReasonLabel(typeof status.endReason === 'string' ? status.endReason : '');
    this.#ended.inc({ ...labels, reason });
    if (isFailure(reason)) this.#failures.inc({ ...labels, reason });
    const key = `${labels.family}|${labels.protocol}`;
    const totals = this.#retired.get(key) ?? {};
    add(totals, countsOf(status));
    this.#retired.set(key, totals);
  }

  /** Snapshots the running sessions once per scrape; the collect callbacks read the result. */
  #refresh(): void {
    const current = new Map<string, Totals>();
    for (const [key, totals] of this.#retired) current.set(key, { ...totals });
    const states = new Map<string, number>();
    for (const s of this.#sessions.all()) {
      let status: Record<string, unknown>;
      try {
        status = s.status();
      } catch {
        continue;
      }
      const key = `${familyLabel(s.family)}|${protocolLabel(s.protocol)}`;
      const totals = current.get(key) ?? {};
      add(totals, countsOf(status));
      current.set(key, totals);
      const stateKey = `${key}|${stateLabel(status.state)}`;
      states.set(stateKey, (states.get(stateKey) ?? 0) + 1);
    }
    this.#current = current;
    this.#states = states;
  }
}
