/**
 * What `start <url> <mix> [send_rate] [playback_rate]` means for the caller audio in JSON mode
 * (`input_audio_buffer.append`), as a pure decision (README "uuid_openai_audio_stream", docs/DESIGN.md §5).
 *
 * The Realtime API takes one channel in the session's input format (`audio/pcm` 24 kHz, G.711
 * 8 kHz), so by default JSON mode sends that, mono (stereo capture mixed down), and `send_rate`
 * only applies to raw mode. But a telephony application that asks for `stereo` from a server of
 * its own (a recorder, a transcriber that separates the speakers; the module we replace did it)
 * wants the two legs apart: then, unless the URL is OpenAI's or Azure's (which cannot take it),
 * the appends carry interleaved PCM16 (left: the caller, right: the channel's other leg) at
 * `send_rate` — the session's input format does not change it.
 */
import { liveHostOf } from '../protocol/live/liveEndpoint.js';

export interface JsonUplinkRequest {
  mix: 'mono' | 'mixed' | 'stereo';
  sendRate: number;
  playbackRate: number;
  url: string;
  /** GPT-Live sessions take one channel in their own format. */
  protocol: 'realtime' | 'live';
}

export interface JsonUplinkDecision {
  /** Interleaved two-channel PCM16 at this rate, or null (the session's input format, mono). */
  stereoRate: number | null;
  /** One line for the channel's log saying what is sent instead of what was asked, or null. */
  warning: string | null;
}

const DEFAULT_RATE = 24000;

export function decideJsonUplink(r: JsonUplinkRequest): JsonUplinkDecision {
  // GPT-Live: one format, session.start's; the start command says so itself (commands/startRateNote.ts).
  if (r.protocol === 'live') return { stereoRate: null, warning: null };
  const stereo = r.mix === 'stereo' && r.protocol === 'realtime' && liveHostOf(r.url) === 'other';
  if (stereo) {
    return {
      stereoRate: r.sendRate,
      warning:
        r.playbackRate !== DEFAULT_RATE
          ? `playback_rate ${r.playbackRate} applies to raw mode only: in JSON mode the assistant's audio is read in the session's output format`
          : null,
    };
  }
  if (r.sendRate === DEFAULT_RATE && r.playbackRate === DEFAULT_RATE) return { stereoRate: null, warning: null };
  return {
    stereoRate: null,
    warning:
      `send_rate ${r.sendRate} / playback_rate ${r.playbackRate} apply to raw mode only: in JSON mode the audio goes ` +
      "in the session's formats (audio/pcm 24 kHz, or G.711 8 kHz when the session sets audio/pcmu or audio/pcma), mono" +
      (r.mix === 'stereo' ? '' : ' (send_rate applies to JSON mode with stereo to a server other than OpenAI\'s or Azure\'s)'),
  };
}
