/**
 * CPU time and memory of another process (and of each of its threads) from /proc: the bench
 * measures the host simulator and the realtime simulator separately, and the runtime's JS threads
 * separately from the simulated media threads.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond = 0;

/** USER_HZ (clock ticks per second of /proc's CPU times). */
function hz(): number {
  if (ticksPerSecond === 0) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** user + system CPU of a /proc/.../stat line, in ms. */
function cpuMsOf(statLine: string): number {
  // The command name (field 2) may contain spaces; the fields after it are space-separated.
  const rest = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1000) / hz();
}

/** CPU time (user + system) of a whole process so far, ms; NaN if it is gone. */
export function processCpuMs(pid: number): number {
  try {
    return cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
}

/** CPU time of each thread of a process so far, ms, by thread id. */
export function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), cpuMsOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

/** The threads of a process with their names (`comm`, as `top -H` shows them). */
export function threadNames(pid: number): Array<{ tid: number; name: string }> {
  const out: Array<{ tid: number; name: string }> = [];
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.push({ tid: Number(tid), name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() });
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

/**
 * Time a thread has spent runnable but waiting for a CPU, ms (/proc/.../schedstat, second field);
 * NaN where the kernel does not keep it. Tells a starved thread from a blocked one.
 */
export function threadRunDelayMs(pid: number, tid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Resident set size, kB; NaN if the process is gone. */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The 1-minute load average and the number of cores, to note how busy the machine was. */
export function machineLoad(): { load1: number; cores: number } {
  const load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  return { load1, cores };
}
