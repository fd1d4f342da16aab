/**
 * The input audio buffer of one simulated connection: `input_audio_buffer.append` / `commit` /
 * `clear`, the server VAD over what is appended (energy-based; semantic_vad is simulated with it),
 * and the user message a commit turns the buffer into (with a stand-in transcript when the session
 * asks for transcription).
 */
import { decodeAudio, durationMsOf, isStrictBase64, sampleRateOf } from './audioFormats.js';
import type { ConnectionIo } from './connectionIo.js';
import type { Conversation } from './conversation.js';
import { EnergyVad, type VadEvent, type VadSettings } from './energyVad.js';
import { newId } from './ids.js';
import type { ClientEvent, ConversationItem, RealtimeSession, TurnDetectionConfig } from './protocolTypes.js';
import { MAX_APPEND_BASE64_CHARS, MIN_COMMIT_MS, realtimeErrors } from './realtimeErrors.js';

/** semantic_vad is simulated with the energy VAD; eagerness picks the silence it waits for. */
const SEMANTIC_SILENCE_MS = { low: 1000, medium: 500, auto: 500, high: 250 } as const;

export interface InputAudioOwner {
  /** The session in force (formats, turn detection, transcription). */
  session(): RealtimeSession;
  readonly conversation: Conversation;
  /** The VAD heard speech start (the connection may cut the active response). */
  speechStarted(): void;
  /** The VAD committed a turn (the connection may start a response). */
  turnCommitted(): void;
}

export class InputAudioBuffer {
  /** Total audio appended (all `input_audio_buffer.append`, in audio time). */
  appendedAudioMs = 0;
  readonly #io: ConnectionIo;
  readonly #owner: InputAudioOwner;
  #vad: EnergyVad | undefined;
  /** Session audio time where the uncommitted input buffer starts. */
  #bufferStartMs = 0;
  /** Item id announced by `speech_started`, used again for `speech_stopped` / `committed`. */
  #speechItemId: string | undefined;

  constructor(io: ConnectionIo, owner: InputAudioOwner) {
    this.#io = io;
    this.#owner = owner;
    this.configureVad();
  }

  /** Follows the session's turn detection (at start, and when a session.update changes it). */
  configureVad(): void {
    const settings = vadSettingsFor(this.#owner.session().audio.input.turn_detection);
    if (!settings) {
      this.#vad = undefined;
      return;
    }
    if (this.#vad) this.#vad.configure(settings);
    else {
      this.#vad = new EnergyVad(settings);
      this.#vad.reset(this.#bufferStartMs);
    }
  }

  append(event: ClientEvent, id: string | undefined): void {
    const audio = event.audio;
    if (audio === undefined) return this.#io.sendError(realtimeErrors.missingParameter('audio'), id);
    if (typeof audio !== 'string') return this.#io.sendError(realtimeErrors.invalidType('audio', 'a base64 string'), id);
    if (audio.length > MAX_APPEND_BASE64_CHARS) return this.#io.sendError(realtimeErrors.appendTooLarge(audio.length), id);
    if (!isStrictBase64(audio)) return this.#io.sendError(realtimeErrors.invalidBase64(), id);
    const format = this.#owner.session().audio.input.format;
    const bytes = Buffer.from(audio, 'base64');
    if (format.type === 'audio/pcm' && bytes.length % 2 === 1) return this.#io.sendError(realtimeErrors.oddPcmLength(bytes.length), id);

    const samples = decodeAudio(format, bytes);
    const startMs = this.appendedAudioMs;
    this.appendedAudioMs += durationMsOf(format, bytes.length);
    if (!this.#vad) return;
    for (const vadEvent of this.#vad.process(samples, sampleRateOf(format), startMs)) this.#onVadEvent(vadEvent);
  }

  commit(id: string | undefined): void {
    const bufferedMs = this.appendedAudioMs - this.#bufferStartMs;
    if (bufferedMs < MIN_COMMIT_MS) return this.#io.sendError(realtimeErrors.commitEmpty(bufferedMs), id);
    const itemId = this.#speechItemId ?? newId('item');
    this.#speechItemId = undefined;
    this.#commitBuffer(itemId, this.appendedAudioMs);
    this.#vad?.reset(this.appendedAudioMs);
  }

  clear(): void {
    this.#bufferStartMs = this.appendedAudioMs;
    this.#speechItemId = undefined;
    this.#vad?.reset(this.appendedAudioMs);
    this.#io.send({ type: 'input_audio_buffer.cleared' });
  }

  #onVadEvent(event: VadEvent & { atMs: number }): void {
    if (event.type === 'speech_started') {
      this.#speechItemId = newId('item');
      this.#io.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: event.audioStartMs, item_id: this.#speechItemId });
      this.#owner.speechStarted();
      return;
    }
    const itemId = this.#speechItemId ?? newId('item');
    this.#speechItemId = undefined;
    this.#io.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: event.audioEndMs, item_id: itemId });
    this.#commitBuffer(itemId, event.audioEndMs);
    this.#owner.turnCommitted();
  }

  /** The buffer up to `endMs` becomes a user message. */
  #commitBuffer(itemId: string, endMs: number): void {
    const conversation = this.#owner.conversation;
    const audioMs = Math.max(0, endMs - this.#bufferStartMs);
    this.#bufferStartMs = endMs;
    const previousItemId = conversation.lastItemId();
    this.#io.send({ type: 'input_audio_buffer.committed', previous_item_id: previousItemId, item_id: itemId });
    const item: ConversationItem = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio', transcript: null }],
    };
    conversation.insert(item);
    conversation.setAudioMs(itemId, audioMs);
    this.#io.send({ type: 'conversation.item.added', previous_item_id: previousItemId, item });
    this.#io.send({ type: 'conversation.item.done', previous_item_id: previousItemId, item });
    if (this.#owner.session().audio.input.transcription) {
      // The simulator cannot transcribe; it says so in the transcript, with the duration.
      const transcript = `[simulated transcript of ${(audioMs / 1000).toFixed(1)} s of audio]`;
      item.content[0]!.transcript = transcript;
      this.#io.send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: transcript });
      this.#io.send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
        usage: { type: 'duration', seconds: Number((audioMs / 1000).toFixed(3)) },
      });
    }
  }
}

function vadSettingsFor(turnDetection: TurnDetectionConfig): VadSettings | undefined {
  if (!turnDetection) return undefined;
  if (turnDetection.type === 'server_vad') {
    return {
      threshold: turnDetection.threshold,
      prefixPaddingMs: turnDetection.prefix_padding_ms,
      silenceDurationMs: turnDetection.silence_duration_ms,
    };
  }
  return { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: SEMANTIC_SILENCE_MS[turnDetection.eagerness] };
}
