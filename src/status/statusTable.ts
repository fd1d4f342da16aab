/**
 * `openai_realtime status` for people at fs_cli: the module's totals in a few lines, then one row
 * per session. The same text whether the sessions run on one thread or are merged from workers
 * (then with a `workers: N` total and a worker column). Built only from the `status json` object,
 * so the two forms cannot disagree. Pure.
 *
 *   sessions: 2  media hooks: 2  uncaught errors: 0
 *   active: audio_stream 1, s2s 1  started: 7  ended: 5  up: 1h02m03s
 *   memory: rss 512.3 MB (whole FreeSWITCH process)  JS heap 41.2 of 64.0 MB  external 5.1 MB
 *
 *   uuid  family  state  server  in  out  conn s  frames in/out  under  over  recon  latency ms  tokens in/out/total
 *
 * Latency is "response/playout": the server's answer time (caller stopped speaking → first audio)
 * and the module's own (first audio received → first sample played); `-` until measured.
 */
import { isJsonObject } from '../protocol/json.js';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export interface StatusTextInput {
  totals: Record<string, unknown>;
  module?: unknown;
  sessions: ReadonlyArray<Record<string, unknown>>;
  /** Indexes of workers that did not answer (sharded runtime). */
  silentWorkers?: readonly number[];
}

export function formatStatusText(s: StatusTextInput): string {
  const t = s.totals;
  const workers = t.workers === undefined ? '' : `  workers: ${num(t.workers)}`;
  const lines = [`sessions: ${num(t.sessions)}  media hooks: ${num(t.mediaHooks)}  uncaught errors: ${num(t.uncaughtErrors)}${workers}`];
  const m = isJsonObject(s.module) ? s.module : null;
  if (m) {
    const active = familyList(m.sessions);
    lines.push(`active: ${active || 'none'}  started: ${sum(m.started)}  ended: ${sum(m.ended)}  up: ${duration(num(m.uptimeS))}  command timeouts: ${num(t.commandTimeouts)}`);
    const mem = isJsonObject(m.memory) ? m.memory : {};
    lines.push(
      `memory: rss ${num(mem.rssMb).toFixed(1)} MB (whole FreeSWITCH process)  JS heap ${num(mem.heapUsedMb).toFixed(1)} of ${num(mem.heapTotalMb).toFixed(1)} MB  external ${num(mem.externalMb).toFixed(1)} MB`,
    );
    const th = isJsonObject(m.toolHandlers) ? m.toolHandlers : null;
    if (th) {
      const names = Array.isArray(th.handlers) && th.handlers.length > 0 ? th.handlers.join(', ') : 'none loaded';
      const error = typeof th.error === 'string' ? `  error: ${th.error}` : '';
      lines.push(`tool handlers: ${String(th.module)}: ${names} (calls ${num(th.calls)}, failed ${num(th.failures)}, timed out ${num(th.timeouts)})${error}`);
    }
  }
  if (s.silentWorkers && s.silentWorkers.length > 0) lines.push(`workers not answering: ${s.silentWorkers.join(', ')}`);
  if (s.sessions.length === 0) return lines.join('\n');
  const withWorker = s.sessions.some((x) => x.worker !== undefined);
  const header = ['uuid', 'family', ...(withWorker ? ['worker'] : []), 'state', 'server', 'in', 'out', 'conn s', 'frames in/out', 'under', 'gaps', 'over', 'recon', 'latency ms', 'tokens in/out/total'];
  const rows = s.sessions.map((x) => [
    str(x.uuid),
    str(x.family),
    ...(withWorker ? [str(x.worker)] : []),
    str(x.state),
    server(x),
    format(x.inputFormat, x.inputRate),
    format(x.outputFormat, x.outputRate),
    x.secondsConnected === undefined ? '-' : num(x.secondsConnected).toFixed(1),
    x.framesIn === undefined ? '-' : `${num(x.framesIn)}/${num(x.framesOut)}`,
    str(x.underruns),
    str(x.serverGaps),
    str(x.overruns),
    str(x.reconnects),
    latency(x.latency),
    tokens(x.tokens),
  ]);
  const right = new Set(['conn s', 'frames in/out', 'under', 'gaps', 'over', 'recon', 'latency ms', 'tokens in/out/total']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.has(header[i]!) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push('', line(header), ...rows.map(line));
  return lines.join('\n');
}

function str(v: unknown): string {
  return v === undefined || v === null || v === '' ? '-' : String(v);
}

function familyList(v: unknown): string {
  if (!isJsonObject(v)) return '';
  return Object.entries(v)
    .filter(([, n]) => num(n) > 0)
    .map(([f, n]) => `${f} ${num(n)}`)
    .join(', ');
}

function sum(v: unknown): number {
  return isJsonObject(v) ? Object.values(v).reduce<number>((a, n) => a + num(n), 0) : 0;
}

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${String(r).padStart(2, '0')}s` : `${m}m${String(r).padStart(2, '0')}s`;
}

/** Host (and path when it is not the usual one) — the status never holds a query or a key. */
function server(x: Record<string, unknown>): string {
  const connection = isJsonObject(x.connection) ? x.connection : null;
  if (connection && typeof connection.host === 'string') return connection.host;
  if (typeof x.server !== 'string') return '-';
  try {
    return new URL(x.server).host;
  } catch {
    return '-';
  }
}

function format(name: unknown, rate: unknown): string {
  if (typeof name !== 'string') return '-';
  const short = name.replace(/^audio\//, '').replace(/@\d+$/, '');
  return typeof rate === 'number' ? `${short}@${rate}` : short;
}

function latency(v: unknown): string {
  if (!isJsonObject(v)) return '-';
  const part = (n: unknown): string => (typeof n === 'number' ? String(Math.round(n)) : '-');
  return `${part(v.responseMs)}/${part(v.playoutMs)}`;
}

function tokens(v: unknown): string {
  if (!isJsonObject(v)) return '-';
  return `${num(v.input)}/${num(v.output)}/${num(v.total)}`;
}
