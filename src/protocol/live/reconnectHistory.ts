/**
 * The conversation so far, rebuilt as `session.start.input` for a reconnect. A Live session cannot
 * be resumed: after an abnormal drop the module starts a new session and seeds it with the
 * transcript turns, within the documented limits for startup history: at most 128 messages and
 * 8,192 rendered tokens, one text part per message, roles developer/user/assistant.
 *
 * The most recent turns are kept (they matter most to what the caller says next). Tokens are
 * estimated conservatively from UTF-8 bytes (3 bytes a token, plus a per-message overhead),
 * because the server's tokenizer is not available here and an over-long history refuses the
 * whole start.
 */
import type { TranscriptTurn } from './transcriptTurns.js';
import type { LiveInitialItem } from './liveTypes.js';

export const LIVE_HISTORY_MAX_MESSAGES = 128;
export const LIVE_HISTORY_MAX_TOKENS = 8192;

/** Rendering overhead per message (role and delimiters), estimated. */
const MESSAGE_OVERHEAD_TOKENS = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 3) + MESSAGE_OVERHEAD_TOKENS;
}

export interface HistoryLimits {
  maxMessages?: number;
  maxTokens?: number;
}

export interface RebuiltHistory {
  input: LiveInitialItem[];
  /** Turns left out (oldest first) because the limits were reached. */
  droppedTurns: number;
  estimatedTokens: number;
}

function itemFor(role: 'user' | 'assistant' | 'developer', text: string): LiveInitialItem {
  return role === 'assistant'
    ? { type: 'message', role, content: [{ type: 'output_text', text }] }
    : { type: 'message', role, content: [{ type: 'input_text', text }] };
}

/**
 * `turns` in timeline order. `preamble`, when given, is a developer message placed first (e.g.
 * "The call was reconnected; this is the conversation so far."), counted within the limits.
 */
export function rebuildHistory(turns: readonly TranscriptTurn[], options: HistoryLimits & { preamble?: string } = {}): RebuiltHistory {
  const maxMessages = Math.max(0, Math.min(options.maxMessages ?? LIVE_HISTORY_MAX_MESSAGES, LIVE_HISTORY_MAX_MESSAGES));
  const maxTokens = Math.max(0, Math.min(options.maxTokens ?? LIVE_HISTORY_MAX_TOKENS, LIVE_HISTORY_MAX_TOKENS));

  // One message per speaker change: consecutive turns of one speaker read as one message.
  const merged: Array<{ role: 'user' | 'assistant'; text: string; turns: number }> = [];
  for (const turn of turns) {
    const text = turn.text.trim();
    if (text === '') continue;
    const last = merged[merged.length - 1];
    if (last && last.role === turn.role) {
      last.text += ` ${text}`;
      last.turns++;
    } else merged.push({ role: turn.role, text, turns: 1 });
  }
  const totalTurns = merged.reduce((n, m) => n + m.turns, 0);

  let budgetTokens = maxTokens;
  let budgetMessages = maxMessages;
  const preamble = options.preamble?.trim();
  const preambleTokens = preamble ? estimateTokens(preamble) : 0;
  const withPreamble = preamble !== undefined && preamble !== '' && preambleTokens <= budgetTokens && budgetMessages > 0;
  if (withPreamble) {
    budgetTokens -= preambleTokens;
    budgetMessages--;
  }

  const kept: LiveInitialItem[] = [];
  let keptTurns = 0;
  let usedTokens = 0;
  for (let i = merged.length - 1; i >= 0 && kept.length < budgetMessages; i--) {
    const message = merged[i]!;
    const tokens = estimateTokens(message.text);
    if (usedTokens + tokens > budgetTokens) {
      // The oldest message that does not fit whole keeps its end, if a useful part fits.
      const room = (budgetTokens - usedTokens - MESSAGE_OVERHEAD_TOKENS) * 3;
      if (room >= 30) {
        const tail = tailOfBytes(message.text, room);
        kept.unshift(itemFor(message.role, tail));
        usedTokens += estimateTokens(tail);
        keptTurns += message.turns;
      }
      break;
    }
    kept.unshift(itemFor(message.role, message.text));
    usedTokens += tokens;
    keptTurns += message.turns;
  }
  if (withPreamble) {
    kept.unshift(itemFor('developer', preamble));
    usedTokens += preambleTokens;
  }
  return { input: kept, droppedTurns: totalTurns - keptTurns, estimatedTokens: usedTokens };
}

/** The end of `text` within `maxBytes` UTF-8 bytes, cut at a word boundary, marked with "…". */
function tailOfBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  let start = Math.max(0, bytes.length - (maxBytes - 4));
  // Never start inside a multi-byte character.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  const tail = bytes.subarray(start).toString('utf8');
  const space = tail.indexOf(' ');
  return `…${space >= 0 && space < tail.length - 1 ? tail.slice(space) : tail}`;
}
