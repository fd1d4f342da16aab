/**
 * The default voice: short spoken phrases recorded from espeak-ng, so `npm run call` without an
 * API key sounds like a conversation. Assets are 24 kHz mono 16-bit WAV in assets/voice/,
 * produced on a machine with espeak-ng and sox by
 *
 *   espeak-ng -v en-us -s 160 -p 45 -w raw.wav "<transcript>"
 *   sox raw.wav -r 24000 -c 1 -b 16 -e signed-integer assets/voice/<file> highpass 80 norm -3 pad 0.05 0.15
 *
 * The transcript below must stay the text that was spoken.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Resampler } from '../audio/resampler.js';
import { readWav } from '../audio/wav.js';
import type { AssistantVoice, Utterance, UtteranceRequest } from './assistantVoice.js';

interface Phrase {
  file: string;
  transcript: string;
}

const GREETING: Phrase = { file: 'greeting.wav', transcript: 'Hello, this is the OpenAI realtime simulator.' };
const AFTER_TOOL_OUTPUT: Phrase = {
  file: 'tool-result.wav',
  transcript: 'Done. I have the result of that function call.',
};
/** Replies rotate in this order, so the first answer to the caller acknowledges the speech. */
const REPLIES: readonly Phrase[] = [
  { file: 'heard-you.wav', transcript: 'I heard you speak for a moment. How can I help?' },
  { file: 'can-help.wav', transcript: 'Sure, I can help with that.' },
  { file: 'tell-me-more.wav', transcript: 'Could you tell me a little more about that?' },
];

/** src/simulator/ and dist/simulator/ both sit two levels below the repository root. */
export const DEFAULT_VOICE_ASSETS_DIR = fileURLToPath(new URL('../../assets/voice/', import.meta.url));

class RecordedUtterance implements Utterance {
  readonly transcript: string;
  readonly #samples24k: Int16Array;
  #samples8k: Int16Array | undefined;

  constructor(transcript: string, samples24k: Int16Array) {
    this.transcript = transcript;
    this.#samples24k = samples24k;
  }

  render(sampleRate: 24000 | 8000): Int16Array {
    if (sampleRate === 24000) return this.#samples24k;
    this.#samples8k ??= downsampleTo8k(this.#samples24k);
    return this.#samples8k;
  }
}

/**
 * 24 kHz → 8 kHz through the project's band-limited resampler, aligned: the input is padded to
 * flush the filter and its group delay is dropped, so sample k of the result is input 3k.
 * (Sharing the resampler with the client cannot hide a client bug: the client never resamples
 * what the simulator encodes back into what the simulator compares. The G.711 codec is another
 * matter, see g711Codec.ts.)
 */
function downsampleTo8k(input: Int16Array): Int16Array {
  const resampler = new Resampler(24000, 8000);
  const delay = Math.round(resampler.delaySamples);
  const padded = new Int16Array(input.length + (delay + 2) * 3);
  padded.set(input);
  const out = new Int16Array(resampler.maxOutputLength(padded.length));
  const produced = resampler.process(padded, padded.length, out);
  const length = Math.floor(input.length / 3);
  return out.slice(delay, Math.min(produced, delay + length));
}

export class SpeechVoice implements AssistantVoice {
  readonly label = 'speech';
  readonly #byFile = new Map<string, RecordedUtterance>();

  /** Reads every phrase at construction, so a missing asset fails at start, not mid-call. */
  constructor(assetsDir: string = DEFAULT_VOICE_ASSETS_DIR) {
    for (const phrase of [GREETING, AFTER_TOOL_OUTPUT, ...REPLIES]) {
      const wav = readWav(readFileSync(join(assetsDir, phrase.file)));
      if (wav.sampleRate !== 24000 || wav.channels !== 1) {
        throw new Error(`${phrase.file}: expected 24 kHz mono, got ${wav.sampleRate} Hz × ${wav.channels}`);
      }
      this.#byFile.set(phrase.file, new RecordedUtterance(phrase.transcript, wav.samples));
    }
  }

  utteranceFor(request: UtteranceRequest): Utterance {
    const phrase =
      request.situation === 'greeting'
        ? GREETING
        : request.situation === 'afterToolOutput'
          ? AFTER_TOOL_OUTPUT
          : REPLIES[request.situationIndex % REPLIES.length]!;
    return this.#byFile.get(phrase.file)!;
  }
}
