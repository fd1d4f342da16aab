/**
 * Beta-shaped client events → the GA shape, for applications written against the Realtime beta
 * (mod_openai_s2s, jambonz). OpenAI switched the beta off (docs/realtime-protocol.md §0: a beta
 * shape now earns `beta_api_shape_disabled` and a 4000 close), so these apps keep working only if
 * the module speaks GA for them. The mapping is docs/realtime-protocol.md §2.1:
 *
 * | beta (session.update `session`)  | GA                                            |
 * |----------------------------------|-----------------------------------------------|
 * | (no `type`)                      | `type: "realtime"` added                      |
 * | `modalities`                     | `output_modalities`: `["audio"]` if it has audio (GA audio includes the transcript), else `["text"]` |
 * | `input_audio_format`             | `audio.input.format` (`pcm16` → `{type:"audio/pcm",rate:24000}`, `g711_ulaw` → `{type:"audio/pcmu"}`, `g711_alaw` → `{type:"audio/pcma"}`) |
 * | `output_audio_format`            | `audio.output.format` (same values)           |
 * | `voice`                          | `audio.output.voice`                          |
 * | `speed`                          | `audio.output.speed`                          |
 * | `turn_detection`                 | `audio.input.turn_detection`                  |
 * | `input_audio_transcription`      | `audio.input.transcription`                   |
 * | `input_audio_noise_reduction`    | `audio.input.noise_reduction`                 |
 * | `max_response_output_tokens`     | `max_output_tokens`                           |
 * | `temperature`                    | dropped (GA has none and rejects it)          |
 *
 * `response.create` `response`: `modalities` → `output_modalities`, `voice` → `audio.output.voice`,
 * `output_audio_format` → `audio.output.format`, `max_response_output_tokens` → `max_output_tokens`,
 * `temperature` dropped. Assistant message content (`conversation.item.create`, `response.input`):
 * `text` → `output_text`, `audio` → `output_audio`.
 *
 * A field given in both shapes keeps the GA one. An event that needs no change is reported as
 * unchanged, so the caller sends the application's text exactly as given.
 */
import { isJsonObject } from '../json.js';

export interface ClientTranslation {
  /** The event to send (the input object itself when `changed` is false). */
  event: Record<string, unknown>;
  changed: boolean;
  /** What was done, for the channel's debug log (field names only, never values). */
  notes: string[];
}

const BETA_FORMATS: Record<string, Record<string, unknown>> = {
  pcm16: { type: 'audio/pcm', rate: 24000 },
  g711_ulaw: { type: 'audio/pcmu' },
  g711_alaw: { type: 'audio/pcma' },
};

/** A beta format name → the GA format object; anything else is passed on for the server to judge. */
export function gaFormat(value: unknown): unknown {
  return typeof value === 'string' && value in BETA_FORMATS ? { ...BETA_FORMATS[value] } : value;
}

/** Beta `modalities` → GA `output_modalities` (one of audio or text). */
export function gaModalities(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.includes('audio')) return ['audio'];
  if (value.includes('text')) return ['text'];
  return value;
}

export function toGaClientEvent(event: Record<string, unknown>): ClientTranslation {
  const notes: string[] = [];
  let out: Record<string, unknown> | null = null;
  switch (event.type) {
    case 'session.update':
      if (isJsonObject(event.session)) {
        const session = gaSession(event.session, notes);
        if (session !== event.session) out = { ...event, session };
      }
      break;
    case 'response.create':
      if (isJsonObject(event.response)) {
        const response = gaResponse(event.response, notes);
        if (response !== event.response) out = { ...event, response };
      }
      break;
    case 'conversation.item.create':
      if (isJsonObject(event.item)) {
        const item = gaItem(event.item, notes);
        if (item !== event.item) out = { ...event, item };
      }
      break;
    default:
      break;
  }
  return out ? { event: out, changed: true, notes } : { event, changed: false, notes };
}

/** A session patch in the GA shape; the same object when it already is one. */
function gaSession(session: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  const s = { ...session };
  let changed = false;
  if (!('type' in s)) {
    s.type = 'realtime';
    notes.push('session.type "realtime" added');
    changed = true;
  }
  const audio = isJsonObject(s.audio) ? { ...s.audio } : {};
  const input = isJsonObject(audio.input) ? { ...audio.input } : {};
  const output = isJsonObject(audio.output) ? { ...audio.output } : {};
  const move = (from: string, target: Record<string, unknown>, to: string, label: string, map: (v: unknown) => unknown = (v) => v): void => {
    if (!(from in s)) return;
    if (!(to in target)) target[to] = map(s[from]);
    delete s[from];
    notes.push(`session.${from} → ${label}`);
    changed = true;
  };
  move('input_audio_format', input, 'format', 'session.audio.input.format', gaFormat);
  move('turn_detection', input, 'turn_detection', 'session.audio.input.turn_detection');
  move('input_audio_transcription', input, 'transcription', 'session.audio.input.transcription');
  move('input_audio_noise_reduction', input, 'noise_reduction', 'session.audio.input.noise_reduction');
  move('output_audio_format', output, 'format', 'session.audio.output.format', gaFormat);
  move('voice', output, 'voice', 'session.audio.output.voice');
  move('speed', output, 'speed', 'session.audio.output.speed');
  move('modalities', s, 'output_modalities', 'session.output_modalities', gaModalities);
  move('max_response_output_tokens', s, 'max_output_tokens', 'session.max_output_tokens');
  if ('temperature' in s) {
    delete s.temperature;
    notes.push('session.temperature dropped (the GA API has no temperature and rejects it)');
    changed = true;
  }
  if (!changed) return session;
  if (Object.keys(input).length > 0) audio.input = input;
  if (Object.keys(output).length > 0) audio.output = output;
  if (Object.keys(audio).length > 0) s.audio = audio;
  return s;
}

/** The `response` of a response.create in the GA shape; the same object when it already is one. */
function gaResponse(response: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  const r = { ...response };
  let changed = false;
  const audio = isJsonObject(r.audio) ? { ...r.audio } : {};
  const output = isJsonObject(audio.output) ? { ...audio.output } : {};
  const move = (from: string, target: Record<string, unknown>, to: string, label: string, map: (v: unknown) => unknown = (v) => v): void => {
    if (!(from in r)) return;
    if (!(to in target)) target[to] = map(r[from]);
    delete r[from];
    notes.push(`response.${from} → ${label}`);
    changed = true;
  };
  move('modalities', r, 'output_modalities', 'response.output_modalities', gaModalities);
  move('voice', output, 'voice', 'response.audio.output.voice');
  move('output_audio_format', output, 'format', 'response.audio.output.format', gaFormat);
  move('max_response_output_tokens', r, 'max_output_tokens', 'response.max_output_tokens');
  if ('temperature' in r) {
    delete r.temperature;
    notes.push('response.temperature dropped (the GA API has no temperature and rejects it)');
    changed = true;
  }
  if (Array.isArray(r.input)) {
    const items = r.input.map((item) => (isJsonObject(item) ? gaItem(item, notes) : item));
    if (items.some((item, i) => item !== (r.input as unknown[])[i])) {
      r.input = items;
      changed = true;
    }
  }
  if (!changed) return response;
  if (Object.keys(output).length > 0) audio.output = output;
  if (Object.keys(audio).length > 0) r.audio = audio;
  return r;
}

const GA_ASSISTANT_CONTENT: Record<string, string> = { text: 'output_text', audio: 'output_audio' };

/** An item whose assistant content uses the beta types; the same object when none does. */
function gaItem(item: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  if (item.type !== 'message' || item.role !== 'assistant' || !Array.isArray(item.content)) return item;
  let changed = false;
  const content = item.content.map((part: unknown) => {
    if (!isJsonObject(part) || typeof part.type !== 'string' || !(part.type in GA_ASSISTANT_CONTENT)) return part;
    changed = true;
    return { ...part, type: GA_ASSISTANT_CONTENT[part.type] };
  });
  if (!changed) return item;
  notes.push('assistant content text/audio → output_text/output_audio');
  return { ...item, content };
}
