// What this proves: the ready-made tools join the session's tools without dropping the
// application's, never twice, and an update that does not touch `tools` is left alone once they
// have been sent (session.update only changes the fields present).
import { describe, expect, it } from 'vitest';
import { builtinToolSchemas } from '../../src/call/builtinTools.js';
import { carriesTools, withBuiltinTools } from '../../src/call/sessionTools.js';

const tools = builtinToolSchemas({ tools: ['end_call', 'send_dtmf'], transferDestinations: [] });
const names = (s: Record<string, unknown>): string[] => (s.tools as Array<{ name: string }>).map((t) => t.name);

describe('withBuiltinTools', () => {
  it('appends to the application\'s tools, keeping its own definition of a same-named tool', () => {
    const mine = { type: 'function', name: 'end_call', description: 'the app\'s own', parameters: {} };
    const s = withBuiltinTools({ type: 'realtime', tools: [{ type: 'function', name: 'lookup' }, mine] }, tools, false);
    expect(names(s)).toEqual(['lookup', 'end_call', 'send_dtmf']);
    expect((s.tools as unknown[])[1]).toBe(mine);
    expect(carriesTools(s, tools)).toBe(true);
  });

  it('adds them to an update without tools only until they have been sent', () => {
    const update = { type: 'realtime', instructions: 'x' };
    expect(names(withBuiltinTools(update, tools, false))).toEqual(['end_call', 'send_dtmf']);
    expect(withBuiltinTools(update, tools, true)).toBe(update);
  });

  it('`tools: []` from the application keeps the ready-made ones; no tools enabled changes nothing', () => {
    expect(names(withBuiltinTools({ type: 'realtime', tools: [] }, tools, true))).toEqual(['end_call', 'send_dtmf']);
    const update = { type: 'realtime', tools: [] };
    expect(withBuiltinTools(update, [], false)).toBe(update);
  });

  it('transfer_call lists exactly the allowed destinations', () => {
    const [transfer] = builtinToolSchemas({ tools: ['transfer_call'], transferDestinations: ['1000', 'sip:a@b'] });
    expect(transfer!.parameters).toMatchObject({ properties: { destination: { type: 'string', enum: ['1000', 'sip:a@b'] } }, required: ['destination'] });
  });
});
