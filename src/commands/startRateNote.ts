/**
 * What `start <url> <mix> [send_rate] [playback_rate]` says about its rates in JSON mode, where the
 * wire format is the session's and not the command's (raw mode alone sends and plays at them).
 *
 * - Realtime: nothing here; the session decides and warns (session/jsonUplinkFormat.ts).
 * - GPT-Live: one format for both directions, session.start's `audio.format`, which the module
 *   fills in from the channel when the application names none (G.711 passed through at 8000,
 *   otherwise audio/pcm at 16000 or 24000; protocol/live/liveAudioFormat.ts). The rates are simply
 *   not used, whatever they are (the documented dialplan says `mono 8k` for a G.711 channel): an
 *   informational line, not a warning.
 */
export const JSON_MODE_RATE = 24000;

export interface RateNote {
  level: 'warning' | 'info';
  text: string;
}

export function startRateNote(protocol: 'realtime' | 'live', sendRate: number, playbackRate: number): RateNote | null {
  if (sendRate === JSON_MODE_RATE && playbackRate === JSON_MODE_RATE) return null;
  const rates = `send_rate ${sendRate} / playback_rate ${playbackRate}`;
  if (protocol === 'live') {
    return {
      level: 'info',
      text:
        `${rates} are not used on GPT-Live: both directions go in the session's one format, session.start's audio.format ` +
        '(when it names none, the channel\'s: audio/pcmu or audio/pcma at 8000 for a G.711 channel, passed through; ' +
        'otherwise audio/pcm at 16000, or 24000 above 16 kHz), mono',
    };
  }
  // Realtime: the session warns (session/jsonUplinkFormat.ts), since stereo to a server of the
  // application's own changes what send_rate means there.
  return null;
}
