// What this proves, both ways, row by row of the translation table (src/compat/): a beta-shaped
// client event becomes a GA one that the simulator's strict GA validation accepts (it refuses any
// beta field, as OpenAI does), GA-shaped events pass untouched (same object), and GA server events
// come back under the beta names and shapes — so a beta session sent through both directions reads
// back as what the application asked for.
import { describe, expect, it } from 'vitest';
import { toGaClientEvent } from '../../../src/protocol/realtime/betaClientEvents.js';
import { BETA_EVENT_NAMES, toBetaServerEvent } from '../../../src/protocol/realtime/betaServerEvents.js';
import { stringifyToolOutput } from '../../../src/commands/s2sCommand.js';
import { buildClientItem } from '../../../src/simulator/clientItem.js';
import { parseResponseCreate } from '../../../src/simulator/responseParams.js';
import { applySessionUpdate, createDefaultSession, isBetaShapedSession } from '../../../src/simulator/sessionConfig.js';

const session0 = () => createDefaultSession({ model: 'gpt-realtime', instructions: 'x', sessionLimitMs: 60_000 });

/** The seed README's session.update (beta), plus the other beta fields. */
const BETA_SESSION = {
  modalities: ['text', 'audio'],
  instructions: 'Please assist the user.',
  voice: 'alloy',
  speed: 1.1,
  input_audio_format: 'g711_ulaw',
  output_audio_format: 'g711_alaw',
  input_audio_transcription: { model: 'whisper-1' },
  input_audio_noise_reduction: { type: 'near_field' },
  turn_detection: { type: 'server_vad', threshold: 0.8, prefix_padding_ms: 300, silence_duration_ms: 500 },
  tools: [{ name: 'get_weather', type: 'function', description: 'Get the weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
  tool_choice: 'auto',
  temperature: 0.8,
  max_response_output_tokens: 4096,
};

describe('client events: beta → GA', () => {
  it('session.update: every beta field to its GA place, type added, temperature dropped; the GA validator accepts it', () => {
    const t = toGaClientEvent({ type: 'session.update', session: BETA_SESSION });
    expect(t.changed).toBe(true);
    expect(t.event).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        instructions: 'Please assist the user.',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'whisper-1' },
            noise_reduction: { type: 'near_field' },
            turn_detection: { type: 'server_vad', threshold: 0.8, prefix_padding_ms: 300, silence_duration_ms: 500 },
          },
          output: { format: { type: 'audio/pcma' }, voice: 'alloy', speed: 1.1 },
        },
        tools: BETA_SESSION.tools,
        tool_choice: 'auto',
        max_output_tokens: 4096,
      },
    });
    expect(t.notes).toContain('session.temperature dropped (the GA API has no temperature and rejects it)');
    expect(t.notes.join('\n')).not.toContain('0.8'); // names, never values
    const gaSession = (t.event as { session: Record<string, unknown> }).session;
    expect(isBetaShapedSession(gaSession)).toBe(false);
    const applied = applySessionUpdate(session0(), gaSession, { assistantAudioProduced: false });
    expect(applied.ok).toBe(true);
  });

  it('pcm16 and text-only modalities; a session without type gets one; GA fields win over beta ones', () => {
    expect(toGaClientEvent({ type: 'session.update', session: { input_audio_format: 'pcm16', modalities: ['text'] } }).event).toEqual({
      type: 'session.update',
      session: { type: 'realtime', output_modalities: ['text'], audio: { input: { format: { type: 'audio/pcm', rate: 24000 } } } },
    });
    expect(toGaClientEvent({ type: 'session.update', session: { instructions: 'hi' } }).event).toEqual({ type: 'session.update', session: { instructions: 'hi', type: 'realtime' } });
    expect(toGaClientEvent({ type: 'session.update', session: { type: 'realtime', voice: 'alloy', audio: { output: { voice: 'cedar' } } } }).event).toEqual({
      type: 'session.update',
      session: { type: 'realtime', audio: { output: { voice: 'cedar' } } },
    });
  });

  it('response.create (the seed README example): GA parameters the validator accepts', () => {
    const beta = {
      type: 'response.create',
      response: { modalities: ['text', 'audio'], instructions: 'Please assist.', voice: 'alloy', output_audio_format: 'pcm16', temperature: 0.8, max_output_tokens: 4096 },
    };
    const t = toGaClientEvent(beta);
    expect(t.event).toEqual({
      type: 'response.create',
      response: { output_modalities: ['audio'], instructions: 'Please assist.', audio: { output: { voice: 'alloy', format: { type: 'audio/pcm', rate: 24000 } } }, max_output_tokens: 4096 },
    });
    expect(parseResponseCreate((t.event as { response: Record<string, unknown> }).response, session0()).ok).toBe(true);
    expect(parseResponseCreate(beta.response, session0()).ok).toBe(false); // untranslated, GA refuses it
    expect(toGaClientEvent({ type: 'response.create', response: { max_response_output_tokens: 'inf' } }).event).toEqual({ type: 'response.create', response: { max_output_tokens: 'inf' } });
  });

  it('assistant content types, in conversation.item.create and response.input', () => {
    const item = { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hello' }] };
    const t = toGaClientEvent({ type: 'conversation.item.create', item });
    expect(t.event).toEqual({ type: 'conversation.item.create', item: { ...item, content: [{ type: 'output_text', text: 'Hello' }] } });
    expect('item' in buildClientItem((t.event as { item: Record<string, unknown> }).item, session0())).toBe(true);
    const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] };
    expect(toGaClientEvent({ type: 'conversation.item.create', item: user }).changed).toBe(false);
    expect(toGaClientEvent({ type: 'response.create', response: { conversation: 'none', input: [item] } }).event).toEqual({
      type: 'response.create',
      response: { conversation: 'none', input: [{ ...item, content: [{ type: 'output_text', text: 'Hello' }] }] },
    });
  });

  it('GA-shaped and other events pass unchanged: the very same object', () => {
    const events = [
      { type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } } } } },
      { type: 'response.create', response: { output_modalities: ['audio'], instructions: 'x' } },
      { type: 'response.create' },
      { type: 'response.cancel' },
      { type: 'input_audio_buffer.commit' },
      { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c', output: '{}' } },
      { type: 'conversation.item.truncate', item_id: 'i', content_index: 0, audio_end_ms: 10 },
    ];
    for (const e of events) {
      const t = toGaClientEvent(e);
      expect(t.changed).toBe(false);
      expect(t.event).toBe(e);
    }
  });

  it("the seed's tool-output convenience: an object output is sent as its JSON text", () => {
    const e = { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: { temperature: 21, unit: 'C' } } };
    expect(stringifyToolOutput(e)).toEqual({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: '{"temperature":21,"unit":"C"}' } });
    const s = { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: 'sunny' } };
    expect(stringifyToolOutput(s)).toBe(s);
  });
});

describe('server events: GA → beta', () => {
  it('renames every GA-only event; other names pass', () => {
    expect(BETA_EVENT_NAMES).toEqual({
      'response.output_audio.delta': 'response.audio.delta',
      'response.output_audio.done': 'response.audio.done',
      'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
      'response.output_audio_transcript.done': 'response.audio_transcript.done',
      'response.output_text.delta': 'response.text.delta',
      'response.output_text.done': 'response.text.done',
      'conversation.item.added': 'conversation.item.created',
    });
    for (const [ga, beta] of Object.entries(BETA_EVENT_NAMES)) {
      expect(toBetaServerEvent({ type: ga, event_id: 'e', response_id: 'r' })).toEqual({ type: beta, event_id: 'e', response_id: 'r' });
    }
    for (const type of ['error', 'input_audio_buffer.speech_started', 'conversation.item.done', 'rate_limits.updated', 'response.function_call_arguments.done']) {
      const e = { type, event_id: 'e' };
      expect(toBetaServerEvent(e)).toBe(e);
    }
  });

  it('content types in items, parts and response output', () => {
    const item = { id: 'i', type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: 'hi' }, { type: 'output_text', text: 't' }] };
    expect(toBetaServerEvent({ type: 'conversation.item.added', item })).toEqual({
      type: 'conversation.item.created',
      item: { ...item, content: [{ type: 'audio', transcript: 'hi' }, { type: 'text', text: 't' }] },
    });
    expect(toBetaServerEvent({ type: 'response.output_item.done', item }).item).toEqual({ ...item, content: [{ type: 'audio', transcript: 'hi' }, { type: 'text', text: 't' }] });
    expect(toBetaServerEvent({ type: 'response.content_part.added', part: { type: 'output_audio', transcript: '' } })).toEqual({
      type: 'response.content_part.added',
      part: { type: 'audio', transcript: '' },
    });
    const done = toBetaServerEvent({
      type: 'response.done',
      response: { id: 'r', status: 'completed', output_modalities: ['audio'], audio: { output: { format: { type: 'audio/pcmu' }, voice: 'marin' } }, max_output_tokens: 'inf', output: [item] },
    });
    expect(done).toEqual({
      type: 'response.done',
      response: { id: 'r', status: 'completed', modalities: ['text', 'audio'], voice: 'marin', output_audio_format: 'g711_ulaw', max_output_tokens: 'inf', output: [{ ...item, content: [{ type: 'audio', transcript: 'hi' }, { type: 'text', text: 't' }] }] },
    });
  });

  it('a beta session.update, through the GA server and back, reads as what the app asked for', () => {
    const ga = (toGaClientEvent({ type: 'session.update', session: BETA_SESSION }).event as { session: Record<string, unknown> }).session;
    const applied = applySessionUpdate(session0(), ga, { assistantAudioProduced: false });
    if (!applied.ok) throw new Error(applied.error.message);
    const beta = toBetaServerEvent({ type: 'session.updated', session: applied.session }).session as Record<string, unknown>;
    expect(beta).toMatchObject({
      modalities: ['text', 'audio'],
      instructions: BETA_SESSION.instructions,
      voice: 'alloy',
      speed: 1.1,
      input_audio_format: 'g711_ulaw',
      output_audio_format: 'g711_alaw',
      input_audio_transcription: { model: 'whisper-1' },
      input_audio_noise_reduction: { type: 'near_field' },
      turn_detection: { type: 'server_vad', threshold: 0.8, prefix_padding_ms: 300, silence_duration_ms: 500 },
      tool_choice: 'auto',
      max_response_output_tokens: 4096,
    });
    expect(beta).not.toHaveProperty('audio');
    expect(beta).not.toHaveProperty('output_modalities');
    expect(beta).not.toHaveProperty('max_output_tokens');
  });
});
