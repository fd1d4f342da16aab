/**
 * `openai_realtime metrics` when sessions are sharded over workers: each worker answers
 * `metrics json` (prom-client's JSON of its registry, status/sessionMetrics.ts) and prom-client's
 * own aggregator sums them (counters, histograms and the session gauges all add up across
 * workers). A worker that did not answer in time is left out and counted in
 * `openai_realtime_metrics_workers_silent`, so a gap in the totals is visible, not hidden.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

function parse(reply: string | null): MetricsJson | null {
  if (reply === null) return null;
  try {
    const v: unknown = JSON.parse(reply);
    return Array.isArray(v) ? (v as MetricsJson) : null;
  } catch {
    return null;
  }
}

export async function mergeMetrics(replies: readonly (string | null)[]): Promise<string> {
  const parts = replies.map(parse);
  const answered = parts.filter((p): p is MetricsJson => p !== null);
  const silent = parts.length - answered.length;
  // Loaded on the first scrape, not at the runtime's start (it brings prom-client's whole index).
  const { AggregatorRegistry } = await import('prom-client');
  const merged = await AggregatorRegistry.aggregate(answered).metrics();
  const workers = [
    '# HELP openai_realtime_metrics_workers_silent Session workers whose metrics are missing from this answer (they did not answer in time)',
    '# TYPE openai_realtime_metrics_workers_silent gauge',
    `openai_realtime_metrics_workers_silent ${silent}`,
    '',
  ].join('\n');
  return merged + workers;
}
