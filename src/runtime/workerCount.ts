/**
 * How many session workers the `workers` setting asks for. 0 means one per core: the JS side is the
 * part of the module that needs CPU, and one JS thread uses at most one core.
 */
import { availableParallelism, cpus } from 'node:os';

/** The bridge has 64 wakers (native/bridge/bridge.h kMaxWakers); the main thread needs one. */
export const MAX_WORKERS = 63;

export function resolveWorkerCount(setting: number, cores: number = availableParallelism?.() ?? cpus().length): number {
  const wanted = setting === 0 ? cores : setting;
  return Math.max(1, Math.min(MAX_WORKERS, Math.floor(wanted)));
}
