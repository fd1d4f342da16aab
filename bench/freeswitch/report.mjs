/**
 * The FreeSWITCH bench's printed tables: per N and variant, the module's CPU per call-second
 * (run minus the baseline of the same repeat and N, each repeat listed), ours / theirs per repeat,
 * memory, what the caller heard, our counters; then CPU per call-second by thread name.
 */

const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const range = (xs, d = 2) => {
  const v = xs.filter((x) => x !== null && Number.isFinite(x));
  if (!v.length) return '-';
  const lo = Math.min(...v), hi = Math.max(...v);
  return lo.toFixed(d) === hi.toFixed(d) ? lo.toFixed(d) : `${lo.toFixed(d)}–${hi.toFixed(d)}`;
};
const baselineOf = (variant) => (variant.endsWith('-parked') ? 'base-parked' : 'base');

/** Module cost in ms CPU per call-second, or null without a baseline run. */
export function moduleCost(r, results) {
  const base = results.find((b) => b.variant === baselineOf(r.variant) && b.calls === r.calls && b.repeat === r.repeat);
  if (!base) return null;
  return (r.cpuMs / r.windowS - base.cpuMs / base.windowS) / r.calls;
}

export function printReport(results) {
  const rows = [];
  const ns = [...new Set(results.map((r) => r.calls))];
  const variants = [...new Set(results.map((r) => r.variant))];
  for (const n of ns) {
    for (const v of variants) {
      const runs = results.filter((r) => r.calls === n && r.variant === v);
      if (!runs.length) continue;
      const costs = runs.map((r) => moduleCost(r, results));
      const ratios = (v === 'ours' || v === 'ours2') ? runs.map((r) => {
        const t = results.find((x) => x.variant === 'theirs' && x.calls === n && x.repeat === r.repeat);
        const c = moduleCost(r, results), ct = t ? moduleCost(t, results) : null;
        return c !== null && ct ? c / ct : null;
      }) : [];
      const sum = (f) => runs.map(f);
      rows.push([
        String(n), v,
        range(sum((r) => r.cpuMs / r.windowS / 10), 1),
        v.startsWith('base') ? '' : range(costs),
        ratios.length ? range(ratios) : '',
        range(sum((r) => r.rssLoaded), 0) + ' / ' + range(sum((r) => r.rssLoadedTrim), 0),
        range(sum((r) => r.rssCalls), 0) + ' / ' + range(sum((r) => r.rssCallsTrim), 0),
        range(sum((r) => (r.rssCalls - r.rssLoaded) / r.calls), 2) + ' / '
          + range(sum((r) => (r.rssCallsTrim !== null && r.rssLoadedTrim !== null ? (r.rssCallsTrim - r.rssLoadedTrim) / r.calls : null)), 2),
        range(sum((r) => (r.heard ? r.heard.share * 100 : null)), 0),
        range(sum((r) => r.heard?.holesPerMin ?? null), 1),
        v.startsWith('ours') ? range(sum((r) => r.counters?.underruns ?? null), 0) + ' / ' + range(sum((r) => r.counters?.serverGaps ?? null), 0) : '',
        v.startsWith('base') ? '' : range(sum((r) => r.peer.deltasPerCallS), 1),
        range(sum((r) => r.peerCpuMs / r.windowS / 10), 0),
      ]);
    }
  }
  table(['N', 'variant', 'FS CPU %', 'module ms/call-s', 'ours/theirs', 'RSS loaded MB (trim)', 'RSS calls MB (trim)', 'MB/call (trim)',
    'heard %', 'holes/min', 'underruns/gaps', 'deltas/s/call', 'peer CPU %'], rows);

  console.log('\nCPU per call-second by FreeSWITCH thread name, minus the baseline run (ms; mean over repeats; groups ≥ 0.05 ms):');
  for (const n of ns) {
    for (const v of variants.filter((x) => !x.startsWith('base'))) {
      const runs = results.filter((r) => r.calls === n && r.variant === v);
      if (!runs.length) continue;
      const acc = {};
      for (const r of runs) {
        const base = results.find((b) => b.variant === baselineOf(v) && b.calls === n && b.repeat === r.repeat);
        for (const [g, t] of Object.entries(r.threads)) acc[g] = (acc[g] ?? 0) + t.ms / r.windowS / n / runs.length;
        if (base) for (const [g, t] of Object.entries(base.threads)) acc[g] = (acc[g] ?? 0) - t.ms / base.windowS / n / runs.length;
      }
      const parts = Object.entries(acc).filter(([, ms]) => Math.abs(ms) >= 0.05).sort((a, b) => b[1] - a[1])
        .map(([g, ms]) => `${g} ${fmt(ms, 2)}`);
      console.log(`  N=${n} ${v}: ${parts.join(', ')}`);
    }
  }
}

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
