/**
 * Token usage of a session, summed over every `response.done` (docs/realtime-protocol.md §3.2:
 * `usage` has input/output/total and the audio/text split in `input_token_details` and
 * `output_token_details`). Anything missing or not a number counts as 0: usage is informational and
 * a server that omits a field must not break the session.
 */
import { isJsonObject } from '../protocol/json.js';

export interface TokenTotals {
  input: number;
  output: number;
  total: number;
  inputAudio: number;
  inputText: number;
  /** Input tokens served from the prompt cache (part of `input`). */
  inputCached: number;
  outputAudio: number;
  outputText: number;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export class TokenUsage {
  readonly #t: TokenTotals = { input: 0, output: 0, total: 0, inputAudio: 0, inputText: 0, inputCached: 0, outputAudio: 0, outputText: 0 };

  /** Adds one `response.usage` (ignored unless it is an object). */
  add(usage: unknown): void {
    if (!isJsonObject(usage)) return;
    const t = this.#t;
    t.input += count(usage.input_tokens);
    t.output += count(usage.output_tokens);
    t.total += count(usage.total_tokens);
    const inDetails = isJsonObject(usage.input_token_details) ? usage.input_token_details : {};
    t.inputAudio += count(inDetails.audio_tokens);
    t.inputText += count(inDetails.text_tokens);
    t.inputCached += count(inDetails.cached_tokens);
    const outDetails = isJsonObject(usage.output_token_details) ? usage.output_token_details : {};
    t.outputAudio += count(outDetails.audio_tokens);
    t.outputText += count(outDetails.text_tokens);
  }

  snapshot(): TokenTotals {
    return { ...this.#t };
  }
}
