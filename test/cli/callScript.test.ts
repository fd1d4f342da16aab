/** prepareScript: the `--script` check and the rewrite of the ^^<d> form of uuid_openai_s2s. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/callArguments.js';
import { prepareScript } from '../../src/cli/callScript.js';

describe('prepareScript', () => {
  it('passes ordinary lines, comments and blank lines through unchanged', () => {
    const text = '# a call\n0 start ${url} mono 24k\n\n1500 send_json e30=\n2000 dtmf 12#\n4000 hangup';
    expect(prepareScript(text, 's')).toBe(text);
  });

  it('sends the ^^| form of uuid_openai_s2s as written, without a second uuid in front', () => {
    expect(prepareScript('10 uuid_openai_s2s ^^|${uuid}|client.event|{"type": "response.create"}', 's')).toBe(
      '10 api uuid_openai_s2s ^^|${uuid}|client.event|{"type": "response.create"}',
    );
  });

  it.each([
    ['soon hangup', "s:1: expected '<ms> <command>'"],
    ['100', "s:1: expected '<ms> <command>'"],
    ['100 dtmf xyz', 's:1: dtmf wants digits'],
    ['100 api', "s:1: expected '<ms> api <name> <args>'"],
    ['100 uuid_openai_s2s', 's:1: uuid_openai_s2s needs arguments'],
  ])('refuses %j with one line naming the place', (line, message) => {
    expect(() => prepareScript(line, 's')).toThrow(UsageError);
    expect(() => prepareScript(line, 's')).toThrow(message);
  });
});
