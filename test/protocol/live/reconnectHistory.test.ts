// What this proves: after a drop, the conversation so far becomes startup history that the
// client parser (and so the server's documented limits) accepts: speaker changes become messages
// with one text part of the right type, the newest turns are kept when the limits bite, and the
// count of what was left out is reported.
import { describe, expect, it } from 'vitest';
import { estimateTokens, LIVE_HISTORY_MAX_MESSAGES, LIVE_HISTORY_MAX_TOKENS, rebuildHistory } from '../../../src/protocol/live/reconnectHistory.js';
import { parseLiveClientEvent } from '../../../src/protocol/live/liveClientEvents.js';
import type { TranscriptTurn } from '../../../src/protocol/live/transcriptTurns.js';

const turn = (role: 'user' | 'assistant', text: string, at = 0): TranscriptTurn => ({ role, text, startMs: at, endMs: at + 100 });

describe('rebuildHistory', () => {
  it('turns the conversation into messages the start event accepts', () => {
    const { input, droppedTurns } = rebuildHistory(
      [turn('assistant', 'Hello, how can I help?'), turn('user', 'My order is late.'), turn('user', 'It is order 42.'), turn('assistant', 'Let me check.')],
      { preamble: 'The call was reconnected. The conversation so far follows.' },
    );
    expect(droppedTurns).toBe(0);
    expect(input).toEqual([
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'The call was reconnected. The conversation so far follows.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, how can I help?' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'My order is late. It is order 42.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
    ]);
    expect(parseLiveClientEvent({ type: 'session.start', session: { model: 'gpt-live-1', input } }).ok).toBe(true);
  });

  it('keeps the newest messages within the message limit', () => {
    const turns = Array.from({ length: 300 }, (_, i) => turn(i % 2 === 0 ? 'user' : 'assistant', `line ${i}`, i * 1000));
    const { input, droppedTurns } = rebuildHistory(turns);
    expect(input).toHaveLength(LIVE_HISTORY_MAX_MESSAGES);
    expect(droppedTurns).toBe(300 - LIVE_HISTORY_MAX_MESSAGES);
    expect(input[input.length - 1]!.content[0]!.text).toBe('line 299');
    expect(parseLiveClientEvent({ type: 'session.start', session: { model: 'gpt-live-1', input } }).ok).toBe(true);
  });

  it('stays within the token limit, keeping the end of the oldest message that only partly fits', () => {
    const long = 'word '.repeat(20_000).trim();
    const { input, estimatedTokens, droppedTurns } = rebuildHistory([turn('user', 'first'), turn('assistant', long), turn('user', 'last question')]);
    expect(estimatedTokens).toBeLessThanOrEqual(LIVE_HISTORY_MAX_TOKENS);
    expect(droppedTurns).toBe(1);
    expect(input.map((m) => m.role)).toEqual(['assistant', 'user']);
    const cut = input[0]!.content[0]!.text;
    expect(cut.startsWith('…')).toBe(true);
    expect(long.endsWith(cut.slice(2))).toBe(true);
    expect(input.reduce((n, m) => n + estimateTokens(m.content[0]!.text), 0)).toBe(estimatedTokens);
  });

  it('honours tighter limits and never cuts inside a multi-byte character', () => {
    const text = 'é'.repeat(400);
    const { input } = rebuildHistory([turn('user', text)], { maxTokens: 100 });
    const kept = input[0]!.content[0]!.text;
    expect(kept).not.toContain('\ufffd');
    expect(estimateTokens(kept)).toBeLessThanOrEqual(100);
    expect(rebuildHistory([turn('user', 'a'), turn('assistant', 'b')], { maxMessages: 1 }).input).toHaveLength(1);
    expect(rebuildHistory([], { preamble: 'x' }).input).toHaveLength(1);
    expect(rebuildHistory([turn('user', '   ')]).input).toEqual([]);
  });
});
