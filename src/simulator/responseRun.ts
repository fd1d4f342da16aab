/**
 * One response, from `response.created` to `response.done`, streamed on a timer faster than
 * real time (OpenAI "will produce audio faster than realtime", reference §4).
 *
 * Event order for audio (GA names, reference §3.2):
 *   response.created → rate_limits.updated → response.output_item.added → conversation.item.added
 *   → response.content_part.added → (response.output_audio.delta, response.output_audio_transcript.delta)*
 *   → response.output_audio.done → response.output_audio_transcript.done → response.content_part.done
 *   → response.output_item.done → conversation.item.done → response.done
 * Text responses use response.output_text.*; function calls use response.function_call_arguments.*.
 * A cancelled response still closes every open part and ends with `response.done` (status
 * `cancelled`), as OpenAI does: `response.done` is always emitted.
 */
import { encodeAudio, sampleRateOf } from './audioFormats.js';
import type { Utterance } from './assistantVoice.js';
import { newId } from './ids.js';
import type {
  AudioFormat,
  CancelReason,
  ConversationItem,
  FunctionCallItem,
  MessageItem,
  RateLimit,
  RealtimeResponse,
  ResponseStatus,
  ResponseStatusDetails,
  ResponseUsage,
} from './protocolTypes.js';
import { OUTPUT_AUDIO_MS_PER_TOKEN, textTokens } from './tokenAccounting.js';

export type ResponseContent =
  | { kind: 'message'; utterance: Utterance }
  | { kind: 'function_call'; name: string; callId: string; arguments: string };

export interface ResponsePlan {
  responseId: string;
  /** Null for an out-of-band response (`conversation: "none"`): nothing is added to the conversation. */
  conversationId: string | null;
  outputModalities: Array<'audio' | 'text'>;
  format: AudioFormat;
  voice: string | { id: string };
  maxOutputTokens: number | 'inf';
  metadata: Record<string, string> | null;
  content: ResponseContent;
  rateLimits: RateLimit[];
  /** Audio per delta. */
  chunkMs: number;
  /** Wall-clock gap between deltas. */
  deltaIntervalMs: number;
}

/** What the run needs from its connection. */
export interface ResponseRunHost {
  /** Send a server event (the host adds `event_id`); returns false once the socket is gone. */
  send(event: { type: string; [field: string]: unknown }): boolean;
  /** Insert the output item into the conversation; returns the preceding item id. */
  insertItem(item: ConversationItem): string | null;
  /** Audio (ms) the item holds so far: what a truncate is checked against. */
  setItemAudioMs(itemId: string, ms: number): void;
  /** Fault hook: may replace a delta's base64 payload. */
  transformAudioDelta(base64: string): string;
  /** Called after each audio or text delta went out (fault hooks count these). */
  afterDelta(): void;
  usageFor(outputAudioMs: number, outputText: string): ResponseUsage;
  finished(run: ResponseRun): void;
}

/** Words spread over deltas for transcripts and text; three per text delta reads naturally. */
const WORDS_PER_TEXT_DELTA = 3;

export class ResponseRun {
  readonly plan: ResponsePlan;
  readonly itemId = newId('item');
  readonly #host: ResponseRunHost;
  readonly #item: ConversationItem;
  #previousItemId: string | null = null;
  #status: ResponseStatus = 'in_progress';
  #timer: NodeJS.Timeout | undefined;

  // Message content.
  readonly #samples: Int16Array;
  readonly #words: string[];
  readonly #truncatedByLimit: boolean;
  #samplePos = 0;
  #wordsSent = 0;
  #deltaCount = 0;
  #argumentsSent = 0;

  constructor(plan: ResponsePlan, host: ResponseRunHost) {
    this.plan = plan;
    this.#host = host;
    const content = plan.content;
    if (content.kind === 'message') {
      const rate = sampleRateOf(plan.format) as 24000 | 8000;
      const full = this.isAudio ? content.utterance.render(rate) : new Int16Array(0);
      const words = content.utterance.transcript.split(/\s+/).filter(Boolean);
      const limited = limitToMaxOutputTokens(full, rate, words, plan.maxOutputTokens, this.isAudio);
      this.#samples = limited.samples;
      this.#words = limited.words;
      this.#truncatedByLimit = limited.truncated;
      const item: MessageItem = { id: this.itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      this.#item = item;
    } else {
      this.#samples = new Int16Array(0);
      this.#words = [];
      this.#truncatedByLimit = false;
      const item: FunctionCallItem = {
        id: this.itemId,
        object: 'realtime.item',
        type: 'function_call',
        status: 'in_progress',
        name: content.name,
        call_id: content.callId,
        arguments: '',
      };
      this.#item = item;
    }
  }

  get id(): string {
    return this.plan.responseId;
  }

  get status(): ResponseStatus {
    return this.#status;
  }

  get active(): boolean {
    return this.#status === 'in_progress';
  }

  get isAudio(): boolean {
    return this.plan.outputModalities[0] === 'audio';
  }

  get item(): ConversationItem {
    return this.#item;
  }

  /** Milliseconds of audio sent in deltas so far. */
  get audioMsSent(): number {
    return (this.#samplePos / sampleRateOf(this.plan.format)) * 1000;
  }

  get deltasSent(): number {
    return this.#deltaCount;
  }

  get transcriptSent(): string {
    return this.#words.slice(0, this.#wordsSent).join(' ');
  }

  start(): void {
    const plan = this.plan;
    this.#send({ type: 'response.created', response: this.#responseObject(null, []) });
    this.#send({ type: 'rate_limits.updated', rate_limits: plan.rateLimits });
    this.#send({ type: 'response.output_item.added', response_id: plan.responseId, output_index: 0, item: this.#item });
    if (plan.conversationId !== null) {
      this.#previousItemId = this.#host.insertItem(this.#item);
      this.#send({ type: 'conversation.item.added', previous_item_id: this.#previousItemId, item: this.#item });
    }
    if (this.#item.type === 'message') {
      const part = this.isAudio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' };
      this.#send({ type: 'response.content_part.added', ...this.#partIds(), part });
    }
    this.#schedule();
  }

  /** Stop streaming and close the response as `cancelled`. No-op unless active. */
  cancel(reason: CancelReason): void {
    if (!this.active) return;
    this.#finish('cancelled', { type: 'cancelled', reason });
  }

  /** The socket is gone: stop timers, send nothing more. */
  abort(): void {
    clearTimeout(this.#timer);
    if (this.active) this.#status = 'failed';
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#tick(), this.plan.deltaIntervalMs);
  }

  #tick(): void {
    if (!this.active) return;
    const more = this.#item.type === 'function_call' ? this.#argumentsTick() : this.isAudio ? this.#audioTick() : this.#textTick();
    if (!this.active) return; // a fault hook closed the socket or a barge-in cancelled us mid-tick
    if (more) this.#schedule();
    else if (this.#truncatedByLimit) this.#finish('incomplete', { type: 'incomplete', reason: 'max_output_tokens' });
    else this.#finish('completed', null);
  }

  /** Sends one audio delta (and the transcript words that go with it); false when none remain. */
  #audioTick(): boolean {
    if (this.#samplePos >= this.#samples.length) return false;
    const rate = sampleRateOf(this.plan.format);
    const chunk = Math.max(1, Math.round((this.plan.chunkMs * rate) / 1000));
    const end = Math.min(this.#samples.length, this.#samplePos + chunk);
    const bytes = encodeAudio(this.plan.format, this.#samples.subarray(this.#samplePos, end));
    const delta = this.#host.transformAudioDelta(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64'));
    this.#samplePos = end;
    this.#host.setItemAudioMs(this.itemId, this.audioMsSent);
    if (!this.#send({ type: 'response.output_audio.delta', ...this.#partIds(), delta })) return false;
    // The transcript keeps pace with the audio: after k of n samples, k/n of the words.
    const wordsDue = Math.round((this.#words.length * end) / this.#samples.length);
    if (wordsDue > this.#wordsSent) {
      const text = this.#words.slice(this.#wordsSent, wordsDue).join(' ');
      const delta = this.#wordsSent === 0 ? text : ` ${text}`;
      this.#wordsSent = wordsDue;
      this.#send({ type: 'response.output_audio_transcript.delta', ...this.#partIds(), delta });
    }
    this.#deltaCount++;
    this.#host.afterDelta();
    return this.#samplePos < this.#samples.length;
  }

  #textTick(): boolean {
    if (this.#wordsSent >= this.#words.length) return false;
    const next = Math.min(this.#words.length, this.#wordsSent + WORDS_PER_TEXT_DELTA);
    const text = this.#words.slice(this.#wordsSent, next).join(' ');
    const delta = this.#wordsSent === 0 ? text : ` ${text}`;
    this.#wordsSent = next;
    if (!this.#send({ type: 'response.output_text.delta', ...this.#partIds(), delta })) return false;
    this.#deltaCount++;
    this.#host.afterDelta();
    return this.#wordsSent < this.#words.length;
  }

  /** Function-call arguments stream in a few pieces, like the model's token stream. */
  #argumentsTick(): boolean {
    const item = this.#item as FunctionCallItem;
    const full = (this.plan.content as { arguments: string }).arguments;
    if (this.#argumentsSent < full.length) {
      const piece = Math.max(8, Math.ceil(full.length / 4));
      const delta = full.slice(this.#argumentsSent, this.#argumentsSent + piece);
      this.#argumentsSent += delta.length;
      item.arguments = full.slice(0, this.#argumentsSent);
      this.#send({
        type: 'response.function_call_arguments.delta',
        response_id: this.plan.responseId,
        item_id: this.itemId,
        output_index: 0,
        call_id: item.call_id,
        delta,
      });
      if (this.#argumentsSent < full.length) return true;
    }
    this.#send({
      type: 'response.function_call_arguments.done',
      response_id: this.plan.responseId,
      item_id: this.itemId,
      output_index: 0,
      call_id: item.call_id,
      name: item.name,
      arguments: full,
    });
    return false;
  }

  #finish(status: Exclude<ResponseStatus, 'in_progress'>, details: ResponseStatusDetails | null): void {
    clearTimeout(this.#timer);
    this.#status = status;
    const item = this.#item;
    item.status = status === 'completed' ? 'completed' : 'incomplete';
    let outputText = '';
    if (item.type === 'message') {
      const ids = this.#partIds();
      if (this.isAudio) {
        const transcript = this.transcriptSent;
        outputText = transcript;
        this.#send({ type: 'response.output_audio.done', ...ids });
        this.#send({ type: 'response.output_audio_transcript.done', ...ids, transcript });
        this.#send({ type: 'response.content_part.done', ...ids, part: { type: 'audio', transcript } });
        item.content = [{ type: 'output_audio', transcript }];
      } else {
        const text = this.transcriptSent;
        outputText = text;
        this.#send({ type: 'response.output_text.done', ...ids, text });
        this.#send({ type: 'response.content_part.done', ...ids, part: { type: 'text', text } });
        item.content = [{ type: 'output_text', text }];
      }
    } else if (item.type === 'function_call') {
      outputText = item.arguments;
    }
    this.#send({ type: 'response.output_item.done', response_id: this.plan.responseId, output_index: 0, item });
    if (this.plan.conversationId !== null) {
      this.#send({ type: 'conversation.item.done', previous_item_id: this.#previousItemId, item });
    }
    const usage = this.#host.usageFor(this.isAudio && item.type === 'message' ? this.audioMsSent : 0, outputText);
    this.#send({ type: 'response.done', response: this.#responseObject(details, [item], usage) });
    this.#host.finished(this);
  }

  #responseObject(details: ResponseStatusDetails | null, output: ConversationItem[], usage: ResponseUsage | null = null): RealtimeResponse {
    const plan = this.plan;
    return {
      object: 'realtime.response',
      id: plan.responseId,
      status: this.#status,
      status_details: details,
      output,
      conversation_id: plan.conversationId,
      output_modalities: plan.outputModalities,
      max_output_tokens: plan.maxOutputTokens,
      audio: { output: { format: plan.format, voice: plan.voice } },
      usage,
      metadata: plan.metadata,
    };
  }

  #partIds(): { response_id: string; item_id: string; output_index: number; content_index: number } {
    return { response_id: this.plan.responseId, item_id: this.itemId, output_index: 0, content_index: 0 };
  }

  #send(event: { type: string; [field: string]: unknown }): boolean {
    return this.#host.send(event);
  }
}

/**
 * Cut the utterance to the response's `max_output_tokens` (audio at 50 ms per token, text at four
 * characters per token). A cut response ends `incomplete` with reason `max_output_tokens`.
 */
function limitToMaxOutputTokens(
  samples: Int16Array,
  sampleRate: number,
  words: string[],
  maxOutputTokens: number | 'inf',
  audio: boolean,
): { samples: Int16Array; words: string[]; truncated: boolean } {
  if (maxOutputTokens === 'inf') return { samples, words, truncated: false };
  if (audio) {
    const maxSamples = Math.floor((maxOutputTokens * OUTPUT_AUDIO_MS_PER_TOKEN * sampleRate) / 1000);
    if (samples.length <= maxSamples) return { samples, words, truncated: false };
    const kept = Math.max(1, Math.round((words.length * maxSamples) / samples.length));
    return { samples: samples.subarray(0, maxSamples), words: words.slice(0, kept), truncated: true };
  }
  const kept: string[] = [];
  for (const word of words) {
    if (textTokens([...kept, word].join(' ')) > maxOutputTokens) return { samples, words: kept, truncated: true };
    kept.push(word);
  }
  return { samples, words: kept, truncated: false };
}

