// What this proves: the call features a session starts with come from the channel variables over
// the profile; bad values are not used (and say why), never turned into something else; transfer_call
// is not offered without a destination to go to.
import { describe, expect, it } from 'vitest';
import { readCallOptions } from '../../src/call/callOptions.js';

const vars = (v: Record<string, string>) => (name: string): string | null => v[name] ?? null;
const profile = { tools: ['end_call', 'transfer_call'], allowedTransferDestinations: ['1000', 'sip:support@example.com'] };

describe('readCallOptions', () => {
  it('defaults: no tools, no destinations, NORMAL_CLEARING, DTMF events only', () => {
    expect(readCallOptions(vars({}), null)).toEqual({
      options: { tools: [], transferDestinations: [], hangupCause: 'NORMAL_CLEARING', dtmf: { forward: false, respond: true, batchMs: 1500 }, maxToolRoundTrips: null, maxCallDurationS: null, idlePromptS: null, idleHangupS: null },
      warnings: [],
    });
  });

  it('the profile, then channel variables over it; none turns tools off; empty overrides nothing', () => {
    expect(readCallOptions(vars({}), profile).options).toMatchObject({ tools: ['end_call', 'transfer_call'], transferDestinations: ['1000', 'sip:support@example.com'] });
    expect(readCallOptions(vars({ OPENAI_REALTIME_TOOLS: ' send_dtmf , end_call,send_dtmf' }), profile).options.tools).toEqual(['send_dtmf', 'end_call']);
    expect(readCallOptions(vars({ OPENAI_REALTIME_TOOLS: 'NONE' }), profile).options.tools).toEqual([]);
    expect(readCallOptions(vars({ OPENAI_REALTIME_TOOLS: '  ' }), profile).options.tools).toEqual(['end_call', 'transfer_call']);
    expect(readCallOptions(vars({ OPENAI_REALTIME_TRANSFER_DESTINATIONS: '2000,2001' }), profile).options.transferDestinations).toEqual(['2000', '2001']);
  });

  it('unknown tools and bad values are left out with a warning', () => {
    const r = readCallOptions(
      vars({
        OPENAI_REALTIME_TOOLS: 'end_call,format_disk',
        OPENAI_REALTIME_HANGUP_CAUSE: 'normal clearing',
        OPENAI_REALTIME_DTMF_BATCH_MS: '99999',
        OPENAI_REALTIME_DTMF: 'maybe',
        OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS: 'lots',
      }),
      null,
    );
    expect(r.options).toEqual({ tools: ['end_call'], transferDestinations: [], hangupCause: 'NORMAL_CLEARING', dtmf: { forward: false, respond: true, batchMs: 1500 }, maxToolRoundTrips: null, maxCallDurationS: null, idlePromptS: null, idleHangupS: null });
    expect(r.warnings).toHaveLength(5);
    expect(r.warnings.join('\n')).toContain('OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS: expected a whole number from 0 to 10000');
    expect(r.warnings.join('\n')).toContain('"format_disk"');
  });

  it('transfer_call without destinations is not offered', () => {
    const r = readCallOptions(vars({ OPENAI_REALTIME_TOOLS: 'transfer_call,end_call' }), null);
    expect(r.options.tools).toEqual(['end_call']);
    expect(r.warnings[0]).toContain('transfer_call is not offered');
  });

  it('DTMF forwarding, its response switch and batch window; a hang-up cause', () => {
    const r = readCallOptions(vars({ OPENAI_REALTIME_DTMF: 'Forward', OPENAI_REALTIME_DTMF_RESPONSE: 'false', OPENAI_REALTIME_DTMF_BATCH_MS: '0', OPENAI_REALTIME_HANGUP_CAUSE: 'USER_BUSY' }), null);
    expect(r.options).toMatchObject({ hangupCause: 'USER_BUSY', dtmf: { forward: true, respond: false, batchMs: 0 } });
    expect(r.warnings).toEqual([]);
  });

  it('the tool round-trip bound from its channel variable (0 turns it off)', () => {
    expect(readCallOptions(vars({ OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS: '4' }), null).options.maxToolRoundTrips).toBe(4);
    expect(readCallOptions(vars({ OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS: '0' }), null).options.maxToolRoundTrips).toBe(0);
  });

  it('the call length limit from its channel variable; a bad value is a warning', () => {
    expect(readCallOptions(vars({ OPENAI_REALTIME_MAX_CALL_DURATION_S: '600' }), null).options.maxCallDurationS).toBe(600);
    const bad = readCallOptions(vars({ OPENAI_REALTIME_MAX_CALL_DURATION_S: '10m' }), null);
    expect(bad.options.maxCallDurationS).toBeNull();
    expect(bad.warnings).toEqual([expect.stringContaining('OPENAI_REALTIME_MAX_CALL_DURATION_S: expected a whole number of seconds')]);
  });

  it('call length and idle times: channel variable over the profile; a bad variable falls back to the profile with a warning', () => {
    const timed = { ...profile, maxCallDurationS: 900, idlePromptS: 20, idleHangupS: 0 };
    expect(readCallOptions(vars({}), timed).options).toMatchObject({ maxCallDurationS: 900, idlePromptS: 20, idleHangupS: 0 });
    expect(readCallOptions(vars({ OPENAI_REALTIME_IDLE_PROMPT_S: '0', OPENAI_REALTIME_IDLE_HANGUP_S: '15', OPENAI_REALTIME_MAX_CALL_DURATION_S: '60' }), timed).options).toMatchObject({
      maxCallDurationS: 60,
      idlePromptS: 0,
      idleHangupS: 15,
    });
    const bad = readCallOptions(vars({ OPENAI_REALTIME_IDLE_PROMPT_S: '-3', OPENAI_REALTIME_IDLE_HANGUP_S: '99999' }), timed);
    expect(bad.options).toMatchObject({ idlePromptS: 20, idleHangupS: 0 });
    expect(bad.warnings).toEqual([
      expect.stringContaining('OPENAI_REALTIME_IDLE_PROMPT_S: expected a whole number of seconds from 0 to 86400'),
      expect.stringContaining('OPENAI_REALTIME_IDLE_HANGUP_S: expected a whole number of seconds from 0 to 86400'),
    ]);
    // No profile value: null, so the module setting applies.
    expect(readCallOptions(vars({}), profile).options).toMatchObject({ maxCallDurationS: null, idlePromptS: null, idleHangupS: null });
  });
});
