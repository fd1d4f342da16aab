// parseHostConfig (src/runtime/hostConfig.ts): what the host tells JS at start, validated.
import { describe, expect, it } from 'vitest';
import { parseHostConfig } from '../../src/runtime/hostConfig.js';

describe('parseHostConfig', () => {
  it("reads FreeSWITCH's temp_dir; absent, empty or not a string: null (the OS's temp directory)", () => {
    expect(parseHostConfig('freeswitch', '{"tempDir":"/var/lib/freeswitch/tmp"}').tempDir).toBe('/var/lib/freeswitch/tmp');
    expect(parseHostConfig('freeswitch', '{"tempDir":""}').tempDir).toBeNull();
    expect(parseHostConfig('freeswitch', '{"tempDir":7}').tempDir).toBeNull();
    expect(parseHostConfig('test', 'not json')).toEqual({ host: 'test', testHooks: false, configFile: null, commandTimeoutMs: 5000, tempDir: null });
  });
});
