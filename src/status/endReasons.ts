/**
 * Why a session ended, as a metric label: the engines word their end reasons for people
 * (session/realtimeConnection.ts, session/realtimeEngine.ts, the stop commands), with close codes
 * and counts in them; a metric label must come from a small fixed set, so the text is sorted into
 * one of these buckets and never copied. Pure.
 */
export const END_REASONS = ['stop', 'hangup', 'server_closed', 'connect_failed', 'connection_lost', 'internal_error', 'shutdown', 'other'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Buckets that mean the call did not end the way the application or the caller asked. */
const FAILURES: ReadonlySet<EndReason> = new Set(['connect_failed', 'connection_lost', 'internal_error']);

export function endReasonLabel(reason: string): EndReason {
  const r = reason.toLowerCase();
  if (r.includes('hangup') || r.includes('media hook closed')) return 'hangup';
  if (r.startsWith('connect failed')) return 'connect_failed';
  if (r.startsWith('connection lost')) return 'connection_lost';
  if (r.startsWith('server closed')) return 'server_closed';
  if (r.includes('internal error')) return 'internal_error';
  if (r === 'shutdown' || r.includes('unload')) return 'shutdown';
  if (r === 'stop' || r === 'stopped' || r.startsWith('stop command') || r === 'session.delete' || r.startsWith('stopped ')) return 'stop';
  return 'other';
}

export function isFailure(reason: EndReason): boolean {
  return FAILURES.has(reason);
}
