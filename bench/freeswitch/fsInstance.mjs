/**
 * One FreeSWITCH process in a scratch directory, for a bench run (bench/freeswitch/run.mjs) and for
 * the integration checks (test/freeswitch/run-integration.sh imports this file): a minimal
 * configuration (the modules the workload needs, the event socket on 127.0.0.1, log levels as
 * asked, a dialplan as given), a module directory of symlinks (the stock modules, our module, a
 * comparison module), started with -nf so it is our child, and stopped at the end. Nothing is
 * installed or changed elsewhere. The one place either of them writes a FreeSWITCH configuration.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Modules loaded at start-up unless the caller names its own list. */
export const STARTUP_MODULES = ['mod_console', 'mod_logfile', 'mod_event_socket', 'mod_commands', 'mod_dptools',
  'mod_dialplan_xml', 'mod_loopback', 'mod_sndfile', 'mod_native_file', 'mod_tone_stream'];
export const ESL_PASSWORD = 'oair-bench';
const DIRS = ['conf', 'log', 'db', 'run', 'mod', 'temp', 'storage', 'cache', 'certs', 'recordings', 'rec'];

export const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const params = (o) => Object.entries(o).map(([name, value]) => `<param name="${name}" value="${xmlEscape(value)}"/>`);

export function freePort() {
  return new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/**
 * Writes `conf/freeswitch.xml`. Options: `eslPort`, `eslPassword`, `logLevel` (switch and module),
 * `consoleLevel`, `load` (modules loaded at start-up), `maxSessions`, `sessionsPerSecond`,
 * `switchSettings` (more switch.conf params), `logfileUuid`, `bundle` and `moduleSettings` (more
 * openai_realtime.conf params), `dialplan` (the contexts, XML).
 */
export function writeConfig(dir, o) {
  const switchSettings = { 'max-sessions': o.maxSessions ?? 4000, 'sessions-per-second': o.sessionsPerSecond ?? 1000,
    loglevel: o.logLevel, 'colorize-console': 'false', ...o.switchSettings };
  const moduleSettings = { 'bundle-dir': o.bundle, ...o.moduleSettings, 'log-level': o.logLevel };
  writeFileSync(join(dir, 'conf', 'freeswitch.xml'), `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="">
    <configuration name="switch.conf" description="">
      <settings>
${params(switchSettings).map((p) => `        ${p}`).join('\n')}
      </settings>
    </configuration>
    <configuration name="modules.conf" description="">
      <modules>
${(o.load ?? STARTUP_MODULES).map((m) => `        <load module="${m}"/>`).join('\n')}
      </modules>
    </configuration>
    <configuration name="console.conf" description="">
      <mappings><map name="all" value="console,debug,info,notice,warning,err,crit,alert"/></mappings>
      <settings><param name="colorize" value="false"/><param name="loglevel" value="${o.consoleLevel ?? 'err'}"/></settings>
    </configuration>
    <configuration name="logfile.conf" description="">
      <settings><param name="rotate-on-hup" value="true"/></settings>
      <profiles><profile name="default">
        <settings><param name="logfile" value="${xmlEscape(join(dir, 'log', 'freeswitch.log'))}"/><param name="rollover" value="0"/>${o.logfileUuid ? '<param name="uuid" value="true"/>' : ''}</settings>
        <mappings><map name="all" value="debug,info,notice,warning,err,crit,alert"/></mappings>
      </profile></profiles>
    </configuration>
    <configuration name="event_socket.conf" description="">
      <settings>
        <param name="nat-map" value="false"/>
        <param name="listen-ip" value="127.0.0.1"/>
        <param name="listen-port" value="${o.eslPort}"/>
        <param name="password" value="${xmlEscape(o.eslPassword ?? ESL_PASSWORD)}"/>
        <param name="apply-inbound-acl" value="loopback.auto"/>
      </settings>
    </configuration>
    <configuration name="openai_realtime.conf" description="">
      <settings>${params(moduleSettings).join('')}</settings>
    </configuration>
  </section>
  <section name="dialplan" description="">
${o.dialplan ?? '    <context name="default"/>'}
  </section>
</document>
`);
}

/**
 * Prepares `dir` afresh: its directories, the module symlinks, freeswitch.xml (writeConfig's
 * options) and the module's own file, which the runtime reads too (bundle-dir and log-level).
 * `modules` maps a module name (as FreeSWITCH loads it) to the .so to link instead of the stock one
 * (null: leave it out); `stockModDir` is FreeSWITCH's module directory.
 */
export function prepare(dir, options) {
  // `workers`: our module's `workers` setting (the bench's --workers), else the module's default.
  const o = options.workers !== undefined ? { ...options, moduleSettings: { ...options.moduleSettings, workers: Number(options.workers) } } : options;
  rmSync(dir, { recursive: true, force: true });
  for (const d of DIRS) mkdirSync(join(dir, d), { recursive: true });
  const modules = o.modules ?? {};
  for (const f of readdirSync(o.stockModDir)) {
    const name = f.replace(/\.so$/, '');
    if (f.endsWith('.so') && !(name in modules)) symlinkSync(join(o.stockModDir, f), join(dir, 'mod', f));
  }
  for (const [name, so] of Object.entries(modules)) if (so) symlinkSync(so, join(dir, 'mod', `${name}.so`));
  writeConfig(dir, o);
  mkdirSync(join(dir, 'conf', 'autoload_configs'));
  writeFileSync(join(dir, 'conf', 'autoload_configs', 'openai_realtime.conf.xml'),
    `<configuration name="openai_realtime.conf" description=""><settings>${params({ 'bundle-dir': o.bundle, ...o.moduleSettings, 'log-level': o.logLevel }).join('')}</settings></configuration>\n`);
}

/**
 * Starts FreeSWITCH on a prepared directory; returns the child process, whose `exited` resolves
 * with its exit. `output` (optional) gets its stdout and stderr; `nosql` (default true) passes -nosql.
 */
export function start(fsBin, dir, { output, nosql = true } = {}) {
  const args = ['-nc', '-nf', '-nonat', '-nonatmap', ...(nosql ? ['-nosql'] : []), '-conf', join(dir, 'conf'), '-log', join(dir, 'log'),
    '-db', join(dir, 'db'), '-run', join(dir, 'run'), '-mod', join(dir, 'mod'), '-temp', join(dir, 'temp'), '-storage', join(dir, 'storage'),
    '-cache', join(dir, 'cache'), '-certs', join(dir, 'certs'), '-recordings', join(dir, 'recordings')];
  const p = spawn(fsBin, args, { cwd: dir, stdio: ['ignore', output ? 'pipe' : 'ignore', output ? 'pipe' : 'ignore'] });
  if (output) {
    p.stdout.on('data', (d) => output(String(d)));
    p.stderr.on('data', (d) => output(String(d)));
  }
  p.exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  return p;
}

/** `fsctl shutdown`, then SIGKILL if it has not exited within `ms`. */
export async function stop(p, esl, ms = 15000) {
  try { await Promise.race([esl.api('fsctl shutdown'), new Promise((r) => setTimeout(r, 2000))]); } catch { /* connection goes away */ }
  const t = setTimeout(() => { try { p.kill('SIGKILL'); } catch { /* gone */ } }, ms);
  const r = await p.exited;
  clearTimeout(t);
  return r;
}
