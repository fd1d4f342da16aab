/**
 * One FreeSWITCH process for one bench run: a minimal configuration in a scratch directory (the
 * modules the workload needs, the event socket on 127.0.0.1, log level as asked), a module
 * directory of symlinks (the stock modules, our module, the comparison module), started with -nf so
 * it is our child, and stopped at the end of the run. Nothing is installed or changed elsewhere.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const STARTUP_MODULES = ['mod_console', 'mod_logfile', 'mod_event_socket', 'mod_commands', 'mod_dptools',
  'mod_dialplan_xml', 'mod_loopback', 'mod_sndfile', 'mod_native_file', 'mod_tone_stream'];
export const ESL_PASSWORD = 'oair-bench';

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function freePort() {
  return new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/**
 * Prepares `dir` (configuration, module symlinks). `modules` maps a module name (as FreeSWITCH
 * loads it) to the .so to link; `bundle` is our runtime bundle.
 */
export function prepare(dir, { stockModDir, modules, bundle, eslPort, logLevel, workers }) {
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['conf', 'log', 'db', 'run', 'mod', 'temp', 'storage', 'cache', 'certs', 'recordings', 'rec']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of readdirSync(stockModDir)) {
    const name = f.replace(/\.so$/, '');
    if (f.endsWith('.so') && !(name in modules)) symlinkSync(join(stockModDir, f), join(dir, 'mod', f));
  }
  for (const [name, so] of Object.entries(modules)) if (so) symlinkSync(so, join(dir, 'mod', `${name}.so`));
  const settings = `<param name="bundle-dir" value="${xmlEscape(bundle)}"/><param name="log-level" value="${logLevel}"/>`
    + (workers !== undefined ? `<param name="workers" value="${Number(workers)}"/>` : '');
  writeFileSync(join(dir, 'conf', 'freeswitch.xml'), `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="">
    <configuration name="switch.conf" description="">
      <settings>
        <param name="max-sessions" value="4000"/>
        <param name="sessions-per-second" value="1000"/>
        <param name="loglevel" value="${logLevel}"/>
        <param name="colorize-console" value="false"/>
      </settings>
    </configuration>
    <configuration name="modules.conf" description="">
      <modules>
${STARTUP_MODULES.map((m) => `        <load module="${m}"/>`).join('\n')}
      </modules>
    </configuration>
    <configuration name="console.conf" description="">
      <mappings><map name="all" value="console,debug,info,notice,warning,err,crit,alert"/></mappings>
      <settings><param name="colorize" value="false"/><param name="loglevel" value="err"/></settings>
    </configuration>
    <configuration name="logfile.conf" description="">
      <profiles><profile name="default">
        <settings><param name="logfile" value="${dir}/log/freeswitch.log"/><param name="rollover" value="0"/></settings>
        <mappings><map name="all" value="debug,info,notice,warning,err,crit,alert"/></mappings>
      </profile></profiles>
    </configuration>
    <configuration name="event_socket.conf" description="">
      <settings>
        <param name="nat-map" value="false"/>
        <param name="listen-ip" value="127.0.0.1"/>
        <param name="listen-port" value="${eslPort}"/>
        <param name="password" value="${ESL_PASSWORD}"/>
        <param name="apply-inbound-acl" value="loopback.auto"/>
      </settings>
    </configuration>
    <configuration name="openai_realtime.conf" description=""><settings>${settings}</settings></configuration>
  </section>
  <section name="dialplan" description=""><context name="default"/></section>
</document>
`);
  mkdirSync(join(dir, 'conf', 'autoload_configs'));
  writeFileSync(join(dir, 'conf', 'autoload_configs', 'openai_realtime.conf.xml'),
    `<configuration name="openai_realtime.conf" description=""><settings>${settings}</settings></configuration>\n`);
}

/** Starts FreeSWITCH on a prepared directory; resolves with the child process. */
export function start(fsBin, dir) {
  const args = ['-nc', '-nf', '-nonat', '-nonatmap', '-nosql', '-conf', join(dir, 'conf'), '-log', join(dir, 'log'), '-db', join(dir, 'db'),
    '-run', join(dir, 'run'), '-mod', join(dir, 'mod'), '-temp', join(dir, 'temp'), '-storage', join(dir, 'storage'),
    '-cache', join(dir, 'cache'), '-certs', join(dir, 'certs'), '-recordings', join(dir, 'recordings')];
  const p = spawn(fsBin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
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
