/**
 * `max-sessions`: a new media session (audio stream, s2s session) is refused with
 * `-ERR too many sessions (max N)` while the process already holds N media hooks. The count is
 * the bridge's channel table, which every worker thread shares, so the limit is per FreeSWITCH
 * process whatever the `workers` setting; a session that is ending still counts until its hook is
 * released. Checked right before the hook is attached (nothing asynchronous in between on that
 * thread); two workers starting at the same instant can exceed it by one each.
 */
import type { NativeBridge } from '../bridge.js';

export function capacityRefusal(bridge: Pick<NativeBridge, 'counters'>, maxSessions: number): string | null {
  const inUse = bridge.counters().tableChannels;
  return inUse >= maxSessions ? `-ERR too many sessions (max ${maxSessions})` : null;
}
