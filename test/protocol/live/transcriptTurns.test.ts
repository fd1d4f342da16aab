// What this proves: transcript fragments become readable turns with role, text and timeline
// span: Live fragments split on a quiet gap (by the next fragment or by the timeline advancing),
// overlapping speech of the other party does not cut a turn, and Realtime GA's item ids and
// explicit ends work through the same assembler.
import { describe, expect, it } from 'vitest';
import { TranscriptTurnAssembler } from '../../../src/protocol/live/transcriptTurns.js';

describe('TranscriptTurnAssembler', () => {
  it('joins one speaker’s fragments into a turn and splits on a gap longer than 800 ms', () => {
    const turns = new TranscriptTurnAssembler();
    expect(turns.add({ role: 'user', text: 'I need', startMs: 1000, endMs: 1300 })).toEqual([]);
    expect(turns.add({ role: 'user', text: ' a refund', startMs: 1350, endMs: 1800 })).toEqual([]);
    expect(turns.add({ role: 'user', text: ' for order 42.', startMs: 2500, endMs: 3000 })).toEqual([]);
    const closed = turns.add({ role: 'user', text: 'Hello?', startMs: 3900, endMs: 4200 });
    expect(closed).toEqual([{ role: 'user', text: 'I need a refund for order 42.', startMs: 1000, endMs: 3000 }]);
    expect(turns.flush()).toEqual([{ role: 'user', text: 'Hello?', startMs: 3900, endMs: 4200 }]);
  });

  it('keeps a caller turn whole while the model backchannels over it (full duplex)', () => {
    const turns = new TranscriptTurnAssembler();
    turns.add({ role: 'user', text: 'So the thing is', startMs: 0, endMs: 900 });
    turns.add({ role: 'assistant', text: 'Mm-hmm.', startMs: 950, endMs: 1100 });
    turns.add({ role: 'user', text: ' my card was charged twice.', startMs: 1200, endMs: 2600 });
    expect(turns.advance(2000)).toEqual([{ role: 'assistant', text: 'Mm-hmm.', startMs: 950, endMs: 1100 }]);
    expect(turns.advance(3400)).toEqual([]);
    expect(turns.advance(3401)).toEqual([{ role: 'user', text: 'So the thing is my card was charged twice.', startMs: 0, endMs: 2600 }]);
  });

  it('closes quiet turns as the timeline advances, in start order, and drops empty text', () => {
    const turns = new TranscriptTurnAssembler({ gapMs: 500 });
    turns.add({ role: 'assistant', text: '  Hi,   how can I help? ', startMs: 100, endMs: 1500 });
    turns.add({ role: 'user', text: '   ', startMs: 1600, endMs: 1700 });
    expect(turns.advance(1900)).toEqual([]);
    expect(turns.advance(2001)).toEqual([{ role: 'assistant', text: 'Hi, how can I help?', startMs: 100, endMs: 1500 }]);
    expect(turns.advance(2300)).toEqual([]);
    expect(turns.flush()).toEqual([]);
  });

  it('serves Realtime GA: a new item id starts a new turn, end() closes one explicitly', () => {
    const turns = new TranscriptTurnAssembler();
    turns.add({ role: 'assistant', text: 'Your balance', startMs: 0, endMs: 0, key: 'item_1' });
    turns.add({ role: 'assistant', text: ' is ten euros.', startMs: 0, endMs: 0, key: 'item_1' });
    expect(turns.end('assistant')).toEqual({ role: 'assistant', text: 'Your balance is ten euros.', startMs: 0, endMs: 0 });
    expect(turns.end('assistant')).toBeUndefined();
    turns.add({ role: 'user', text: 'Thanks', startMs: 5000, endMs: 5400, key: 'item_2' });
    expect(turns.add({ role: 'user', text: 'Bye', startMs: 5500, endMs: 5700, key: 'item_3' })).toEqual([{ role: 'user', text: 'Thanks', startMs: 5000, endMs: 5400 }]);
  });

  it('tolerates a fragment whose start and end are swapped', () => {
    const turns = new TranscriptTurnAssembler();
    turns.add({ role: 'user', text: 'x', startMs: 900, endMs: 400 });
    expect(turns.flush()).toEqual([{ role: 'user', text: 'x', startMs: 400, endMs: 900 }]);
  });
});
