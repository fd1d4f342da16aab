/**
 * What the session APIs (`uuid_openai_audio_stream`, `uuid_raw_audio_stream`, `uuid_openai_s2s`)
 * use, and nothing more. app.ts hands each command these instead of the whole application, so what
 * a command can reach is read off its signature and a test can build exactly this.
 */
import type { NativeBridge } from '../bridge.js';
import type { ConfigStore } from '../config/configStore.js';
import type { SessionRegistry } from '../runtime/sessionRegistry.js';
import type { AudioStreamDeps } from '../session/audioStreamSession.js';
import type { S2sDeps } from '../session/s2sSession.js';

/** One API's handler: exactly one reply line per command (runtime/commandDispatcher.ts sends it). */
export type ApiHandler = (args: string) => string | Promise<string>;

/** Where an API's handler is registered (the dispatcher's `register`). */
export type RegisterApi = (api: string, handler: ApiHandler) => void;

export interface SessionCommandDeps {
  /** The host's channels: their variables (undefined: no such channel) and the hooks in use (max-sessions). */
  readonly host: Pick<NativeBridge, 'getVar' | 'counters'>;
  /** The configuration in force, read per command so a reload applies to the next one. */
  readonly config: Pick<ConfigStore, 'current' | 'settings'>;
  /** This thread's sessions: found by channel, registered by the session when it starts. */
  readonly registry: SessionRegistry;
  /** What a new session is built with (the same for both API families). */
  readonly sessions: AudioStreamDeps & S2sDeps;
}
