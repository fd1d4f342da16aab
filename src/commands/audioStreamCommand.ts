/**
 * The `uuid_openai_audio_stream` and `uuid_raw_audio_stream` APIs (seed README "API",
 * docs/seed-modules.md §1): parse with the grammar, find or start the channel's stream, and
 * answer with exactly one line, `+OK Success` or `-ERR <reason>`. Bad input changes nothing.
 *
 * Both APIs drive the same stream on a channel; `uuid_raw_audio_stream start` (or the deprecated
 * STREAM_RAW_AUDIO variable) starts it in raw mode. `start` answers once the media hook is
 * attached and the connection initiated; how the connection fares arrives as events.
 *
 * `<ws-uri>` may be `profile:<name>`; the connection comes from `resolveConnection` (the profile,
 * OPENAI_REALTIME_PROFILE, default-profile and the STREAM_* variables, docs/configuration.md).
 */
import { log } from '../runtime/logger.js';
import { rewriteAzurePreviewUrl } from './azurePreviewPath.js';
import { resolveChannelConnection } from './channelConnection.js';
import { launchSession } from './sessionLaunch.js';
import type { ApiHandler, RegisterApi, SessionCommandDeps } from './sessionCommandDeps.js';
import { startRateNote } from './startRateNote.js';
import { selectProtocol } from '../protocol/live/liveEndpoint.js';
import { engineLimits } from '../session/engineLimits.js';
import { AUDIO_STREAM_FAMILY, AudioStreamSession } from '../session/audioStreamSession.js';
import { readAudioVariables } from '../session/streamVariables.js';
import {
  AUDIO_STREAM_API,
  RAW_AUDIO_STREAM_API,
  parseAudioStreamCommand,
  type AudioStreamApi,
  type AudioStreamCommand,
} from './audioStreamGrammar.js';

const OK = '+OK Success';
/** The stream is connecting: the event waits and goes out after session.created (clientEventQueue.ts). */
const QUEUED = '+OK queued';

/**
 * The handler of one API name. `starting` holds the channels whose `start` is between its checks
 * and the session's registration; both API names share it so they cannot race each other.
 */
export function createAudioStreamCommand(
  deps: SessionCommandDeps,
  api: AudioStreamApi,
  starting: Set<string> = new Set(),
): ApiHandler {

  const sessionOf = (uuid: string): AudioStreamSession | undefined => {
    const session = deps.registry.get(uuid, AUDIO_STREAM_FAMILY);
    return session instanceof AudioStreamSession ? session : undefined;
  };

  /** Why there is no session: the channel itself may not exist. */
  const noSession = (uuid: string): string =>
    deps.host.getVar(uuid, 'uuid') === undefined ? '-ERR no such channel' : '-ERR no stream on this channel';

  const start = async (cmd: Extract<AudioStreamCommand, { kind: 'start' }>): Promise<string> => {
    if (sessionOf(cmd.uuid) || starting.has(cmd.uuid.toLowerCase())) return '-ERR stream already running on this channel';
    const azure = rewriteAzurePreviewUrl(cmd.url);
    if (azure) log.forChannel(cmd.uuid).notice(azure.note);
    const channel = resolveChannelConnection(deps, cmd.uuid, azure?.url ?? cmd.url);
    if (!channel.ok) return channel.reply;
    const { connection, channelLog, warnings } = channel;
    const audio = readAudioVariables(channel.variables);
    const raw = api === RAW_AUDIO_STREAM_API || audio.rawAudioVariable;
    if (audio.rawAudioVariable) {
      channelLog.warning(
        api === RAW_AUDIO_STREAM_API
          ? 'STREAM_RAW_AUDIO is deprecated and unnecessary when using uuid_raw_audio_stream. It will be removed in the next major release.'
          : 'STREAM_RAW_AUDIO is deprecated and will be removed in the next major release. Use uuid_raw_audio_stream <uuid> start ... to enable raw audio mode.',
      );
    }
    if (raw) {
      channelLog.info(`Raw audio mode enabled via ${api === RAW_AUDIO_STREAM_API ? 'API' : 'deprecated channel variable'}, bypassing JSON+base64 encoding.`);
    } else {
      // JSON mode: what send_rate / playback_rate / stereo mean on Realtime is the session's decision
      // (session/jsonUplinkFormat.ts, which warns); on GPT-Live the rates are simply not used, and
      // one informational line says what is sent instead (startRateNote.ts).
      const note = startRateNote(selectProtocol(connection.url, connection.protocol), cmd.sendRate, cmd.playbackRate);
      if (note) channelLog.info(note.text);
    }
    return launchSession(deps, {
      uuid: cmd.uuid,
      connection,
      starting,
      exists: () => sessionOf(cmd.uuid) !== undefined,
      busyReply: '-ERR stream already running on this channel',
      launch: (tls, settings) =>
        AudioStreamSession.start(
          {
            uuid: cmd.uuid,
            api,
            mix: cmd.mix,
            sendRate: cmd.sendRate,
            playbackRate: cmd.playbackRate,
            muteUser: cmd.muteUser,
            raw,
            audio,
            connection,
            tls,
            warnings,
            limits: engineLimits(settings),
          },
          deps.sessions,
        ),
    });
  };

  return async (args: string): Promise<string> => {
    const cmd = parseAudioStreamCommand(api, args, deps.config.settings.maxSendJsonBytes);
    if (cmd.kind === 'error') return cmd.reply;
    // send_json stays out of the log: payloads can be large (the seed did the same).
    if (cmd.kind !== 'send_json') log.debug(`mod_openai_audio_stream ${api} cmd: ${cmd.kind} ${cmd.uuid}`);
    if (cmd.kind === 'start') return start(cmd);
    const session = sessionOf(cmd.uuid);
    if (!session) return noSession(cmd.uuid);
    if (session.ending && cmd.kind !== 'stop') return '-ERR stream is stopping';
    switch (cmd.kind) {
      case 'stop': {
        // A clean-up stop always stops; a final message that cannot go out is said so, in the
        // reply and the channel's log, instead of leaving the stream running until hangup.
        const unsent = cmd.jsonError ?? (cmd.json !== null && !session.connected ? 'not connected' : null);
        await session.stop('stop command', unsent === null ? cmd.json : null);
        if (unsent === null) return OK;
        log.forChannel(cmd.uuid).warning(`stop: the final message was not sent (${unsent}); the stream was stopped`);
        return `-ERR final message not sent (${unsent}); the stream was stopped`;
      }
      case 'send_json': {
        const result = session.sendJson(cmd.json, cmd.parsed);
        return result === 'sent' ? OK : result === 'queued' ? QUEUED : `-ERR ${result.refused}`;
      }
      case 'pause':
      case 'resume':
        session.setPaused(cmd.kind === 'pause');
        return OK;
      case 'mute':
      case 'unmute':
        session.setMute(cmd.target, cmd.kind === 'mute');
        return OK;
    }
  };
}

/** Registers `uuid_openai_audio_stream` and `uuid_raw_audio_stream`, sharing one set of starts in progress. */
export function registerAudioStreamCommands(register: RegisterApi, deps: SessionCommandDeps): void {
  const starting = new Set<string>();
  register(AUDIO_STREAM_API, createAudioStreamCommand(deps, AUDIO_STREAM_API, starting));
  register(RAW_AUDIO_STREAM_API, createAudioStreamCommand(deps, RAW_AUDIO_STREAM_API, starting));
}
