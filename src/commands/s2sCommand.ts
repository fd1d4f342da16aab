/**
 * The `uuid_openai_s2s` API (seed README, docs/seed-modules.md §6): the jambonz-style
 * speech-to-speech API on the shared engine, speaking the GA protocol for applications written
 * against the beta. Every command answers with exactly one line, `+OK Success` or `-ERR <reason>`
 * (usage first for a malformed command); bad input changes nothing. The seed's bugs are not kept:
 * no leaked lock on session.delete or a short session.create (a reply always comes), the Azure
 * `query` key really is sent, two client events are two frames, a JSON without `type` is an
 * error instead of a crash, a client event sent while connecting is queued and sent after
 * session.created (`+OK queued`) instead of silently dropped, and a session.delete after the
 * session already ended (the server closed or failed) is `+OK`. A retired Azure preview path is
 * rewritten to the GA one (azurePreviewPath.ts).
 *
 * The connection comes from `resolveConnection` like the audio stream's: `session.create
 * <host> <path> <auth> [key]` gives the URL, the auth style and the key as API arguments (they
 * beat the STREAM_* variables and any profile); `session.create profile:<name>` takes all of it,
 * and the profile's `<session>`, from the profile. A profile chosen by OPENAI_REALTIME_PROFILE or
 * default-profile supplies the rest (TLS, headers and key on its own origin) but not its
 * `<session>`: an s2s application configures its session itself and waits for the answer to its
 * own session.update.
 */
import { Buffer } from 'node:buffer';
import { toGaClientEvent } from '../protocol/realtime/betaClientEvents.js';
import { PROFILE_PREFIX, type ConnectionOverrides } from '../config/resolveConnection.js';
import { rewriteAzurePreviewUrl } from './azurePreviewPath.js';
import { resolveChannelConnection } from './channelConnection.js';
import { launchSession } from './sessionLaunch.js';
import type { ApiHandler, RegisterApi, SessionCommandDeps } from './sessionCommandDeps.js';
import { parseJsonObject } from '../runtime/jsonText.js';
import { log } from '../runtime/logger.js';
import { registerSecret } from '../runtime/secrets.js';
import { engineLimits } from '../session/engineLimits.js';
import { S2S_FAMILY, S2sSession } from '../session/s2sSession.js';
import { parseS2sCommand, S2S_API, type S2sCommand } from './s2sGrammar.js';
import { isJsonObject } from '../protocol/json.js';

const OK = '+OK Success';
/**
 * Channels whose s2s session was created and not deleted yet, remembered so the one session.delete
 * that follows a session the server ended is still +OK.
 */
const REMEMBERED_CHANNELS = 4096;

/**
 * mod_openai_s2s's convenience, kept: a function_call_output whose `output` is an object is sent
 * with `output` as its JSON text (the API takes a string). The same object when nothing changes.
 */
export function stringifyToolOutput(event: Record<string, unknown>): Record<string, unknown> {
  if (event.type !== 'conversation.item.create' || !isJsonObject(event.item)) return event;
  const item = event.item;
  if (item.type !== 'function_call_output' || item.output === null || typeof item.output !== 'object') return event;
  return { ...event, item: { ...item, output: JSON.stringify(item.output) } };
}

export function createS2sCommand(deps: SessionCommandDeps, starting: Set<string> = new Set()): ApiHandler {
  const sessionOf = (uuid: string): S2sSession | undefined => {
    const session = deps.registry.get(uuid, S2S_FAMILY);
    return session instanceof S2sSession ? session : undefined;
  };

  const noSession = (uuid: string): string =>
    deps.host.getVar(uuid, 'uuid') === undefined ? '-ERR no such channel' : '-ERR no s2s session on this channel';
  const created = new Set<string>();

  const create = async (cmd: Extract<S2sCommand, { kind: 'create' }>): Promise<string> => {
    if (sessionOf(cmd.uuid) || starting.has(cmd.uuid.toLowerCase())) return '-ERR an openai session is already in progress for this channel';
    const overrides: ConnectionOverrides = {};
    let target: string;
    if ('profile' in cmd) {
      target = `${PROFILE_PREFIX}${cmd.profile}`;
    } else {
      target = cmd.url;
      const azure = rewriteAzurePreviewUrl(cmd.url);
      if (azure) {
        target = azure.url;
        log.forChannel(cmd.uuid).notice(azure.note);
      }
      overrides.auth = cmd.auth === 'query' ? 'api-key-query' : 'bearer';
      if (cmd.apiKey !== null) overrides.apiKey = cmd.apiKey;
    }
    const channel = resolveChannelConnection(deps, cmd.uuid, target, overrides);
    if (!channel.ok) return channel.reply;
    const { connection, channelLog, warnings } = channel;
    if (new URL(connection.url).protocol === 'ws:' && connection.keyOrigin !== 'none') {
      channelLog.warning(`the key goes to ${new URL(connection.url).host} over plain ws:// (unencrypted)`);
    }
    const reply = await launchSession(deps, {
      uuid: cmd.uuid,
      connection,
      starting,
      exists: () => sessionOf(cmd.uuid) !== undefined,
      busyReply: '-ERR an openai session is already in progress for this channel',
      launch: (tls, settings) =>
        S2sSession.start(
          {
            uuid: cmd.uuid,
            connection,
            tls,
            // The seed made one attempt; a profile's max-connect-attempts applies when one is in use.
            connectAttempts: connection.profile && connection.reconnect ? connection.maxConnectAttempts : 1,
            initialSession: connection.profileSelectedBy === 'api-argument' ? (connection.sessionUpdate ?? null) : null,
            warnings,
            limits: engineLimits(settings),
          },
          deps.sessions,
        ),
    });
    if (reply === OK) {
      created.delete(cmd.uuid.toLowerCase());
      created.add(cmd.uuid.toLowerCase());
      if (created.size > REMEMBERED_CHANNELS) created.delete(created.values().next().value!);
    }
    return reply;
  };

  const clientEvent = (session: S2sSession, json: string): string => {
    const max = deps.config.settings.maxSendJsonBytes;
    if (Buffer.byteLength(json) > max) return `-ERR json too large (max ${max} bytes)`;
    const parsed = parseJsonObject(json);
    if (!parsed.ok) return `-ERR invalid JSON: ${parsed.error === 'expected a JSON object' ? 'expected an object' : parsed.error}`;
    if (typeof parsed.value.type !== 'string' || parsed.value.type.length === 0) return '-ERR invalid client event: no "type"';
    const convenient = stringifyToolOutput(parsed.value);
    // GPT-Live events go as written: the beta → GA translation is Realtime's.
    const translated = session.protocol === 'live' ? { event: convenient, changed: false, notes: [] as string[] } : toGaClientEvent(convenient);
    const changed = translated.changed || convenient !== parsed.value;
    const channelLog = log.forChannel(session.uuid);
    // Names of fields only: client events can be large and hold anything.
    channelLog.debug(`client.event ${String(parsed.value.type)}${changed ? ' (translated)' : ''}`);
    for (const note of translated.notes) channelLog.debug(`client.event ${String(parsed.value.type)}: ${note}`);
    // Unchanged events go out exactly as the application wrote them.
    const text = changed ? JSON.stringify(translated.event) : json;
    const result = session.sendClientEvent(text, translated.event, changed);
    return result === 'sent' ? OK : result === 'queued' ? '+OK queued' : `-ERR ${result.refused}`;
  };

  return async (args: string): Promise<string> => {
    const cmd = parseS2sCommand(args);
    if (cmd.kind === 'error') {
      // A key typed before a mistake is still a key.
      if (cmd.apiKey) registerSecret(cmd.apiKey);
      return cmd.reply;
    }
    if (cmd.kind === 'create' && 'apiKey' in cmd && cmd.apiKey !== null) registerSecret(cmd.apiKey);
    // client.event stays out of the log here: payloads can be large (the seed did the same).
    if (cmd.kind !== 'client.event') log.debug(`${S2S_API} cmd: ${cmd.kind} ${cmd.uuid}`);
    if (cmd.kind === 'create') return create(cmd);
    const session = sessionOf(cmd.uuid);
    if (cmd.kind === 'delete' && created.delete(cmd.uuid.toLowerCase()) && !session && deps.host.getVar(cmd.uuid, 'uuid') !== undefined) {
      // The session already ended (the server closed it or failed): nothing is left to release,
      // and jambonz sends session.delete on every task end, so this one is not an error.
      log.forChannel(cmd.uuid).debug('session.delete: the s2s session had already ended');
      return OK;
    }
    if (!session) return noSession(cmd.uuid);
    if (cmd.kind === 'delete') {
      await session.stop('session.delete');
      return OK;
    }
    if (session.ending) return '-ERR session is ending';
    return clientEvent(session, cmd.json);
  };
}

/** Registers `uuid_openai_s2s`. */
export function registerS2sCommand(register: RegisterApi, deps: SessionCommandDeps): void {
  register(S2S_API, createS2sCommand(deps));
}
