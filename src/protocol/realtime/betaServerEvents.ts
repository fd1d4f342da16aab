/**
 * GA server events → the beta names and shapes that applications of the `uuid_openai_s2s` API
 * expect (they were written against mod_openai_s2s, which spoke the beta). The mapping is
 * docs/realtime-protocol.md §2.1–2.2, read backwards:
 *
 * | GA event                                       | delivered as                                 |
 * |------------------------------------------------|----------------------------------------------|
 * | `response.output_audio.delta`                  | not delivered: the module plays it (only an undecodable one reaches the app, as `response.audio.delta`) |
 * | `response.output_audio.done`                   | `response.audio.done`                        |
 * | `response.output_audio_transcript.delta/.done` | `response.audio_transcript.delta/.done`      |
 * | `response.output_text.delta/.done`             | `response.text.delta/.done`                  |
 * | `conversation.item.added`                      | `conversation.item.created`                  |
 * | content part type `output_audio` / `output_text` (in `item`, `part`, `response.output[]`) | `audio` / `text` |
 * | `session` of `session.created/updated`         | beta fields: `modalities`, `voice`, `speed`, `input_audio_format`, `output_audio_format` (`pcm16`, `g711_ulaw`, `g711_alaw`), `turn_detection`, `input_audio_transcription`, `input_audio_noise_reduction`, `max_response_output_tokens` (GA `audio`, `output_modalities`, `max_output_tokens` removed) |
 * | `response` of `response.created/done`          | `modalities`, `voice`, `output_audio_format` (GA `audio`, `output_modalities` removed) |
 *
 * Everything else — `error`, `input_audio_buffer.*`, `conversation.item.done`/`.truncated`/
 * `.deleted`, transcription events, `response.output_item.*` and `response.content_part.*` (their
 * content types aside), `response.function_call_arguments.*`, `rate_limits.updated` — has the
 * same name in both and passes unchanged. `output_modalities: ["audio"]` reads as
 * `["text","audio"]`: GA audio responses carry their transcript, as beta text+audio ones did.
 */
import { isJsonObject } from '../json.js';

export const BETA_EVENT_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'response.output_audio.delta': 'response.audio.delta',
  'response.output_audio.done': 'response.audio.done',
  'response.output_audio_transcript.delta': 'response.audio_transcript.delta',
  'response.output_audio_transcript.done': 'response.audio_transcript.done',
  'response.output_text.delta': 'response.text.delta',
  'response.output_text.done': 'response.text.done',
  'conversation.item.added': 'conversation.item.created',
});

const BETA_CONTENT: Record<string, string> = { output_audio: 'audio', output_text: 'text' };

function betaFormat(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  switch (value.type) {
    case 'audio/pcm':
      return 'pcm16';
    case 'audio/pcmu':
      return 'g711_ulaw';
    case 'audio/pcma':
      return 'g711_alaw';
    default:
      return value;
  }
}

function betaModalities(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.includes('audio') ? ['text', 'audio'] : value;
}

/** The event under its beta name and shape; the same object when nothing differs. */
export function toBetaServerEvent(event: Record<string, unknown>): Record<string, unknown> {
  const type = typeof event.type === 'string' ? event.type : '';
  let out: Record<string, unknown> = event;
  const edit = (): Record<string, unknown> => {
    if (out === event) out = { ...event };
    return out;
  };
  const renamed = BETA_EVENT_NAMES[type];
  if (renamed) edit().type = renamed;
  if (isJsonObject(event.item)) {
    const item = betaItem(event.item);
    if (item !== event.item) edit().item = item;
  }
  if (isJsonObject(event.part)) {
    const part = betaPart(event.part);
    if (part !== event.part) edit().part = part;
  }
  if ((type === 'session.created' || type === 'session.updated') && isJsonObject(event.session)) {
    const session = betaSession(event.session);
    if (session !== event.session) edit().session = session;
  }
  if ((type === 'response.created' || type === 'response.done') && isJsonObject(event.response)) {
    const response = betaResponse(event.response);
    if (response !== event.response) edit().response = response;
  }
  return out;
}

function betaPart(part: Record<string, unknown>): Record<string, unknown> {
  const t = typeof part.type === 'string' ? BETA_CONTENT[part.type] : undefined;
  return t ? { ...part, type: t } : part;
}

function betaItem(item: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(item.content)) return item;
  const content = item.content.map((p: unknown) => (isJsonObject(p) ? betaPart(p) : p));
  return content.some((p, i) => p !== (item.content as unknown[])[i]) ? { ...item, content } : item;
}

function betaSession(session: Record<string, unknown>): Record<string, unknown> {
  const s = { ...session };
  let changed = false;
  const audio = isJsonObject(s.audio) ? s.audio : null;
  if (audio) {
    const input = isJsonObject(audio.input) ? audio.input : {};
    const output = isJsonObject(audio.output) ? audio.output : {};
    if ('format' in input) s.input_audio_format = betaFormat(input.format);
    if ('turn_detection' in input) s.turn_detection = input.turn_detection;
    if ('transcription' in input) s.input_audio_transcription = input.transcription;
    if ('noise_reduction' in input) s.input_audio_noise_reduction = input.noise_reduction;
    if ('format' in output) s.output_audio_format = betaFormat(output.format);
    if ('voice' in output) s.voice = output.voice;
    if ('speed' in output) s.speed = output.speed;
    delete s.audio;
    changed = true;
  }
  if ('output_modalities' in s) {
    s.modalities = betaModalities(s.output_modalities);
    delete s.output_modalities;
    changed = true;
  }
  if ('max_output_tokens' in s) {
    s.max_response_output_tokens = s.max_output_tokens;
    delete s.max_output_tokens;
    changed = true;
  }
  return changed ? s : session;
}

function betaResponse(response: Record<string, unknown>): Record<string, unknown> {
  const r = { ...response };
  let changed = false;
  if ('output_modalities' in r) {
    r.modalities = betaModalities(r.output_modalities);
    delete r.output_modalities;
    changed = true;
  }
  if (isJsonObject(r.audio)) {
    const output = isJsonObject(r.audio.output) ? r.audio.output : {};
    if ('voice' in output) r.voice = output.voice;
    if ('format' in output) r.output_audio_format = betaFormat(output.format);
    delete r.audio;
    changed = true;
  }
  if (Array.isArray(r.output)) {
    const output = r.output.map((item: unknown) => (isJsonObject(item) ? betaItem(item) : item));
    if (output.some((item, i) => item !== (r.output as unknown[])[i])) {
      r.output = output;
      changed = true;
    }
  }
  return changed ? r : response;
}
