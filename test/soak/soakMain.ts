/**
 * `npm run soak`: the full soak (soakProfile.ts FULL; `-- --reduced` for the suite's size) on the
 * ASan/LeakSanitizer build of the host simulator when it exists (`OAIR_ASAN=1 bash
 * scripts/build-native.sh`), else on the plain one (said on stderr and in the table). Progress goes
 * to stderr; stdout gets the one table. Exits 1 when a figure that must be zero is not.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
if (!process.env.OAIR_SIM_BINARY) {
  if (existsSync(join(root, 'build-asan/oair-sim'))) process.env.OAIR_SIM_BINARY = 'build-asan/oair-sim';
  else process.stderr.write('soak: build-asan/oair-sim not found (OAIR_ASAN=1 bash scripts/build-native.sh): running without sanitizers\n');
}
const { FULL, REDUCED } = await import('./soakProfile.js');
const { runSoak } = await import('./soakPhases.js');
const { formatSoakTable, soakPassed } = await import('./soakReport.js');

const profile = process.argv.includes('--reduced') ? REDUCED : FULL;
const report = await runSoak(profile, (message) => process.stderr.write(`soak: ${message}\n`));
process.stdout.write(`${formatSoakTable(report)}\n`);
// The test host's media threads are still there: end the process, do not wait for them.
process.exit(soakPassed(report) ? 0 : 1);
