/**
 * `openai_realtime status [json]` when sessions are sharded over workers: each worker answers
 * `status json` for its own sessions (commands/adminCommand.ts), and this merges the answers into
 * the reply one thread would give, plus a `workers` section. Pure.
 *
 * The text form comes from the same formatter as on one thread (status/statusTable.ts), with
 * `  workers: W` on the first line and a worker column; a test (test/e2e/workers.test.ts) compares the
 * two so that they cannot drift apart. The module section (uptime, sessions started/ended, memory,
 * tool handlers) is merged by status/moduleStatus.ts.
 */
import { mergeModuleInfo } from '../status/moduleStatus.js';
import { formatStatusText } from '../status/statusTable.js';

/** One worker's part: its `status json` reply, or null when it did not answer in time. */
export interface WorkerStatusPart {
  index: number;
  reply: string | null;
  /** Times this worker slot was restarted after its thread died. */
  restarts: number;
}

interface ParsedStatus {
  totals?: Record<string, unknown>;
  module?: unknown;
  config?: unknown;
  sessions?: unknown[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function parse(reply: string | null): ParsedStatus | null {
  if (reply === null) return null;
  try {
    const v: unknown = JSON.parse(reply);
    return v !== null && typeof v === 'object' ? (v as ParsedStatus) : null;
  } catch {
    return null;
  }
}

/**
 * @param mainUncaught  errors contained on the main thread itself
 * @param counters      the bridge's process-wide counters (live channel records, command timeouts):
 *                      counted once, not per worker
 */
export function mergeStatus(parts: readonly WorkerStatusPart[], mainUncaught: number, counters: Record<string, number>, json: boolean): string {
  let sessionsTotal = 0;
  let mediaHooks = 0;
  let uncaught = mainUncaught;
  let config: unknown = null;
  const sessions: Array<Record<string, unknown>> = [];
  const workers: Array<Record<string, unknown>> = [];
  const modules: unknown[] = [];
  for (const part of parts) {
    const s = parse(part.reply);
    modules.push(s?.module);
    const own = Array.isArray(s?.sessions) ? s.sessions : [];
    sessionsTotal += own.length;
    mediaHooks += num(s?.totals?.mediaHooks);
    uncaught += num(s?.totals?.uncaughtErrors);
    if (config === null && s?.config !== undefined) config = s.config;
    for (const session of own) {
      if (session !== null && typeof session === 'object') sessions.push({ ...(session as Record<string, unknown>), worker: part.index });
    }
    workers.push({
      index: part.index,
      answered: s !== null,
      sessions: own.length,
      mediaHooks: num(s?.totals?.mediaHooks),
      uncaughtErrors: num(s?.totals?.uncaughtErrors),
      restarts: part.restarts,
    });
  }
  const totals = { sessions: sessionsTotal, mediaHooks, uncaughtErrors: uncaught, ...counters, workers: parts.length };
  const module = mergeModuleInfo(modules);
  if (json) return JSON.stringify({ totals, module, config, sessions, workers });
  const silent = workers.filter((w) => !w.answered).map((w) => Number(w.index));
  return formatStatusText({ totals, module, sessions, silentWorkers: silent });
}
