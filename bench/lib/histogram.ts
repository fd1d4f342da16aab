/**
 * The probe's histograms (src/runtime/benchProbe.ts: 10 µs buckets), merged over threads, and
 * percentiles read from them.
 */

export interface ProbeHistogram {
  bucketUs: number;
  total: number;
  maxMs: number;
  counts: Record<string, number>;
}

export class MergedHistogram {
  readonly counts = new Map<number, number>();
  bucketUs = 10;
  total = 0;
  maxMs = 0;

  add(h: ProbeHistogram | undefined): void {
    if (!h) return;
    this.bucketUs = h.bucketUs;
    this.total += h.total;
    this.maxMs = Math.max(this.maxMs, h.maxMs);
    for (const [k, v] of Object.entries(h.counts)) this.counts.set(Number(k), (this.counts.get(Number(k)) ?? 0) + v);
  }

  /** The q-quantile (0..1) in ms (upper edge of its bucket); NaN when empty. */
  quantileMs(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (const k of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(k)!;
      if (seen >= rank) return ((k + 1) * this.bucketUs) / 1000;
    }
    return this.maxMs;
  }
}

/** Percentile of a plain list of numbers (nearest rank). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
