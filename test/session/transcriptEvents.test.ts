// TranscriptEvents: readable turns from the transcript events of either protocol (the
// openai_realtime::transcript event and a GPT-Live reconnect's history).
import { afterEach, describe, expect, it } from 'vitest';
import { TranscriptEvents } from '../../src/session/transcriptEvents.js';
import type { TranscriptTurn } from '../../src/protocol/live/transcriptTurns.js';

const made: TranscriptEvents[] = [];
afterEach(() => {
  for (const t of made.splice(0)) t.dispose();
});

function events(protocol: 'realtime' | 'live', clock: { now: number }): { t: TranscriptEvents; turns: TranscriptTurn[] } {
  const turns: TranscriptTurn[] = [];
  const t = new TranscriptEvents({ protocol, emit: (turn) => turns.push(turn), now: () => clock.now });
  made.push(t);
  return { t, turns };
}

describe('TranscriptEvents', () => {
  it('Live: fragments make a turn per speaker, closed by the next one after a quiet gap or by flush', () => {
    const clock = { now: 1000 };
    const { t, turns } = events('live', clock);
    t.onServerEvent({ type: 'session.output_transcript.delta', delta: 'Hello', start_ms: 0, end_ms: 300 });
    t.onServerEvent({ type: 'session.output_transcript.delta', delta: ' there.', start_ms: 300, end_ms: 700 });
    t.onServerEvent({ type: 'session.input_transcript.delta', delta: 'Hi', start_ms: 500, end_ms: 900 }); // overlap: its own turn
    t.onServerEvent({ type: 'session.output_transcript.delta', delta: 'How can I help?', start_ms: 2000, end_ms: 2600 });
    expect(turns).toEqual([{ role: 'assistant', text: 'Hello there.', startMs: 0, endMs: 700 }]);
    t.flush();
    expect(turns.map((x) => x.text)).toEqual(['Hello there.', 'Hi', 'How can I help?']);
    expect(t.turns).toHaveLength(3);
  });

  it('Realtime GA: deltas and the completed/done text per item; times are ms since the session started', () => {
    const clock = { now: 1000 };
    const { t, turns } = events('realtime', clock);
    clock.now = 1500;
    t.onServerEvent({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'i1', transcript: ' I need help. ' });
    clock.now = 2000;
    t.onServerEvent({ type: 'response.output_audio_transcript.delta', item_id: 'i2', delta: 'Sure' });
    clock.now = 2600;
    t.onServerEvent({ type: 'response.output_audio_transcript.done', item_id: 'i2', transcript: 'Sure, I can help.' });
    expect(turns).toEqual([
      { role: 'user', text: 'I need help.', startMs: 500, endMs: 500 },
      { role: 'assistant', text: 'Sure, I can help.', startMs: 1000, endMs: 1600 },
    ]);
  });

  it("Realtime GA: a caller's turn takes its times from the audio timeline the server's VAD reported (speech_started/stopped)", () => {
    const clock = { now: 1000 };
    const { t, turns } = events('realtime', clock);
    t.onServerEvent({ type: 'input_audio_buffer.speech_started', item_id: 'u1', audio_start_ms: 3120 });
    t.onServerEvent({ type: 'input_audio_buffer.speech_stopped', item_id: 'u1', audio_end_ms: 4480 });
    clock.now = 6900; // the transcription arrives well after the speech
    t.onServerEvent({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', transcript: 'What time is it?' });
    // Another item's span does not leak into a turn without one.
    t.onServerEvent({ type: 'input_audio_buffer.speech_started', item_id: 'u2', audio_start_ms: 7000 });
    clock.now = 8000;
    t.onServerEvent({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u3', transcript: 'Typed.' });
    expect(turns).toEqual([
      { role: 'user', text: 'What time is it?', startMs: 3120, endMs: 4480 },
      { role: 'user', text: 'Typed.', startMs: 7000, endMs: 7000 },
    ]);
  });

  it('ignores everything else', () => {
    const { t, turns } = events('live', { now: 0 });
    t.onServerEvent(null);
    t.onServerEvent({ type: 'session.output_audio.delta', delta: 'AAAA' });
    t.onServerEvent({ type: 'response.output_audio_transcript.done', transcript: 'GA name on Live' });
    t.flush();
    expect(turns).toEqual([]);
  });
});
