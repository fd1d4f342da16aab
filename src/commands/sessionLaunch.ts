/**
 * The second step of `start` (uuid_openai_audio_stream) and `session.create` (uuid_openai_s2s),
 * after resolveChannelConnection: while the TLS files are read (the one await) the channel is marked
 * as starting, so a second start is refused rather than racing; after it, a session that appeared
 * meanwhile wins; the session cap applies; the host's refusal to attach becomes a clear -ERR (decided on its
 * error code, native/host.h's oair_host_error, not on its wording). One
 * place, so both APIs answer the same way.
 */
import { HostError, hostErrorOf } from '../bridge.js';
import type { ModuleSettings } from '../config/moduleSettings.js';
import type { ResolvedConnection } from '../config/resolveConnection.js';
import { loadTlsFiles } from '../config/tlsFiles.js';
import type { TlsConnectOptions } from '../config/tlsFiles.js';
import { capacityRefusal } from '../runtime/sessionCapacity.js';
import type { SessionCommandDeps } from './sessionCommandDeps.js';

const OK = '+OK Success';

export interface SessionLaunch {
  uuid: string;
  connection: ResolvedConnection;
  /** Channels between their checks and their session's registration (shared by an API's names). */
  starting: Set<string>;
  /** Whether the channel already has a session of this API. */
  exists: () => boolean;
  /** The answer when it does. */
  busyReply: string;
  /** Creates and registers the session; throws with the host's reason when the hook cannot attach. */
  launch: (tls: TlsConnectOptions, settings: ModuleSettings) => void;
}

export async function launchSession(deps: Pick<SessionCommandDeps, 'host' | 'config'>, o: SessionLaunch): Promise<string> {
  const key = o.uuid.toLowerCase();
  if (o.exists() || o.starting.has(key)) return o.busyReply;
  o.starting.add(key);
  try {
    const tls = await loadTlsFiles(o.connection.tls);
    if ('error' in tls) return `-ERR ${tls.error}`;
    if (o.exists()) return o.busyReply;
    const settings = deps.config.settings;
    const full = capacityRefusal(deps.host, settings.maxSessions);
    if (full) return full;
    o.launch(tls, settings);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (hostErrorOf(err) === HostError.alreadyAttached) return '-ERR a media hook is already attached to this channel';
    return `-ERR ${reason}`;
  } finally {
    o.starting.delete(key);
  }
  return OK;
}
