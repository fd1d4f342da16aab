// What this proves: every event the module builds is one the client parser accepts, carries the
// fields the strict server schema requires (delegation_id present even when null), and has an
// event_id only when one was asked for.
import { describe, expect, it } from 'vitest';
import * as build from '../../../src/protocol/live/liveClientBuilders.js';
import { parseLiveClientEvent } from '../../../src/protocol/live/liveClientEvents.js';

describe('Live client builders', () => {
  it('build events the parser accepts, without event_id unless given', () => {
    const events = [
      build.sessionStart({ model: 'gpt-live-1', audio: { format: { type: 'audio/pcma', rate: 8000 } } }),
      build.sessionUpdate({ type: 'responses', responses: { instructions: 'Be precise.' } }),
      build.inputAudioAppend('AAAA'),
      build.inputAudioMute(),
      build.inputAudioUnmute(),
      build.commentaryAppend('Greet the caller now.'),
      build.thinkingAppend('Looking it up.', 'del_1'),
      build.instructionsAppend('The caller pressed 5.'),
      build.functionCallOutput('call_1', { ok: true }),
      build.responseCreate(),
      build.sessionClose(),
    ];
    for (const event of events) {
      expect(parseLiveClientEvent(JSON.parse(JSON.stringify(event)) as unknown), event.type).toEqual({ ok: true, event });
      expect(event).not.toHaveProperty('event_id');
    }
  });

  it('keeps delegation_id as an explicit null for general context', () => {
    expect(JSON.stringify(build.commentaryAppend('Hello'))).toBe('{"type":"session.commentary.append","content":"Hello","delegation_id":null}');
  });

  it('serialises structured tool results as JSON text and sets event_id when asked', () => {
    expect(build.functionCallOutput('call_9', { temperature: 21 }, 'out_1')).toEqual({
      type: 'response.item.create',
      event_id: 'out_1',
      item: { type: 'function_call_output', call_id: 'call_9', output: '{"temperature":21}' },
    });
    expect(build.sessionClose('close_1')).toEqual({ type: 'session.close', event_id: 'close_1' });
    expect(build.responsesDelegation({ model: 'gpt-5.5' })).toEqual({ type: 'responses', responses: { model: 'gpt-5.5' } });
    expect(build.clientDelegation()).toEqual({ type: 'client' });
  });
});

describe('dtmfContext', () => {
  it('carries the keys as silent context by default, as commentary when it must be answered at once', () => {
    expect(build.dtmfContext('12#')).toEqual({ type: 'session.thinking.append', content: 'The caller pressed 1 2 # on the phone keypad.', delegation_id: null });
    expect(build.dtmfContext('*9', { speak: true })).toEqual({ type: 'session.commentary.append', content: 'The caller pressed * 9 on the phone keypad.', delegation_id: null });
  });

  it('keeps only keypad keys (nothing else the string held reaches the model)', () => {
    expect(build.dtmfContext('1x"2').content).toBe('The caller pressed 1 2 on the phone keypad.');
    expect(parseLiveClientEvent(build.dtmfContext('0')).ok).toBe(true);
  });
});
