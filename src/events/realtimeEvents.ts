/**
 * The module's own events, common to both API families (the subclasses the C module reserves as
 * `openai_realtime::*`): names, body shapes, and one firing path. The host adds the channel's
 * headers (Unique-ID, Channel-Name, ... and, with verbose events, its variables); every body passes
 * through secret redaction on its way out, like logs and replies.
 */
import type { NativeBridge } from '../bridge.js';
import { log } from '../runtime/logger.js';
import { redactSecrets } from '../runtime/secrets.js';

export const REALTIME_EVENTS = {
  /** A key the caller pressed. Body: {@link DtmfEventBody}. */
  dtmf: 'openai_realtime::dtmf',
  /** The module acted on the call (or refused to) for a ready-made tool or a tool handler. Body: {@link CallControlEventBody}. */
  callControl: 'openai_realtime::call_control',
  /** Every `stats-interval-s` seconds, one per session: the session's `status json` entry. */
  stats: 'openai_realtime::stats',
  /** The module stopped answering function calls: too many in a row without the caller speaking. Body: {@link ToolLoopEventBody}. */
  toolLoop: 'openai_realtime::tool_loop',
  /** One turn of the conversation, caller or assistant, both protocols. Body: {@link TranscriptEventBody}. */
  transcript: 'openai_realtime::transcript',
  /** GPT-Live: after an abnormal drop, a new session started with the conversation so far. Body: {@link SessionRestartedBody}. */
  sessionRestarted: 'openai_realtime::session_restarted',
} as const;

export type RealtimeEventName = (typeof REALTIME_EVENTS)[keyof typeof REALTIME_EVENTS];

/** The API families whose sessions fire these events. */
export type SessionFamily = 'audio_stream' | 's2s';

export interface DtmfEventBody {
  digit: string;
  duration_ms: number;
  family: SessionFamily;
}

export interface TranscriptEventBody {
  role: 'user' | 'assistant';
  text: string;
  /** GPT-Live: on the session's timeline (from the transcript fragments); Realtime: ms since the session started. */
  start_ms: number;
  end_ms: number;
  family: SessionFamily;
  protocol: 'realtime' | 'live';
}

export interface SessionRestartedBody {
  protocol: 'live';
  /** History messages the new session.start carries (rebuilt from the transcript). */
  messages: number;
  /** Older turns left out to stay within GPT-Live's start-history limits. */
  dropped_turns: number;
  family: SessionFamily;
}

export type CallControlAction = 'hangup' | 'transfer' | 'set_variable' | 'play_file' | 'send_dtmf';

export interface CallControlEventBody {
  action: CallControlAction;
  /** The action's arguments as the module used them (validated; never a secret). */
  args: Record<string, string>;
  /** `tool:<name>` for a ready-made tool, `handler:<name>` for an in-process tool handler. */
  source: string;
  /** `ok`: done; `refused`: invalid or not allowed, nothing happened; `failed`: FreeSWITCH refused it. */
  result: 'ok' | 'refused' | 'failed';
  /** Why, when the result is not `ok`. */
  error?: string;
  family: SessionFamily;
}

export interface ToolLoopEventBody {
  /** The tool the model called when the bound was reached. */
  tool: string;
  call_id: string;
  /** The bound (max-tool-round-trips / OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS). */
  max_round_trips: number;
  family: SessionFamily;
}

/** Fires one of the module's events; an event is never worth a failure (the channel may be gone). */
export function fireRealtimeEvent(bridge: Pick<NativeBridge, 'fireEvent'>, uuid: string | null, subclass: RealtimeEventName, body: object): void {
  try {
    bridge.fireEvent(uuid, subclass, redactSecrets(JSON.stringify(body)));
  } catch (err) {
    log.debug(`event ${subclass} not fired: ${err instanceof Error ? err.message : String(err)}`);
  }
}
