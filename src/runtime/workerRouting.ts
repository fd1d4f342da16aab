/**
 * Which JS thread answers an API command when sessions are sharded over worker threads
 * (workerPool.ts). Pure: the table of rules lives here so that a new API or `openai_realtime`
 * subcommand is routed on purpose, not by accident.
 *
 * Channel commands go to the worker that owns the channel, chosen by a hash of the uuid: sticky
 * (the same uuid always lands on the same worker, also after that worker restarts) and needing no
 * table that could go stale. Commands about the whole module are answered by the main thread
 * (aggregating every worker's answer where the state lives in the workers).
 */
import { ADMIN_API } from '../apiNames.js';

export type CommandRoute =
  /** A channel's command: the worker `shardOf(uuid)`. */
  | { kind: 'channel'; uuid: string }
  /** `openai_realtime status [json]`: every worker's status, merged (statusMerge.ts). */
  | { kind: 'status'; json: boolean }
  /** `openai_realtime metrics`: every worker's metrics, summed (metricsMerge.ts). */
  | { kind: 'metrics' }
  /** Every worker runs it (state every worker holds, e.g. the configuration); replies merged. */
  | { kind: 'broadcast' }
  /** The main thread's own handler (process-level diagnostics: `openai_realtime debug ...`). */
  | { kind: 'main' }
  /** Test hook: the worker owning `uuid` exits with `code`, as if it had crashed. */
  | { kind: 'worker-exit'; uuid: string; code: number };

/** The APIs whose first argument is a channel uuid (the `uuid_` convention of FreeSWITCH). */
const CHANNEL_API = /^uuid_/;

/**
 * The channel uuid of a channel API's arguments: the first word, or the first field of the
 * `^^<delim>` form FreeSWITCH's API parser knows (`^^|<uuid>|client.event|<json>`). '' if none.
 */
export function uuidArgument(args: string): string {
  const trimmed = args.trimStart();
  if (trimmed.startsWith('^^') && trimmed.length >= 3) {
    const delimiter = trimmed[2]!;
    const rest = trimmed.slice(3);
    const end = rest.indexOf(delimiter);
    return (end < 0 ? rest : rest.slice(0, end)).trim();
  }
  const match = /^\S+/.exec(trimmed);
  return match ? match[0] : '';
}

export function routeCommand(api: string, args: string): CommandRoute {
  if (api === ADMIN_API) return routeAdmin(args);
  if (CHANNEL_API.test(api)) return { kind: 'channel', uuid: uuidArgument(args) };
  // Any other API (none today): one answer, from a fixed worker, like an unknown API on one thread.
  return { kind: 'channel', uuid: '' };
}

function routeAdmin(args: string): CommandRoute {
  const argv = args.trim().split(/\s+/).filter((a) => a.length > 0);
  const sub = (argv[0] ?? '').toLowerCase();
  switch (sub) {
    case 'status':
      return { kind: 'status', json: argv[1]?.toLowerCase() === 'json' };
    case 'metrics':
      return { kind: 'metrics' };
    case 'echo':
      // A missing uuid is a usage error any thread words the same way.
      return argv[1] ? { kind: 'channel', uuid: argv[1] } : { kind: 'main' };
    case 'debug':
      if (argv[1] === 'worker-exit' && argv[2]) {
        const code = Number(argv[3] ?? 7);
        return { kind: 'worker-exit', uuid: argv[2], code: Number.isInteger(code) ? code : 7 };
      }
      // The session lives in the worker that owns the channel.
      if (argv[1] === 'throw-in-session' && argv[2]) return { kind: 'channel', uuid: argv[2] };
      return { kind: 'main' };
    case 'reload':
      return { kind: 'broadcast' };
    default:
      // Usage text and unknown subcommands; a new subcommand that acts on sessions must get a rule.
      return { kind: 'main' };
  }
}

/**
 * The worker (0..count−1) that owns a channel: FNV-1a of the lowercased uuid (the session registry
 * matches uuids case-insensitively, so routing must too).
 */
export function shardOf(uuid: string, count: number): number {
  if (count <= 1) return 0;
  const s = uuid.toLowerCase();
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** Replies of a broadcast command as one: all equal → that one; else the first error, else the first. */
export function mergeBroadcastReplies(replies: readonly string[]): string {
  if (replies.length === 0) return '-ERR no worker answered';
  if (replies.every((r) => r === replies[0])) return replies[0]!;
  return replies.find((r) => r.startsWith('-ERR')) ?? replies[0]!;
}
