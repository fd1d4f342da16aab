/** argumentsFromSchema: the arguments the simulator's function calls carry, from a tool's JSON schema. */
import { describe, expect, it } from 'vitest';
import { mentions } from '../../src/simulator/functionCallRule.js';
import { argumentsFromSchema } from '../../src/simulator/schemaArguments.js';

describe('argumentsFromSchema', () => {
  it("fills the README's get_weather schema: the description's example and the first enum value", () => {
    const schema = {
      type: 'object',
      properties: { location: { type: 'string', description: 'City, e.g. "Paris"' }, scale: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location', 'scale'],
    };
    expect(argumentsFromSchema(schema)).toEqual({ location: 'Paris', scale: 'celsius' });
  });

  it('prefers const, default and examples; gives every JSON type a value of its type', () => {
    const schema = {
      type: 'object',
      properties: {
        fixed: { const: 'x' },
        withDefault: { type: 'integer', default: 7 },
        example: { type: 'string', examples: ['Lyon'] },
        count: { type: 'integer', minimum: 3 },
        ratio: { type: 'number' },
        flag: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        nested: { type: 'object', properties: { postal_code: { type: 'string' } } },
        either: { anyOf: [{ type: 'number', minimum: 2 }, { type: 'string' }] },
        nullable: { type: ['string', 'null'] },
      },
    };
    expect(argumentsFromSchema(schema)).toEqual({
      fixed: 'x',
      withDefault: 7,
      example: 'Lyon',
      count: 3,
      ratio: 1,
      flag: true,
      tags: ['example tags'],
      nested: { postal_code: 'example postal code' },
      either: 2,
      nullable: 'example nullable',
    });
  });

  it('is {} without a schema or properties, and stops on a recursive schema', () => {
    expect(argumentsFromSchema(undefined)).toEqual({});
    expect(argumentsFromSchema({ type: 'object' })).toEqual({});
    const node: Record<string, unknown> = { type: 'object', properties: {} };
    (node.properties as Record<string, unknown>).child = node;
    expect(JSON.stringify(argumentsFromSchema(node)).length).toBeLessThan(200);
  });
});

describe('mentions (the conversation trigger of functionCallRule)', () => {
  it.each([
    ['Please use get_weather for Paris', true],
    ['what is the Get Weather today?', true],
    ['get-weather', true],
    ['forget_weathering', false],
    ['the weather', false],
  ])('%j names get_weather: %s', (text, expected) => {
    expect(mentions(text, 'get_weather')).toBe(expected);
  });
});
