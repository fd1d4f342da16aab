/**
 * Bench mode (OAIR_BENCH_PROBE=<directory>, set by bench/ and its tests): the latency and GC probe
 * (benchProbe.ts) is loaded only then, with a dynamic import, so a production runtime never loads
 * the code that patches `ws` and the bridge.
 */
import type { NativeBridge } from '../bridge.js';
import type { BenchProbe } from './benchProbe.js';

/** Installs the probe on this thread when bench mode is on; null otherwise. */
export async function loadBenchProbe(bridge: NativeBridge): Promise<BenchProbe | null> {
  const dir = process.env.OAIR_BENCH_PROBE;
  if (dir === undefined || dir.length === 0) return null;
  const { installBenchProbe } = await import('./benchProbe.js');
  return installBenchProbe(bridge, dir);
}
