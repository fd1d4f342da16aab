// What this proves: boolean channel variables read exactly as FreeSWITCH's switch_true() reads
// them (switch_utils.h), so a dialplan that worked with the seed modules works here.
import { describe, expect, it } from 'vitest';
import { switchTrue } from '../../src/config/switchTrue.js';

describe('switchTrue', () => {
  it('is true for the FreeSWITCH words in any case, and for numbers whose atoi is not 0', () => {
    for (const v of ['yes', 'ON', 'true', 't', 'Enabled', 'active', 'allow', '1', '-2', '1.5', '+3', '10.']) expect(switchTrue(v)).toBe(true);
  });

  it('is false for everything else, without trimming', () => {
    for (const v of ['no', 'false', '0', '0.0', '0.5', '.5', '-', '', 'maybe', 'y', '1x', ' true', 'true ', ' 1']) expect(switchTrue(v)).toBe(false);
    expect(switchTrue(null)).toBe(false);
    expect(switchTrue(undefined)).toBe(false);
  });
});
