/**
 * What a soak run counted, and the one table `npm run soak` (and the suite's reduced soak) prints.
 * The zeros that must hold: crashes, leaks, secrets found, commands that timed out, and bad
 * replies (a bad input answered with anything but a clean -ERR).
 */
export interface SoakReport {
  profile: string;
  binary: string;
  cycles: number;
  hangups: number;
  hangupsDuringPlayback: number;
  faults: Map<string, number>;
  badInputs: number;
  badReplies: string[];
  fuzzIterations: number;
  fuzzFailures: string[];
  commands: number;
  commandTimeouts: number;
  /** The first few timed-out commands (phase, time, command). */
  timeoutDetails: string[];
  crashes: string[];
  leaks: string[];
  secretsFound: string[];
  /** Runs whose secret scan means nothing (the key was not used, the bad input not refused). */
  secretRunsNotWorking: string[];
  rssStartKb: number;
  rssEndKb: number;
  rssMaxKb: number;
  seconds: number;
}

export function emptyReport(profile: string, binary: string): SoakReport {
  return {
    profile,
    binary,
    cycles: 0,
    hangups: 0,
    hangupsDuringPlayback: 0,
    faults: new Map(),
    badInputs: 0,
    badReplies: [],
    fuzzIterations: 0,
    fuzzFailures: [],
    commands: 0,
    commandTimeouts: 0,
    timeoutDetails: [],
    crashes: [],
    leaks: [],
    secretsFound: [],
    secretRunsNotWorking: [],
    rssStartKb: 0,
    rssEndKb: 0,
    rssMaxKb: 0,
    seconds: 0,
  };
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

/** The single table: one row per figure, faults by kind as sub-rows. */
export function formatSoakTable(r: SoakReport): string {
  const rows: Array<[string, string]> = [
    ['profile', `${r.profile} (${r.binary}), ${r.seconds.toFixed(0)} s`],
    ['start/stop cycles run', String(r.cycles)],
    ['calls hung up at random moments', `${r.hangups} (${r.hangupsDuringPlayback} while a reply played)`],
    ['faults injected', String([...r.faults.values()].reduce((a, b) => a + b, 0))],
    ...[...r.faults.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]): [string, string] => [`  ${kind}`, String(n)]),
    ['bad inputs tried', `${r.badInputs} (bad replies: ${r.badReplies.length})`],
    ['fuzz iterations', `${r.fuzzIterations} (failures: ${r.fuzzFailures.length})`],
    ['API commands answered', `${r.commands} (timed out: ${r.commandTimeouts})`],
    ['crashes', String(r.crashes.length)],
    ['leaks', String(r.leaks.length)],
    ['secrets found', String(r.secretsFound.length)],
    ['RSS start / end (max)', `${mb(r.rssStartKb)} / ${mb(r.rssEndKb)} (${mb(r.rssMaxKb)})`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  const out = [line, `| ${'soak'.padEnd(w)} | ${'result'.padEnd(v)} |`, line];
  for (const [k, x] of rows) out.push(`| ${k.padEnd(w)} | ${x.padEnd(v)} |`);
  out.push(line);
  const details = [...r.timeoutDetails.map((t) => `timeout: ${t}`), ...r.crashes.map((c) => `crash: ${c}`), ...r.leaks.map((l) => `leak: ${l}`), ...r.secretsFound.map((s) => `secret: ${s}`), ...r.badReplies.map((b) => `bad reply: ${b}`), ...r.fuzzFailures.map((f) => `fuzz: ${f.slice(0, 600)}`), ...r.secretRunsNotWorking.map((s) => `secret run not working: ${s}`)];
  return details.length ? `${out.join('\n')}\n${details.slice(0, 40).join('\n')}` : out.join('\n');
}

/** True when every figure that must be zero is. */
export function soakPassed(r: SoakReport): boolean {
  return (
    r.crashes.length === 0 &&
    r.leaks.length === 0 &&
    r.secretsFound.length === 0 &&
    r.commandTimeouts === 0 &&
    r.badReplies.length === 0 &&
    r.fuzzFailures.length === 0 &&
    r.secretRunsNotWorking.length === 0
  );
}
