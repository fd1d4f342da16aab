/**
 * `openai_realtime`: the module's own API (status, reload, diagnostics). Grows with the
 * operator-experience work; `debug ...` exists only when the host enables test hooks (the
 * simulator's --enable-test-hooks), so tests can prove that a JS failure does not take the host down.
 *
 * `reload` re-reads openai_realtime.conf.xml (ConfigStore.reload): new sessions get the new
 * profiles, running sessions keep the profile they started with, and a file that does not load
 * leaves the previous configuration in force. The C module calls it on FreeSWITCH's `reloadxml`.
 */
import type { ConfigStore } from '../config/configStore.js';
import type { MediaPump } from '../media/mediaPump.js';
import { EchoSession } from '../diagnostics/echoSession.js';
import { throwInSession } from '../diagnostics/throwInSession.js';
import { quoteToken } from './quoteArgument.js';
import type { HostConfig } from '../runtime/hostConfig.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';
import { uncaughtCount } from '../runtime/processGuards.js';
import { threadStatus } from '../status/moduleStatus.js';
import type { SessionMetrics } from '../status/sessionMetrics.js';
import { formatStatusText } from '../status/statusTable.js';
import { handlerModulePath, type ToolHandlerHost } from '../tools/toolHandlerHost.js';

export const ADMIN_USAGE = [
  'USAGE:',
  '--------------------------------------------------------------------------------',
  'openai_realtime status [json]',
  'openai_realtime metrics',
  'openai_realtime reload',
  'openai_realtime echo <uuid> start [delay_ms]',
  'openai_realtime echo <uuid> stop',
  '--------------------------------------------------------------------------------',
].join('\n');

export interface AdminDeps {
  pump: MediaPump;
  registry: SessionRegistry;
  config: HostConfig;
  configStore: ConfigStore;
  counters: () => Record<string, number>;
  /** This thread's tool handlers (reloaded with the configuration); absent on a thread without sessions. */
  toolHandlers?: ToolHandlerHost;
  /** This thread's session metrics; absent on a thread without sessions (the sharded runtime merges the workers'). */
  metrics?: SessionMetrics;
}

export function createAdminCommand(deps: AdminDeps): (args: string) => string | Promise<string> {
  return (args: string) => {
    const argv = args.trim().split(/\s+/).filter((a) => a.length > 0);
    const sub = (argv[0] ?? '').toLowerCase();
    switch (sub) {
      case 'status':
        return status(deps, argv[1]?.toLowerCase() === 'json');
      case 'metrics':
        return metrics(deps, argv[1]?.toLowerCase() === 'json');
      case 'reload':
        return reload(deps);
      case 'echo':
        return echo(deps, argv.slice(1));
      case 'debug':
        return debug(deps, argv.slice(1));
      default:
        return `${ADMIN_USAGE}\n-ERR ${sub ? `unknown command ${quoteToken(sub)}` : 'missing command'}`;
    }
  };
}

async function reload(deps: AdminDeps): Promise<string> {
  const result = deps.configStore.reload();
  if (!result.ok) return `-ERR ${result.error}`;
  const n = result.profiles.length;
  const restart = result.restartRequired.length > 0 ? `; ${result.restartRequired.join(', ')} apply when the module is loaded again` : '';
  const ok = `+OK reloaded (${n} profile${n === 1 ? '' : 's'})${restart}`;
  if (!deps.toolHandlers) return ok;
  // The handler module is imported again in a new worker: edited code takes effect.
  const handlers = await deps.toolHandlers.configure(handlerModulePath(deps.configStore.settings.toolHandlers, deps.configStore.file));
  if (!handlers.ok) return `-ERR ${handlers.error} (profiles and settings were reloaded)`;
  return handlers.names.length > 0 ? `${ok}; tool handlers: ${handlers.names.join(', ')}` : ok;
}

function status(deps: AdminDeps, json: boolean): string {
  const report = threadStatus({
    registry: deps.registry,
    configStore: deps.configStore,
    mediaHooks: deps.pump.size,
    uncaughtErrors: uncaughtCount(),
    counters: deps.counters(),
    toolHandlers: deps.toolHandlers && deps.configStore.settings.toolHandlers !== null ? deps.toolHandlers.status() : null,
  });
  return json ? JSON.stringify(report) : formatStatusText(report);
}

/** Text exposition format; `json` is prom-client's JSON, what a worker gives the sharded runtime to sum. */
async function metrics(deps: AdminDeps, json: boolean): Promise<string> {
  if (!deps.metrics) return '-ERR metrics are not kept on this thread';
  return json ? JSON.stringify(await deps.metrics.json()) : deps.metrics.text();
}

async function echo(deps: AdminDeps, argv: string[]): Promise<string> {
  const [uuid, action, delay] = argv;
  if (!uuid || !action) return '-ERR usage: openai_realtime echo <uuid> start [delay_ms] | stop';
  const existing = deps.registry.get(uuid, 'echo');
  if (action === 'stop') {
    if (!existing) return '-ERR no echo running on this channel';
    await existing.stop('stop');
    return '+OK Success';
  }
  if (action !== 'start') return `-ERR unknown echo action ${action}`;
  if (existing) return '-ERR echo already running on this channel';
  const delayMs = delay === undefined ? 0 : Number(delay);
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 10_000) return '-ERR delay_ms must be an integer 0..10000';
  try {
    EchoSession.start(uuid, delayMs, deps.pump, deps.registry);
  } catch (err) {
    return `-ERR ${err instanceof Error ? err.message : String(err)}`;
  }
  return '+OK Success';
}

function debug(deps: AdminDeps, argv: string[]): string {
  if (!deps.config.testHooks) return '-ERR debug commands are disabled';
  switch (argv[0]) {
    case 'throw':
      setImmediate(() => {
        throw new Error('debug: thrown on purpose');
      });
      return '+OK will throw';
    case 'reject':
      void Promise.reject(new Error('debug: rejected on purpose'));
      return '+OK rejected';
    case 'exit':
      setImmediate(() => process.exit(7));
      return '+OK will exit';
    case 'throw-in-session':
      return throwInSession(deps.registry, argv.slice(1));
    case 'spin': {
      const ms = Number(argv[1] ?? 1000);
      const until = Date.now() + (Number.isFinite(ms) ? Math.min(ms, 30_000) : 1000);
      setImmediate(() => {
        while (Date.now() < until) {
          // A JS thread stuck on purpose: media threads must not notice.
        }
      });
      return '+OK will spin';
    }
    default:
      return '-ERR debug throw|reject|exit|spin <ms>|throw-in-session <uuid> [media|server]';
  }
}
