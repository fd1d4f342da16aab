/**
 * `openai_realtime debug throw-in-session <uuid> [media|server]` (test hooks only): the next time
 * the channel's audio stream or s2s session runs its media handler (default) or handles a server
 * frame, it throws. Tests use it to prove containment: that session ends with an event, the other
 * calls keep their audio, the module keeps answering (runtime/faultHooks.ts).
 */
import { armSessionFault, FAULT_SITES, type FaultSite } from '../runtime/faultHooks.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';

const USAGE = '-ERR usage: openai_realtime debug throw-in-session <uuid> [media|server]';

export function throwInSession(registry: SessionRegistry, argv: readonly string[]): string {
  const [uuid, siteArg] = argv;
  if (!uuid) return USAGE;
  const site = (siteArg ?? 'media').toLowerCase() as FaultSite;
  if (!FAULT_SITES.includes(site)) return USAGE;
  const session = registry.get(uuid, 'audio_stream') ?? registry.get(uuid, 's2s');
  if (!session) return '-ERR no audio stream or s2s session on this channel';
  // Armed for an ending session, the fault would wait for the channel's next session instead.
  if ((session as { ending?: boolean }).ending) return '-ERR the session is ending';
  armSessionFault(uuid, site);
  return `+OK the ${site} handler of the ${session.family} session will throw`;
}
