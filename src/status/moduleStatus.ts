/**
 * `openai_realtime status json`: what one JS thread reports (sessions, counters, configuration) and
 * the module-wide part (`module`), plus how the module parts of several session workers merge into
 * the one the operator sees (runtime/statusMerge.ts does the rest of the merge).
 *
 * Per session the entry is the session's own status(): uuid, family, state, server (host and path,
 * never a key or a query), formats and rates, seconds connected, frames, underruns, server gaps, overruns,
 * reconnects, latency (session/latencyMeter.ts) and token usage summed from response.done.
 */
import type { ConfigStore } from '../config/configStore.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';
import { isJsonObject } from '../protocol/json.js';

/** The `tool-handlers` module as status shows it (tools/toolHandlerHost.ts). */
export interface ToolHandlerStatus {
  module: string | null;
  handlers: string[];
  error: string | null;
  restarts: number;
  calls: number;
  failures: number;
  timeouts: number;
}

/** When this thread's copy of the module was loaded: the runtime's start on the main thread. */
const loadedAt = Date.now();

export interface MemoryInfo {
  /** Resident memory of the whole process: FreeSWITCH and everything in it, not only this module. */
  rssMb: number;
  /** JS heaps (summed over the runtime's threads). */
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory of JS objects held outside the heaps (buffers), summed over threads. */
  externalMb: number;
  arrayBuffersMb: number;
}

export interface ModuleInfo {
  /** Seconds since the runtime started (module load, or its last restart). */
  uptimeS: number;
  /** Active sessions by API family. */
  sessions: Record<string, number>;
  /** Sessions started / ended since the runtime started, by API family. */
  started: Record<string, number>;
  ended: Record<string, number>;
  memory: MemoryInfo;
  /** The `tool-handlers` module, or null when none is configured. */
  toolHandlers: ToolHandlerStatus | null;
}

export interface ThreadStatus {
  totals: Record<string, number>;
  module: ModuleInfo;
  config: { file: string | null; profiles: string[]; defaultProfile: string | null; lastError: string | null };
  sessions: Array<Record<string, unknown>>;
}

export interface ThreadStatusDeps {
  registry: SessionRegistry;
  configStore: ConfigStore;
  mediaHooks: number;
  uncaughtErrors: number;
  counters: Record<string, number>;
  toolHandlers: ToolHandlerStatus | null;
}

const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;

export function memoryInfo(): MemoryInfo {
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
}

export function uptimeS(): number {
  return Math.round((Date.now() - loadedAt) / 100) / 10;
}

export function threadStatus(d: ThreadStatusDeps): ThreadStatus {
  const sessions = d.registry.all().map((s) => s.status());
  const byFamily: Record<string, number> = {};
  for (const s of sessions) {
    const family = String(s.family);
    byFamily[family] = (byFamily[family] ?? 0) + 1;
  }
  const counts = d.registry.counts();
  const store = d.configStore;
  return {
    totals: { sessions: sessions.length, mediaHooks: d.mediaHooks, uncaughtErrors: d.uncaughtErrors, ...d.counters },
    module: { uptimeS: uptimeS(), sessions: byFamily, started: counts.started, ended: counts.ended, memory: memoryInfo(), toolHandlers: d.toolHandlers },
    config: { file: store.file, profiles: store.profileNames(), defaultProfile: store.settings.defaultProfile, lastError: store.lastError },
    sessions,
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function addCounts(into: Record<string, number>, from: unknown): void {
  if (!isJsonObject(from)) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + num(v);
}

/**
 * The module part of a sharded runtime: the workers' parts (null for a worker that did not answer)
 * summed, with the main thread's own uptime and memory. The resident size is the process's, so it
 * comes from the main thread once; the JS heaps are per thread, so they add up.
 */
export function mergeModuleInfo(parts: readonly unknown[]): ModuleInfo {
  const main = memoryInfo();
  const merged: ModuleInfo = { uptimeS: uptimeS(), sessions: {}, started: {}, ended: {}, memory: { ...main }, toolHandlers: null };
  for (const part of parts) {
    if (!isJsonObject(part)) continue;
    addCounts(merged.sessions, part.sessions);
    addCounts(merged.started, part.started);
    addCounts(merged.ended, part.ended);
    const m = isJsonObject(part.memory) ? part.memory : {};
    merged.memory.heapUsedMb += num(m.heapUsedMb);
    merged.memory.heapTotalMb += num(m.heapTotalMb);
    merged.memory.externalMb += num(m.externalMb);
    merged.memory.arrayBuffersMb += num(m.arrayBuffersMb);
    const t = part.toolHandlers;
    if (isJsonObject(t)) {
      const mine = merged.toolHandlers;
      if (mine === null) {
        merged.toolHandlers = {
          module: typeof t.module === 'string' ? t.module : null,
          handlers: Array.isArray(t.handlers) ? t.handlers.filter((h): h is string => typeof h === 'string') : [],
          error: typeof t.error === 'string' ? t.error : null,
          restarts: num(t.restarts),
          calls: num(t.calls),
          failures: num(t.failures),
          timeouts: num(t.timeouts),
        };
      } else {
        mine.restarts += num(t.restarts);
        mine.calls += num(t.calls);
        mine.failures += num(t.failures);
        mine.timeouts += num(t.timeouts);
      }
    }
  }
  for (const key of ['heapUsedMb', 'heapTotalMb', 'externalMb', 'arrayBuffersMb'] as const) merged.memory[key] = Math.round(merged.memory[key] * 10) / 10;
  return merged;
}
