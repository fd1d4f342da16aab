/**
 * The conversation as readable turns, for both protocols: the `openai_realtime::transcript` event
 * (one per turn: role, text, start and end ms), and the turns a GPT-Live reconnect rebuilds its
 * history from. Fed with every server event a session receives (GA names, before any beta
 * translation), it gathers the transcript events with TranscriptTurnAssembler
 * (src/protocol/live/transcriptTurns.ts):
 *
 * - GPT-Live: `session.input_transcript.delta` / `session.output_transcript.delta` fragments with
 *   `start_ms`/`end_ms` on the session's timeline; no "done": a speaker's turn ends after a quiet
 *   gap (800 ms). The timeline is followed from the events' own times and, between events, by the
 *   clock (the Live timeline advances in real time with the caller's audio), so a turn closes even
 *   when nothing else arrives.
 * - Realtime GA: input transcription deltas/`completed` and output audio transcript deltas/`done`,
 *   per item; ends are explicit. A caller's turn takes its times from the audio timeline when the
 *   server's VAD gave them (`input_audio_buffer.speech_started`/`speech_stopped`: `audio_start_ms` /
 *   `audio_end_ms` of the audio sent, same item id) — where the words are in what the caller said,
 *   not when the transcription happened to arrive. Otherwise (no server VAD, and the assistant's
 *   turns: transcript events carry no times) start/end are ms since the session started, when the
 *   fragments arrived.
 */
import { TranscriptTurnAssembler, type TranscriptRole, type TranscriptTurn } from '../protocol/live/transcriptTurns.js';
import { isJsonObject } from '../protocol/json.js';

/** Turns kept for a reconnect's history (rebuildHistory keeps the newest within its own limits). */
const KEPT_TURNS = 512;
const ADVANCE_EVERY_MS = 250;
/** Caller speech spans (server VAD) remembered until their transcription completes. */
const KEPT_SPEECH_SPANS = 64;

export interface TranscriptEventsOptions {
  protocol: 'realtime' | 'live';
  /** A turn is complete. */
  emit(turn: TranscriptTurn): void;
  now?: () => number;
}

const GA_FRAGMENTS: Record<string, TranscriptRole> = {
  'conversation.item.input_audio_transcription.delta': 'user',
  'response.output_audio_transcript.delta': 'assistant',
  'response.audio_transcript.delta': 'assistant',
};
const GA_ENDS: Record<string, TranscriptRole> = {
  'conversation.item.input_audio_transcription.completed': 'user',
  'response.output_audio_transcript.done': 'assistant',
  'response.audio_transcript.done': 'assistant',
};
const LIVE_FRAGMENTS: Record<string, TranscriptRole> = {
  'session.input_transcript.delta': 'user',
  'session.output_transcript.delta': 'assistant',
};

export class TranscriptEvents {
  readonly #protocol: 'realtime' | 'live';
  readonly #emit: (turn: TranscriptTurn) => void;
  readonly #now: () => number;
  readonly #startedAt: number;
  #assembler = new TranscriptTurnAssembler();
  readonly #turns: TranscriptTurn[] = [];
  #timelineMs = 0;
  #timelineAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #disposed = false;
  /** GA: item id → where the server's VAD put that speech on the input audio timeline. */
  readonly #speech = new Map<string, { startMs: number; endMs?: number }>();

  constructor(options: TranscriptEventsOptions) {
    this.#protocol = options.protocol;
    this.#emit = options.emit;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Every turn completed so far, oldest first (the newest {@link KEPT_TURNS}). */
  get turns(): readonly TranscriptTurn[] {
    return this.#turns;
  }

  onServerEvent(event: Record<string, unknown> | null): void {
    if (event === null || typeof event.type !== 'string') return;
    if (this.#protocol === 'live') {
      // The clock follows the timeline between events; started with the first one (a session
      // whose hook never attached has none, and leaves no timer behind).
      if (this.#timer === null && !this.#disposed) {
        this.#timer = setInterval(() => this.#advance(), ADVANCE_EVERY_MS);
        this.#timer.unref?.();
      }
      this.#onLive(event, event.type);
    }
    else this.#onGa(event, event.type);
  }

  /** The connection dropped (a Live reconnect starts a new timeline) or the session ended: close every open turn. */
  flush(): void {
    for (const turn of this.#assembler.flush()) this.#done(turn);
    this.#assembler = new TranscriptTurnAssembler();
    this.#timelineMs = 0;
    this.#timelineAt = 0;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.flush();
  }

  #onLive(event: Record<string, unknown>, type: string): void {
    const start = event.start_ms;
    const end = event.end_ms;
    if (typeof end === 'number' && Number.isFinite(end) && end >= this.#timelineMs) {
      this.#timelineMs = end;
      this.#timelineAt = this.#now();
    }
    const role = LIVE_FRAGMENTS[type];
    if (role === undefined || typeof event.delta !== 'string' || typeof start !== 'number' || typeof end !== 'number') return;
    for (const turn of this.#assembler.add({ role, text: event.delta, startMs: start, endMs: end })) this.#done(turn);
  }

  #advance(): void {
    if (this.#timelineAt === 0) return;
    const timeline = this.#timelineMs + (this.#now() - this.#timelineAt);
    for (const turn of this.#assembler.advance(timeline)) this.#done(turn);
  }

  #onGa(event: Record<string, unknown>, type: string): void {
    const at = this.#now() - this.#startedAt;
    const key = typeof event.item_id === 'string' ? event.item_id : undefined;
    if (this.#onSpeechSpan(event, type, key)) return;
    const fragmentRole = GA_FRAGMENTS[type];
    if (fragmentRole !== undefined && typeof event.delta === 'string') {
      for (const turn of this.#assembler.add({ role: fragmentRole, text: event.delta, startMs: at, endMs: at, ...(key !== undefined ? { key } : {}) })) this.#done(turn);
      return;
    }
    const endRole = GA_ENDS[type];
    if (endRole === undefined) return;
    const whole = typeof event.transcript === 'string' ? event.transcript.replace(/\s+/g, ' ').trim() : '';
    const open = this.#assembler.end(endRole);
    // The completed text is authoritative (deltas may be missing or partial); the deltas give the start.
    const text = whole !== '' ? whole : (open?.text ?? '');
    const span = endRole === 'user' && key !== undefined ? this.#speech.get(key) : undefined;
    if (key !== undefined) this.#speech.delete(key);
    if (text === '') return;
    if (span) this.#done({ role: endRole, text, startMs: span.startMs, endMs: Math.max(span.startMs, span.endMs ?? at) });
    else this.#done({ role: endRole, text, startMs: open?.startMs ?? at, endMs: at });
  }

  /** `input_audio_buffer.speech_started` / `speech_stopped`: the caller's speech on the audio timeline. */
  #onSpeechSpan(event: Record<string, unknown>, type: string, key: string | undefined): boolean {
    if (type !== 'input_audio_buffer.speech_started' && type !== 'input_audio_buffer.speech_stopped') return false;
    if (key === undefined) return true;
    if (type === 'input_audio_buffer.speech_started') {
      const start = event.audio_start_ms;
      if (typeof start !== 'number' || !Number.isFinite(start) || start < 0) return true;
      this.#speech.set(key, { startMs: start });
      if (this.#speech.size > KEPT_SPEECH_SPANS) this.#speech.delete(this.#speech.keys().next().value!);
      return true;
    }
    const span = this.#speech.get(key);
    const end = event.audio_end_ms;
    if (span && typeof end === 'number' && Number.isFinite(end)) span.endMs = end;
    return true;
  }

  #done(turn: TranscriptTurn): void {
    this.#turns.push(turn);
    if (this.#turns.length > KEPT_TURNS) this.#turns.shift();
    this.#emit(turn);
  }
}

export function isTranscriptEvent(event: Record<string, unknown> | null): boolean {
  return isJsonObject(event) && typeof event.type === 'string' && (event.type in GA_FRAGMENTS || event.type in GA_ENDS || event.type in LIVE_FRAGMENTS);
}
