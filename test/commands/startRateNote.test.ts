// startRateNote: what the start command's rates mean in JSON mode on GPT-Live — informational line that says what Live sends instead (the session's
// one format, G.711 passed through at 8000, else audio/pcm 16000/24000) — and nothing at 24k.
import { describe, expect, it } from 'vitest';
import { startRateNote } from '../../src/commands/startRateNote.js';

describe('startRateNote', () => {
  it('says nothing when the rates are the JSON-mode default (24k both ways)', () => {
    expect(startRateNote('realtime', 24000, 24000)).toBeNull();
    expect(startRateNote('live', 24000, 24000)).toBeNull();
  });

  it('Realtime: nothing from the command (the session warns, jsonUplinkFormat)', () => {
    expect(startRateNote('realtime', 16000, 8000)).toBeNull();
  });

  it('GPT-Live: informational, naming the session.start format and G.711 pass-through, never the Realtime text', () => {
    const note = startRateNote('live', 8000, 24000)!;
    expect(note.level).toBe('info');
    expect(note.text).toContain('are not used on GPT-Live');
    expect(note.text).toContain("session.start's audio.format");
    expect(note.text).toContain('audio/pcmu or audio/pcma at 8000 for a G.711 channel, passed through');
    expect(note.text).toContain('audio/pcm at 16000, or 24000 above 16 kHz');
    expect(note.text).not.toMatch(/raw mode|24 kHz, or G\.711/);
  });
});
