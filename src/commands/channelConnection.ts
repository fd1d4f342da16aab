/**
 * The first step of `start` (uuid_openai_audio_stream) and `session.create` (uuid_openai_s2s): the
 * channel must exist, its connection is resolved (API argument > channel variable > profile >
 * default, see docs/configuration.md), and every secret that resolution found is registered for
 * redaction before anything about the call is logged. One place, so both APIs keep the same order.
 */
import {
  PROFILE_VARIABLE,
  resolveConnection,
  type ConnectionOverrides,
  type ResolvedConnection,
} from '../config/resolveConnection.js';
import { log, type Logger } from '../runtime/logger.js';
import { registerSecret } from '../runtime/secrets.js';
import type { SessionCommandDeps } from './sessionCommandDeps.js';

export type ChannelVariables = (name: string) => string | null | undefined;

export type ChannelConnection =
  | { ok: false; reply: string }
  | { ok: true; variables: ChannelVariables; connection: ResolvedConnection; warnings: string[]; channelLog: Logger };

export function resolveChannelConnection(
  deps: Pick<SessionCommandDeps, 'host' | 'config'>,
  uuid: string,
  target: string,
  overrides?: ConnectionOverrides,
): ChannelConnection {
  const variables: ChannelVariables = (name) => deps.host.getVar(uuid, name);
  if (variables(PROFILE_VARIABLE) === undefined) return { ok: false, reply: '-ERR no such channel' };
  const resolved = resolveConnection(
    overrides ? { target, variables, overrides } : { target, variables },
    deps.config.current,
  );
  if (!resolved.ok) return { ok: false, reply: `-ERR ${resolved.error}` };
  // Before anything is logged: keys from channel variables, arguments and the URL are redacted from here on.
  for (const secret of resolved.secrets) registerSecret(secret);
  const connection = resolved.connection;
  const channelLog = log.forChannel(uuid);
  if (connection.profile) channelLog.info(`profile "${connection.profile.name}" (chosen by ${connection.profileSelectedBy})`);
  return { ok: true, variables, connection, warnings: resolved.warnings, channelLog };
}
