/**
 * Plausible token counts for `response.done.usage` and `rate_limits.updated`.
 *
 * OpenAI bills audio by duration: roughly one input token per 100 ms of user audio and one output
 * token per 50 ms of assistant audio; text is about four characters per token. The numbers only
 * need to be of the right shape and size so a client's metrics code has something real to sum.
 */
import type { ConversationItem, RateLimit, ResponseUsage } from './protocolTypes.js';

export const INPUT_AUDIO_MS_PER_TOKEN = 100;
export const OUTPUT_AUDIO_MS_PER_TOKEN = 50;
const CHARS_PER_TOKEN = 4;
/** Prompt caching works on 64-token blocks of a repeated prefix. */
const CACHE_BLOCK = 64;

export function textTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function outputAudioTokens(ms: number): number {
  return Math.ceil(ms / OUTPUT_AUDIO_MS_PER_TOKEN);
}

export interface UsageInput {
  instructions: string;
  /** The conversation the response saw (before its own output). */
  context: readonly ConversationItem[];
  /** Audio duration of a context item, if it has audio (user input audio or assistant output). */
  audioMsOf: (itemId: string) => number | undefined;
  outputAudioMs: number;
  outputText: string;
  /** `input_tokens` of the previous response in this session; its prefix counts as cached. */
  previousInputTokens: number;
}

export function estimateUsage(input: UsageInput): ResponseUsage {
  let inputText = textTokens(input.instructions);
  let inputAudio = 0;
  for (const item of input.context) {
    const audioMs = input.audioMsOf(item.id);
    if (audioMs !== undefined) {
      const perToken = item.type === 'message' && item.role === 'assistant' ? OUTPUT_AUDIO_MS_PER_TOKEN : INPUT_AUDIO_MS_PER_TOKEN;
      inputAudio += Math.ceil(audioMs / perToken);
    }
    if (item.type === 'message') {
      for (const part of item.content) inputText += textTokens(part.text ?? part.transcript ?? '');
    } else if (item.type === 'function_call') {
      inputText += textTokens(item.name + item.arguments);
    } else {
      inputText += textTokens(item.output);
    }
  }
  const inputTokens = inputText + inputAudio;
  const cached = Math.min(inputTokens, Math.floor(input.previousInputTokens / CACHE_BLOCK) * CACHE_BLOCK);
  const cachedAudio = Math.min(inputAudio, Math.round((cached * inputAudio) / Math.max(1, inputTokens)));
  const outputAudio = outputAudioTokens(input.outputAudioMs);
  const outputText = textTokens(input.outputText);
  return {
    total_tokens: inputTokens + outputAudio + outputText,
    input_tokens: inputTokens,
    output_tokens: outputAudio + outputText,
    input_token_details: {
      text_tokens: inputText,
      audio_tokens: inputAudio,
      image_tokens: 0,
      cached_tokens: cached,
      cached_tokens_details: { text_tokens: cached - cachedAudio, audio_tokens: cachedAudio, image_tokens: 0 },
    },
    output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
  };
}

/**
 * Per-connection rate-limit bookkeeping. At the start of each response OpenAI reserves the
 * response's maximum output tokens up front (reference §5), so `tokens.remaining` drops by that.
 */
export class RateLimitLedger {
  static readonly REQUESTS_PER_MINUTE = 5_000;
  static readonly TOKENS_PER_MINUTE = 400_000;
  /** What "inf" reserves: the model's maximum output. */
  static readonly MAX_OUTPUT_RESERVATION = 4_096;

  #requestsUsed = 0;
  #tokensUsed = 0;

  /** A response starts: count the request and reserve its output tokens. */
  reserve(maxOutputTokens: number | 'inf'): RateLimit[] {
    this.#requestsUsed++;
    this.#tokensUsed += maxOutputTokens === 'inf' ? RateLimitLedger.MAX_OUTPUT_RESERVATION : maxOutputTokens;
    return this.snapshot();
  }

  snapshot(): RateLimit[] {
    return [
      {
        name: 'requests',
        limit: RateLimitLedger.REQUESTS_PER_MINUTE,
        remaining: Math.max(0, RateLimitLedger.REQUESTS_PER_MINUTE - this.#requestsUsed),
        reset_seconds: 0.012,
      },
      {
        name: 'tokens',
        limit: RateLimitLedger.TOKENS_PER_MINUTE,
        remaining: Math.max(0, RateLimitLedger.TOKENS_PER_MINUTE - this.#tokensUsed),
        reset_seconds: Number(((this.#tokensUsed / RateLimitLedger.TOKENS_PER_MINUTE) * 60).toFixed(3)),
      },
    ];
  }
}
