/** decideFunctionCall: when the simulated model calls a function, and with which arguments. */
import { describe, expect, it } from 'vitest';
import { decideFunctionCall } from '../../src/simulator/functionCallRule.js';
import type { SessionTool } from '../../src/simulator/protocolTypes.js';

const weather: SessionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { location: { type: 'string', description: 'City, e.g. "Paris"' } } },
};
const transfer: SessionTool = { type: 'function', name: 'transfer_call', parameters: { type: 'object', properties: { destination: { type: 'string', enum: ['1000'] } } } };
const tools = [weather, transfer];

describe('decideFunctionCall', () => {
  it('a spec without arguments gets them from the schema; with arguments, its own', () => {
    expect(decideFunctionCall({ tools, toolChoice: 'auto', specs: [{ name: 'get_weather' }], afterUserTurn: true })).toEqual({ name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(decideFunctionCall({ tools, toolChoice: 'auto', specs: [{ name: 'get_weather', arguments: { location: 'Oslo' } }], afterUserTurn: true })).toEqual({ name: 'get_weather', arguments: '{"location":"Oslo"}' });
  });

  it('a user text naming a function calls it; one naming none does not', () => {
    expect(decideFunctionCall({ tools, toolChoice: 'auto', specs: [], afterUserTurn: true, userText: 'please transfer call to sales' })).toEqual({ name: 'transfer_call', arguments: '{"destination":"1000"}' });
    expect(decideFunctionCall({ tools, toolChoice: 'auto', specs: [], afterUserTurn: true, userText: 'hello there' })).toBeUndefined();
  });

  it('honours tool_choice: none never calls, required calls with schema arguments, a forced function only itself', () => {
    expect(decideFunctionCall({ tools, toolChoice: 'none', specs: [], afterUserTurn: true, userText: 'get_weather' })).toBeUndefined();
    expect(decideFunctionCall({ tools, toolChoice: 'required', specs: [], afterUserTurn: false })).toEqual({ name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(
      decideFunctionCall({ tools, toolChoice: { type: 'function', name: 'transfer_call' }, specs: [], afterUserTurn: true, userText: 'get_weather please' }),
    ).toEqual({ name: 'transfer_call', arguments: '{"destination":"1000"}' });
  });

  it('only after a user turn, unless required', () => {
    expect(decideFunctionCall({ tools, toolChoice: 'auto', specs: [{ name: 'get_weather' }], afterUserTurn: false })).toBeUndefined();
  });
});
