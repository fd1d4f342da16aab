/**
 * Did the simulated call work? Judged from the host simulator's JSONL record, so `npm run call`
 * can exit non-zero with one line saying why instead of printing a normal-looking summary: the
 * runtime did not start, an API command was refused, or a stream was started but never connected
 * (refused, DNS, HTTP 404/401, TLS...: the last attempt's error is the reason).
 */
import type { CallRecordLine } from './callRecord.js';

export type CallOutcome = { ok: true } | { ok: false; reason: string };

const CONNECTED = new Set(['mod_openai_audio_stream::connect', 'openai_s2s::connect']);
const ATTEMPT_FAILED = new Set(['mod_openai_audio_stream::error', 'openai_s2s::connect_failed']);

function isStreamStart(l: CallRecordLine): boolean {
  if (l.kind !== 'api' || !(l.reply ?? '').startsWith('+OK')) return false;
  const words = (l.args ?? '').split(/[\s|]+/);
  if (l.api === 'uuid_openai_audio_stream' || l.api === 'uuid_raw_audio_stream') return words.includes('start');
  if (l.api === 'uuid_openai_s2s') return words.includes('session.create');
  return false;
}

/** The reason an attempt failed, from an `::error` / `::connect_failed` body. */
function attemptError(body: string | undefined): string | null {
  if (!body) return null;
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; message?: { error?: unknown; http_status?: unknown; retries?: unknown } };
    if (typeof parsed.reason === 'string') return parsed.reason;
    const m = parsed.message;
    if (m && typeof m.error === 'string') {
      const status = typeof m.http_status === 'number' && m.http_status > 0 ? ` (HTTP ${m.http_status})` : '';
      const tries = typeof m.retries === 'number' ? `, ${m.retries} attempt${m.retries === 1 ? '' : 's'}` : '';
      return `${m.error}${status}${tries}`;
    }
  } catch {
    // not JSON: use it as it is
  }
  return body;
}

export function judgeCall(lines: readonly CallRecordLine[]): CallOutcome {
  const started = new Map<string, string>(); // uuid → the start command
  const connected = new Set<string>();
  const lastError = new Map<string, string>();
  for (const l of lines) {
    if (l.kind === 'error') return { ok: false, reason: l.message ?? 'the host simulator failed' };
    if (l.kind === 'api' && (l.reply ?? '').startsWith('-ERR')) {
      const reply = (l.reply ?? '').trim().split('\n').pop() ?? '';
      return { ok: false, reason: `${l.api ?? 'api'} ${(l.args ?? '').slice(0, 60)} replied ${reply}` };
    }
    const uuid = l.uuid ?? '';
    if (isStreamStart(l)) started.set(uuid, `${l.api ?? ''} ${(l.args ?? '').slice(0, 80)}`);
    if (l.kind === 'event' && l.subclass && CONNECTED.has(l.subclass)) connected.add(uuid);
    if (l.kind === 'event' && l.subclass && ATTEMPT_FAILED.has(l.subclass)) {
      const why = attemptError(l.body);
      if (why) lastError.set(uuid, why);
    }
  }
  for (const [uuid, command] of started) {
    if (connected.has(uuid)) continue;
    const why = lastError.get(uuid);
    return { ok: false, reason: `the stream never connected${why ? `: ${why}` : ''} (${command.trim()})` };
  }
  return { ok: true };
}
