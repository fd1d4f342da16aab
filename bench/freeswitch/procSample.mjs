/**
 * What the FreeSWITCH bench reads from /proc and gdb: process CPU (utime+stime), per-thread CPU
 * grouped by thread name, RSS, and RSS after `malloc_trim(0)` (glibc keeps freed memory in its
 * arenas; without the trim RSS says more about how many threads allocated than about what is live).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: every Linux this runs on reports CPU in 1/100 s. */
export const TICK_MS = 10;

/** utime+stime (ticks) of a /proc/.../stat line; the name may contain spaces, so parse after ')'. */
function statTicks(text) {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export function processTicks(pid) {
  return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Per thread: `{ tid: { name, ticks } }` (threads that ended between two samples are lost). */
export function threadTicks(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out[tid] = { name, ticks: statTicks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) };
    } catch { /* thread ended */ }
  }
  return out;
}

/** Thread name with its numbering folded (`oair-js-1` → `oair-js-#`), so per-call threads group. */
export const threadGroup = (name) => name.replace(/\d+/g, '#');

/** CPU ms per thread group between two threadTicks samples, and how many threads each group had. */
export function threadDelta(before, after) {
  const groups = {};
  for (const [tid, a] of Object.entries(after)) {
    const g = threadGroup(a.name);
    const d = a.ticks - (before[tid]?.ticks ?? 0);
    groups[g] ??= { ms: 0, threads: 0 };
    groups[g].ms += d * TICK_MS;
    groups[g].threads++;
  }
  return groups;
}

export function rssMb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** RSS after `malloc_trim(0)` called in the process through gdb (null when gdb is missing or fails). */
export function trimmedRssMb(pid) {
  try {
    execFileSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore', timeout: 60000 });
    return rssMb(pid);
  } catch {
    return null;
  }
}
