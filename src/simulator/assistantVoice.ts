/**
 * What the simulated assistant says. A voice picks an utterance for each response and renders it
 * at the sample rate of the session's output format; the response streamer only slices and
 * encodes. Custom voices (for a test that needs particular audio) implement the same interface.
 */

/** Why the response is being generated; voices may pick different phrases per situation. */
export type UtteranceSituation =
  /** No user turn yet (a greeting from `response.create` right after connecting). */
  | 'greeting'
  /** After a user message (audio or text). */
  | 'reply'
  /** After the client returned a `function_call_output`. */
  | 'afterToolOutput';

export interface UtteranceRequest {
  situation: UtteranceSituation;
  /** 0 for the session's first response, then 1, 2, … */
  responseIndex: number;
  /** How many earlier responses of this session had the same situation (0 for the first). */
  situationIndex: number;
}

export interface Utterance {
  transcript: string;
  /** Mono 16-bit samples at `sampleRate` (24000 or 8000). */
  render(sampleRate: 24000 | 8000): Int16Array;
}

export interface AssistantVoice {
  /** Short label recorded with each response (e.g. "tone 440 Hz", "speech"). */
  readonly label: string;
  utteranceFor(request: UtteranceRequest): Utterance;
}
