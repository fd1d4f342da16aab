/**
 * The pure steps of a Live engine's start and of reading its frames, apart from the engine:
 *
 * - the start as sent: what the session adds (tool schemas), then the channel's format when the
 *   application chose none (withChannelAudioFormat), and the wire format the uplink and track use;
 *   the log line says which format was added, or what the application's own costs on the channel;
 * - the start after an abnormal drop: the same session with the conversation so far as `input`
 *   (rebuildHistory, after the start's own input, within the 128-message limit);
 * - a server frame as the engine forwards it: parsed once, with its JSON object and type even when
 *   the parser did not know or accept it (the application still gets every frame).
 */
import { isJsonObject } from '../../protocol/json.js';
import { formatNote, withChannelAudioFormat } from '../../protocol/live/liveAudioFormat.js';
import { parseLiveServerEvent, type LiveServerParse } from '../../protocol/live/liveServerEvents.js';
import type { LiveAudioFormat, LiveAudioFormatType, LiveSessionStart } from '../../protocol/live/liveTypes.js';
import { LIVE_HISTORY_MAX_MESSAGES, rebuildHistory } from '../../protocol/live/reconnectHistory.js';
import type { TranscriptTurn } from '../../protocol/live/transcriptTurns.js';
import type { WireFormat } from '../sessionFormats.js';

/** The client event that carries caller audio on Live. */
export const LIVE_APPEND = 'session.input_audio.append';
export const RECONNECT_PREAMBLE = 'The call was reconnected; this is the conversation so far.';

const ENCODINGS: Record<LiveAudioFormatType, WireFormat['encoding']> = { 'audio/pcm': 'pcm', 'audio/pcmu': 'pcmu', 'audio/pcma': 'pcma' };

export function wireFormatOf(format: LiveAudioFormat): WireFormat {
  const encoding = ENCODINGS[format.type];
  return { encoding, rate: encoding === 'pcm' ? format.rate : 8000 };
}

export interface PreparedStart {
  event: LiveSessionStart;
  /** The format the module added, or null when the start named one. */
  added: LiveAudioFormat | null;
  /** For the channel's log: the format added, or what the application's own costs on this channel (null: nothing to say). */
  note: string | null;
  /** The session's one format, both directions. */
  format: WireFormat | null;
}

export function prepareLiveStart(start: LiveSessionStart, channel: { codec: string; sampleRate: number }, decorate?: (start: LiveSessionStart) => LiveSessionStart): PreparedStart {
  const decorated = decorate ? decorate(start) : start;
  const { event, added } = withChannelAudioFormat(decorated, channel);
  const format = event.session.audio?.format;
  const note = added
    ? `session.start has no audio.format: added ${added.type} at ${added.rate} Hz for the ${channel.codec} channel`
    : format
      ? formatNote(format, channel)
      : null;
  return { event, added, note, format: format ? wireFormatOf(format) : null };
}

export function restartedStart(start: LiveSessionStart, turns: readonly TranscriptTurn[]): { event: LiveSessionStart; messages: number; droppedTurns: number } {
  const rebuilt = rebuildHistory(turns, { preamble: RECONNECT_PREAMBLE });
  const input = [...(start.session.input ?? []), ...rebuilt.input].slice(-LIVE_HISTORY_MAX_MESSAGES);
  return { event: { ...start, session: { ...start.session, input } }, messages: rebuilt.input.length, droppedTurns: rebuilt.droppedTurns };
}

export interface LiveFrame {
  parse: LiveServerParse;
  /** The frame's JSON object (null when it is not one). */
  json: Record<string, unknown> | null;
  eventType: string | null;
}

export function readLiveFrame(text: string): LiveFrame {
  const parse = parseLiveServerEvent(text);
  if (parse.kind === 'event') return { parse, json: parse.event as unknown as Record<string, unknown>, eventType: parse.event.type };
  if (parse.kind === 'unknown') return { parse, json: parse.raw, eventType: parse.type };
  let json: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(text);
    if (isJsonObject(value)) json = value;
  } catch {
    json = null;
  }
  return { parse, json, eventType: parse.type ?? null };
}
