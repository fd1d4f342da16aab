// Profiles and GPT-Live: the `protocol` param (auto | realtime | live, a clear error otherwise), a
// Live profile's <session> (the session of session.start: a model, no type), and what the resolved
// connection says to the session (the profile's protocol for its own URL; a command's URL decides
// by its path), and the Live jitter buffer (module setting, profile param, channel variable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configError.js';
import { loadModuleConfig, type ModuleConfig } from '../../src/config/moduleConfig.js';
import { resolveConnection } from '../../src/config/resolveConnection.js';
import { selectProtocol } from '../../src/protocol/live/liveEndpoint.js';
import { engineLimits } from '../../src/session/engineLimits.js';
import { configuredLivePlayoutDelay, livePlayoutDelay } from '../../src/session/live/liveSessionSetup.js';
import { configText, ENV, tempDir, type TempDir } from '../helpers/configFixtures.js';

let t: TempDir;
beforeAll(() => {
  t = tempDir();
});
afterAll(() => t.remove());

const load = (profiles: string): ModuleConfig => loadModuleConfig(t.write(`p${Math.random().toString(36).slice(2)}.xml`, configText(profiles)), { env: { ...ENV } });
function loadError(profiles: string): string {
  try {
    load(profiles);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
const profile = (params: string, session = ''): string =>
  `    <profile name="p">\n      <param name="api-key" value="sk-test-PROFILE-1"/>\n${params}${session ? `      <session><![CDATA[ ${session} ]]></session>\n` : ''}    </profile>\n`;

describe('profile protocol', () => {
  it('is auto by default; live and realtime are taken; anything else is an error naming the param', () => {
    expect(load(profile('      <param name="url" value="wss://api.openai.com/v1/realtime"/>\n')).profiles.get('p')!.protocol).toBe('auto');
    expect(load(profile('      <param name="url" value="wss://gw.example.com/speech"/>\n      <param name="protocol" value="live"/>\n')).profiles.get('p')!.protocol).toBe('live');
    expect(loadError(profile('      <param name="url" value="wss://gw.example.com/speech"/>\n      <param name="protocol" value="gpt-live"/>\n'))).toMatch(/protocol/);
  });

  it("a Live profile's <session> is the session of session.start: a model and no type", () => {
    const url = '      <param name="url" value="wss://api.openai.com/v1/live/sessions"/>\n';
    expect(load(profile(url, '{"model":"gpt-live-1","instructions":"Hi."}')).profiles.get('p')!.session).toEqual({ model: 'gpt-live-1', instructions: 'Hi.' });
    expect(loadError(profile(url, '{"type":"realtime","model":"gpt-live-1"}'))).toMatch(/GPT-Live session .* no "type"/);
    expect(loadError(profile(url, '{"instructions":"Hi."}'))).toMatch(/needs a "model"/);
    // protocol=live on another path reads the session the Live way too.
    const explicit = '      <param name="url" value="wss://gw.example.com/speech"/>\n      <param name="protocol" value="live"/>\n';
    expect(load(profile(explicit, '{"model":"gpt-live-1"}')).profiles.get('p')!.session).toEqual({ model: 'gpt-live-1' });
  });

  it("the resolved connection carries the profile's protocol for its own URL; a command's URL decides by its path", () => {
    const config = load(profile('      <param name="url" value="wss://gw.example.com/speech"/>\n      <param name="protocol" value="live"/>\n'));
    const viaProfile = resolveConnection({ target: 'profile:p', variables: () => null }, config);
    expect(viaProfile.ok && selectProtocol(viaProfile.connection.url, viaProfile.connection.protocol)).toBe('live');
    const viaUrl = resolveConnection({ target: 'wss://api.openai.com/v1/realtime', variables: (n) => (n === 'OPENAI_REALTIME_PROFILE' ? 'p' : null) }, config);
    expect(viaUrl.ok && selectProtocol(viaUrl.connection.url, viaUrl.connection.protocol)).toBe('realtime');
    const livePath = resolveConnection({ target: 'wss://api.openai.com/v1/live/sessions', variables: () => null }, config);
    expect(livePath.ok && selectProtocol(livePath.connection.url, livePath.connection.protocol)).toBe('live');
  });

  it("the Live jitter buffer: the module setting, a profile's param beats it, the channel variable beats both; bad values are refused", () => {
    const url = '      <param name="url" value="wss://api.openai.com/v1/live/sessions"/>\n';
    const settings = '    <param name="live-playout-delay-ms" value="30"/>\n';
    const plain = loadModuleConfig(t.write('jb1.xml', configText(profile(url), settings)), { env: { ...ENV } });
    expect(plain.settings.livePlayoutDelayMs).toBe(30);
    expect(plain.profiles.get('p')!.livePlayoutDelayMs).toBeNull();
    expect(configuredLivePlayoutDelay(plain.profiles.get('p'), engineLimits(plain.settings))).toBe(30);
    const own = loadModuleConfig(t.write('jb2.xml', configText(profile(url + '      <param name="live-playout-delay-ms" value="0"/>\n'), settings)), { env: { ...ENV } });
    expect(configuredLivePlayoutDelay(own.profiles.get('p'), engineLimits(own.settings))).toBe(0);
    expect(configuredLivePlayoutDelay(null, undefined)).toBe(40); // nothing configured: the default
    // The channel variable beats the configured value; a bad one is named in a warning and the configured value stays.
    expect(livePlayoutDelay((n) => (n === 'OPENAI_LIVE_PLAYOUT_DELAY_MS' ? '60' : null), 30)).toEqual({ ms: 60 });
    expect(livePlayoutDelay(() => null, 30)).toEqual({ ms: 30 });
    const bad = livePlayoutDelay((n) => (n === 'OPENAI_LIVE_PLAYOUT_DELAY_MS' ? '300' : null), 30);
    expect(bad.ms).toBe(30);
    expect(bad.warning).toBe('OPENAI_LIVE_PLAYOUT_DELAY_MS: expected whole ms from 0 to 200, got "300"; using 30');
    expect(loadError(profile(url + '      <param name="live-playout-delay-ms" value="-5"/>\n'))).toMatch(/param "live-playout-delay-ms": expected an integer 0\.\.200, got "-5"/);
  });
});
