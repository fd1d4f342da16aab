/**
 * The `audio.format` a Live session gets when the application's `session.start` names none.
 *
 * Live takes one format for both directions, fixed at start. A G.711 channel (PCMU or PCMA at
 * 8 kHz) is passed through as `audio/pcmu` / `audio/pcma` at 8000: no decoding, no resampling, no
 * quality lost on either leg. Any other channel gets linear PCM at the Live rate nearest above its
 * own: 16000 for channels up to 16 kHz (8 kHz L16, wideband codecs), 24000 above that.
 */
import { isObject } from './liveFields.js';
import type { LiveAudioFormat, LiveSessionStart } from './liveTypes.js';

export interface ChannelAudio {
  /** The channel's read codec as FreeSWITCH names it (`PCMU`, `PCMA`, `L16`, `OPUS`…). */
  codec: string;
  /** The channel's sample rate in Hz. */
  sampleRate: number;
}

export function liveFormatForChannel(channel: ChannelAudio): LiveAudioFormat {
  const codec = channel.codec.toUpperCase();
  if (channel.sampleRate === 8000 && codec === 'PCMU') return { type: 'audio/pcmu', rate: 8000 };
  if (channel.sampleRate === 8000 && codec === 'PCMA') return { type: 'audio/pcma', rate: 8000 };
  return { type: 'audio/pcm', rate: channel.sampleRate > 16000 ? 24000 : 16000 };
}

/** True when the format carries the channel's own G.711 bytes unchanged. */
export function isPassThrough(format: LiveAudioFormat, channel: ChannelAudio): boolean {
  const chosen = liveFormatForChannel(channel);
  return chosen.type !== 'audio/pcm' && chosen.type === format.type;
}

/**
 * The start event with `session.audio.format` filled in when it was absent (a new object; the
 * application's is not changed). `added` is the format added, or null when the application chose.
 */
export function withChannelAudioFormat(start: LiveSessionStart, channel: ChannelAudio): { event: LiveSessionStart; added: LiveAudioFormat | null } {
  const audio = isObject(start.session.audio) ? start.session.audio : undefined;
  if (audio?.format !== undefined) return { event: start, added: null };
  const format = liveFormatForChannel(channel);
  return { event: { ...start, session: { ...start.session, audio: { ...audio, format } } }, added: format };
}

/**
 * What the application's own `audio.format` costs on this channel, for the log (null: nothing to
 * say — the channel's G.711 passed through, or PCM at the channel's own rate). Each direction is
 * converted between the channel's audio and the session's format; this names the conversion.
 */
export function formatNote(format: LiveAudioFormat, channel: ChannelAudio): string | null {
  const codec = channel.codec.toUpperCase();
  const g711Channel = channel.sampleRate === 8000 && (codec === 'PCMU' || codec === 'PCMA');
  const shown = `${format.type} at ${format.rate} Hz`;
  if (g711Channel) {
    if (isPassThrough(format, channel)) return null;
    const own = codec === 'PCMU' ? 'audio/pcmu' : 'audio/pcma';
    const how = format.type === 'audio/pcm' ? `decoded and resampled to ${format.rate} Hz` : 'transcoded between the two G.711 laws';
    return `session.start names ${shown} on a ${codec} channel: ${how} both ways (${own} at 8000 would pass the channel's audio through untouched)`;
  }
  if (format.type === 'audio/pcm') {
    return format.rate === channel.sampleRate ? null : `session.start names ${shown} on a ${codec} channel at ${channel.sampleRate} Hz: resampled both ways`;
  }
  return `session.start names ${shown} on a ${codec} channel at ${channel.sampleRate} Hz: G.711-encoded${channel.sampleRate === 8000 ? '' : ' and resampled'} both ways`;
}

/** Bytes per millisecond of a format (8 for G.711, 32 or 48 for PCM16). */
export function bytesPerMs(format: LiveAudioFormat): number {
  return format.type === 'audio/pcm' ? (format.rate / 1000) * 2 : 8;
}
