/**
 * Puts the call's ready-made tools into the session configuration without dropping anything the
 * application or the profile configured. `session.update` replaces the whole `tools` list when it
 * has one (docs/realtime-protocol.md §3.1: only the fields present change), so:
 *
 * - an update with a `tools` array gets the ready-made tools appended (a tool of the same name that
 *   the application defined itself is left as it is);
 * - an update without `tools` leaves the server's list alone — unless the ready-made tools have not
 *   been sent on this session yet, in which case they are added;
 * - `tools: []` from the application means "no tools of mine": the ready-made ones stay.
 *
 * Pure.
 */
import type { FunctionTool } from './builtinTools.js';
import { isJsonObject } from '../protocol/json.js';

/** The session object with the tools merged in; the same object when nothing needs to change. */
export function withBuiltinTools(session: Readonly<Record<string, unknown>>, tools: readonly FunctionTool[], alreadySent: boolean): Record<string, unknown> {
  if (tools.length === 0) return session as Record<string, unknown>;
  const own = session.tools;
  if (Array.isArray(own)) {
    const names = new Set(own.filter(isJsonObject).map((t) => t.name));
    const missing = tools.filter((t) => !names.has(t.name));
    return missing.length === 0 ? (session as Record<string, unknown>) : { ...session, tools: [...own, ...missing] };
  }
  if (alreadySent || own !== undefined) return session as Record<string, unknown>;
  return { ...session, tools: [...tools] };
}

/** Whether a session object (as sent) carries every one of `tools`. */
export function carriesTools(session: Readonly<Record<string, unknown>>, tools: readonly FunctionTool[]): boolean {
  const own = session.tools;
  if (!Array.isArray(own)) return false;
  const names = new Set(own.filter(isJsonObject).map((t) => t.name));
  return tools.every((t) => names.has(t.name));
}
