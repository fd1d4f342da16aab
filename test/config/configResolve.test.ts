// What this proves: resolveConnection applies "API argument > channel variable > profile >
// built-in default" to every field; the profile is chosen by profile:<name>, then
// OPENAI_REALTIME_PROFILE, then default-profile; keys are applied per auth style (Bearer header,
// Azure api-key header, Azure api-key query); a profile's credentials never go to another host;
// the STREAM_* variables keep switch_true semantics (STREAM_MESSAGE_DEFLATE=true disables
// deflate); and describeForStatus shows host, path and auth style but never a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeForStatus } from '../../src/config/connectionStatus.js';
import { loadModuleConfig, type ModuleConfig } from '../../src/config/moduleConfig.js';
import { resolveConnection, type ConnectionOverrides, type ResolvedConnection } from '../../src/config/resolveConnection.js';
import { loadTlsFiles } from '../../src/config/tlsFiles.js';
import { registerSecret, redactSecrets } from '../../src/runtime/secrets.js';
import { configText, ENV, fullExample, KEYS, tempDir, type TempDir } from '../helpers/configFixtures.js';

let t: TempDir;
let config: ModuleConfig;
let lab: ModuleConfig;
let empty: ModuleConfig;
beforeAll(() => {
  t = tempDir();
  config = loadModuleConfig(t.write('full.xml', fullExample(t)), { env: { ...ENV } });
  const cert = t.write('client.crt', 'CERT', 0o644);
  const key = t.write('client.pem', 'PRIVATE', 0o600);
  lab = loadModuleConfig(
    t.write(
      'lab.xml',
      configText(`    <profile name="lab">
      <param name="url" value="wss://lab.example:8443/v1/realtime"/>
      <param name="api-key" value="${KEYS.inline}"/>
      <param name="tls-ca-file" value="NONE"/>
      <param name="tls-cert-file" value="${cert}"/>
      <param name="tls-key-file" value="${key}"/>
      <param name="tls-disable-hostname-validation" value="true"/>
      <param name="reconnect" value="false"/>
      <param name="max-connect-attempts" value="3"/>
      <param name="heartbeat-s" value="20"/>
      <param name="deflate" value="false"/>
    </profile>
`),
    ),
  );
  empty = loadModuleConfig(t.write('empty.xml', configText('')));
});
afterAll(() => t.remove());

type Vars = Record<string, string>;

function resolve(target: string, vars: Vars = {}, cfg: ModuleConfig = config, overrides?: ConnectionOverrides) {
  return resolveConnection({ target, variables: (n) => vars[n], ...(overrides ? { overrides } : {}) }, cfg);
}

function ok(target: string, vars: Vars = {}, cfg: ModuleConfig = config, overrides?: ConnectionOverrides): ResolvedConnection & { warnings: string[]; secrets: string[] } {
  const r = resolve(target, vars, cfg, overrides);
  if (!r.ok) throw new Error(r.error);
  return { ...r.connection, warnings: r.warnings, secrets: r.secrets };
}

function error(target: string, vars: Vars = {}, cfg: ModuleConfig = config, overrides?: ConnectionOverrides): string {
  const r = resolve(target, vars, cfg, overrides);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('resolveConnection: choosing the profile', () => {
  it('profile:<name> gives the whole profile: URL, Bearer key, headers and defaults', () => {
    const c = ok('profile:openai');
    expect(c.profile).toBe(config.profiles.get('openai'));
    expect(c.profileSelectedBy).toBe('api-argument');
    expect(c.url).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(c.headers).toEqual({ 'OpenAI-Organization': 'org-example & co', Authorization: `Bearer ${KEYS.file}` });
    expect(c).toMatchObject({
      auth: 'bearer',
      keyOrigin: 'profile',
      tls: { rejectUnauthorized: true },
      reconnect: true,
      maxConnectAttempts: 10,
      heartbeatS: 0,
      deflate: false,
      tools: ['end_call', 'transfer_call', 'send_dtmf'],
      allowedTransferDestinations: ['1000', 'sip:support@example.com'],
    });
    expect(c.tls.caFile).toBeUndefined();
    expect(c.tls.checkServerIdentity).toBeUndefined();
    expect(c.warnings).toEqual([]);
    expect(c.secrets).toEqual([]);
  });

  it('the session update is a private copy of the profile session', () => {
    const c = ok('profile:openai');
    expect(c.sessionUpdate).toEqual(config.profiles.get('openai')!.session);
    expect(c.sessionUpdate).not.toBe(config.profiles.get('openai')!.session);
    (c.sessionUpdate as Record<string, unknown>).instructions = 'changed by a session';
    expect(config.profiles.get('openai')!.session!.instructions).toBe('You are a helpful phone assistant.');
    expect(ok('profile:sim').sessionUpdate).toBeUndefined();
  });

  it('profile:<name> beats OPENAI_REALTIME_PROFILE, which beats default-profile', () => {
    expect(ok('profile:sim', { OPENAI_REALTIME_PROFILE: 'azure' }).profile?.name).toBe('sim');
    const byVariable = ok('wss://myres.openai.azure.com/openai/v1/realtime?model=other', { OPENAI_REALTIME_PROFILE: 'azure' });
    expect(byVariable.profile?.name).toBe('azure');
    expect(byVariable.profileSelectedBy).toBe('channel-variable');
    const byDefault = ok('wss://api.openai.com/v1/realtime?model=gpt-realtime-mini');
    expect(byDefault.profile?.name).toBe('openai');
    expect(byDefault.profileSelectedBy).toBe('default-profile');
    expect(ok('wss://api.openai.com/v1/realtime', {}, empty).profile).toBeNull();
  });

  it('an explicit URL beats the profile URL; on the profile host the profile key still applies', () => {
    const c = ok('wss://myres.openai.azure.com:443/openai/v1/realtime?model=other', { OPENAI_REALTIME_PROFILE: 'azure' });
    expect(c.url).toBe('wss://myres.openai.azure.com/openai/v1/realtime?model=other');
    expect(c.headers).toEqual({ 'api-key': KEYS.env });
    expect(c.keyOrigin).toBe('profile');
  });

  it("never sends a profile's key, headers or client certificate to another host, but keeps the rest", () => {
    const c = ok('ws://127.0.0.1:8089/v1/realtime', { OPENAI_REALTIME_PROFILE: 'openai' });
    expect(c.headers).toEqual({});
    expect(c.keyOrigin).toBe('none');
    expect(c.sessionUpdate).toBeDefined();
    expect(c.tools).toEqual(['end_call', 'transfer_call', 'send_dtmf']);
    expect(c.warnings).toEqual(['profile "openai": its key, headers and client certificate are not sent to ws://127.0.0.1:8089 (not the profile\'s host)']);
    const l = ok('wss://elsewhere.example/v1', { OPENAI_REALTIME_PROFILE: 'lab' }, lab);
    expect(l.tls.certFile).toBeUndefined();
    expect(l.tls.rejectUnauthorized).toBe(false); // TLS policy still applies
  });

  it('refuses unknown profiles and bad URLs', () => {
    expect(error('profile:nope')).toBe('profile:<name>: no profile named "nope" (defined: openai, azure, azure-query, sim)');
    expect(error('wss://h/v1', { OPENAI_REALTIME_PROFILE: 'nope' })).toBe('OPENAI_REALTIME_PROFILE: no profile named "nope" (defined: openai, azure, azure-query, sim)');
    expect(error('profile:')).toContain('is not a valid profile name');
    expect(error('https://api.openai.com/v1/realtime')).toBe("invalid websocket uri: 'https://api.openai.com/v1/realtime' must start with ws:// or wss://");
    expect(error('not a url')).toBe('invalid websocket uri: not a valid URL');
  });
});

describe('resolveConnection: the key and the auth styles', () => {
  it('Azure: api-key header and api-key query', () => {
    const header = ok('profile:azure');
    expect(header.headers).toEqual({ 'api-key': KEYS.env });
    expect(header.url).toBe('wss://myres.openai.azure.com/openai/v1/realtime?model=my-deployment');
    const query = ok('profile:azure-query');
    expect(query.headers).toEqual({});
    expect(new URL(query.url).searchParams.get('api-key')).toBe(KEYS.inline);
    expect(new URL(query.url).searchParams.get('model')).toBe('my-deployment');
  });

  it('STREAM_OPENAI_API_KEY overrides the profile key, sent in the profile auth style', () => {
    const vars = { STREAM_OPENAI_API_KEY: KEYS.channel };
    expect(ok('profile:openai', vars).headers.Authorization).toBe(`Bearer ${KEYS.channel}`);
    expect(ok('profile:azure', vars).headers).toEqual({ 'api-key': KEYS.channel });
    expect(new URL(ok('profile:azure-query', vars).url).searchParams.get('api-key')).toBe(KEYS.channel);
    const c = ok('profile:openai', vars);
    expect(c.keyOrigin).toBe('channel-variable');
    expect(c.secrets).toEqual([KEYS.channel]);
  });

  it('an API argument key beats STREAM_OPENAI_API_KEY; an API auth style beats the profile one', () => {
    const c = ok('profile:openai', { STREAM_OPENAI_API_KEY: KEYS.channel }, config, { apiKey: KEYS.argument, auth: 'api-key-header' });
    expect(c.headers).toEqual({ 'OpenAI-Organization': 'org-example & co', 'api-key': KEYS.argument });
    expect(c.keyOrigin).toBe('api-argument');
    expect(c.secrets).toEqual([KEYS.argument]);
  });

  it('without a profile: the legacy Bearer header from STREAM_OPENAI_API_KEY, or the seed warning', () => {
    const c = ok('wss://api.openai.com/v1/realtime?model=gpt-realtime', { STREAM_OPENAI_API_KEY: KEYS.channel }, empty);
    expect(c.headers).toEqual({ Authorization: `Bearer ${KEYS.channel}` });
    expect(c.auth).toBe('bearer');
    expect(ok('wss://api.openai.com/v1/realtime', {}, empty).warnings).toEqual(['OPENAI_API_KEY is not set. Assuming you set STREAM_EXTRA_HEADERS variable.']);
  });

  it('a credential header in STREAM_EXTRA_HEADERS replaces the profile key (channel variable > profile)', () => {
    const c = ok('profile:azure', { STREAM_EXTRA_HEADERS: JSON.stringify({ 'API-KEY': KEYS.channel }) });
    expect(c.headers).toEqual({ 'API-KEY': KEYS.channel });
    expect(c.keyOrigin).toBe('extra-headers');
    expect(c.secrets).toEqual([KEYS.channel]);
    const bearer = ok('profile:openai', { STREAM_EXTRA_HEADERS: JSON.stringify({ authorization: `Bearer ${KEYS.channel}` }) });
    expect(bearer.headers).toEqual({ 'OpenAI-Organization': 'org-example & co', authorization: `Bearer ${KEYS.channel}` });
    expect(bearer.secrets).toEqual([`Bearer ${KEYS.channel}`, KEYS.channel]);
  });

  it('auth "none" sends no key, with a warning naming where it came from', () => {
    const c = ok('profile:sim', { STREAM_OPENAI_API_KEY: KEYS.channel });
    expect(c.headers).toEqual({});
    expect(c.url).toBe('ws://127.0.0.1:8089/v1/realtime');
    expect(c.warnings).toEqual(['auth is "none": the key from STREAM_OPENAI_API_KEY is not sent']);
  });

  it('a key already in an explicit URL is the API argument: kept, reported as a secret, redacted in status', () => {
    const url = `wss://myres.openai.azure.com/openai/v1/realtime?model=d&api-key=${KEYS.argument}`;
    const c = ok(url, { OPENAI_REALTIME_PROFILE: 'azure-query', STREAM_OPENAI_API_KEY: KEYS.channel });
    expect(new URL(c.url).searchParams.get('api-key')).toBe(KEYS.argument);
    expect(c.secrets).toContain(KEYS.argument);
    expect(describeForStatus(c).url).toBe('wss://myres.openai.azure.com/openai/v1/realtime?model=d&api-key=[REDACTED]');
  });

  it('refuses keys and header JSON that cannot be sent, without quoting them', () => {
    const e1 = error('profile:openai', { STREAM_OPENAI_API_KEY: `${KEYS.channel} x` });
    expect(e1).toBe('invalid STREAM_OPENAI_API_KEY: it contains whitespace, control or non-ASCII characters');
    const e2 = error('profile:openai', { STREAM_EXTRA_HEADERS: `{"Authorization": Bearer ${KEYS.channel}}` });
    expect(e2).toBe('invalid STREAM_EXTRA_HEADERS: not valid JSON');
    const e3 = error('profile:openai', { STREAM_EXTRA_HEADERS: JSON.stringify({ 'X-A': `${KEYS.channel}\r\nEvil: 1` }) });
    expect(e3).toBe("invalid STREAM_EXTRA_HEADERS: value of header 'X-A' contains CR or LF");
    for (const e of [e1, e2, e3]) expect(e).not.toContain(KEYS.channel);
  });
});

describe('resolveConnection: override order for every other field', () => {
  it('headers merge per name, ignoring case: API argument > STREAM_EXTRA_HEADERS > profile', () => {
    const c = ok('profile:openai', { STREAM_EXTRA_HEADERS: JSON.stringify({ 'openai-organization': 'org-channel', 'X-Trace': 'channel', 'X-Both': 'channel' }) }, config, {
      headers: { 'x-both': 'argument' },
    });
    expect(c.headers).toEqual({ 'openai-organization': 'org-channel', 'X-Trace': 'channel', 'x-both': 'argument', Authorization: `Bearer ${KEYS.file}` });
  });

  it('TLS CA: API argument > STREAM_TLS_CA_FILE > profile > SYSTEM', () => {
    expect(ok('profile:azure').tls).toEqual({ caFile: t.path('ca.pem'), rejectUnauthorized: true });
    expect(ok('profile:azure', { STREAM_TLS_CA_FILE: 'NONE' }).tls).toEqual({ rejectUnauthorized: false });
    expect(ok('profile:azure', { STREAM_TLS_CA_FILE: '/etc/ssl/other.pem' }).tls).toEqual({ caFile: '/etc/ssl/other.pem', rejectUnauthorized: true });
    expect(ok('profile:azure', { STREAM_TLS_CA_FILE: 'NONE' }, config, { tls: { ca: 'SYSTEM' } }).tls).toEqual({ rejectUnauthorized: true });
    expect(ok('profile:openai').tls).toEqual({ rejectUnauthorized: true });
  });

  it('TLS client certificate: a pair from the highest layer that sets it; half a pair is an error', () => {
    expect(ok('profile:lab', {}, lab).tls).toMatchObject({ certFile: t.path('client.crt'), keyFile: t.path('client.pem') });
    expect(ok('profile:lab', { STREAM_TLS_CERT_FILE: '/c/chan.crt', STREAM_TLS_KEY_FILE: '/c/chan.key' }, lab).tls).toMatchObject({ certFile: '/c/chan.crt', keyFile: '/c/chan.key' });
    expect(ok('profile:lab', { STREAM_TLS_CERT_FILE: '/c/chan.crt', STREAM_TLS_KEY_FILE: '/c/chan.key' }, lab, { tls: { certFile: '/a.crt', keyFile: '/a.key' } }).tls).toMatchObject({
      certFile: '/a.crt',
      keyFile: '/a.key',
    });
    expect(error('profile:lab', { STREAM_TLS_CERT_FILE: '/c/chan.crt' }, lab)).toBe(
      'invalid TLS client certificate: STREAM_TLS_CERT_FILE and STREAM_TLS_KEY_FILE must be set together',
    );
  });

  it('TLS hostname validation: API argument > STREAM_TLS_DISABLE_HOSTNAME_VALIDATION (switch_true) > profile > on', () => {
    expect(ok('profile:openai').tls.checkServerIdentity).toBeUndefined();
    expect(ok('profile:openai', { STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'true' }).tls.checkServerIdentity?.()).toBeUndefined();
    expect(ok('profile:openai', { STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'true' }).tls.checkServerIdentity).toBeTypeOf('function');
    expect(ok('profile:lab', {}, lab).tls.checkServerIdentity).toBeTypeOf('function');
    expect(ok('profile:lab', { STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'false' }, lab).tls.checkServerIdentity).toBeUndefined();
    expect(ok('profile:lab', { STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: '' }, lab).tls.checkServerIdentity).toBeTypeOf('function'); // empty = unset
    expect(ok('profile:lab', { STREAM_TLS_DISABLE_HOSTNAME_VALIDATION: 'false' }, lab, { tls: { disableHostnameValidation: true } }).tls.checkServerIdentity).toBeTypeOf('function');
  });

  it('reconnect: API argument > STREAM_NO_RECONNECT (switch_true) > profile > true', () => {
    expect(ok('profile:openai').reconnect).toBe(true);
    expect(ok('profile:openai', { STREAM_NO_RECONNECT: 'yes' }).reconnect).toBe(false);
    expect(ok('profile:openai', { STREAM_NO_RECONNECT: '0.5' }).reconnect).toBe(true); // atoi("0.5") = 0
    expect(ok('profile:openai', { STREAM_NO_RECONNECT: ' true' }).reconnect).toBe(true); // switch_true does not trim
    expect(ok('profile:lab', {}, lab).reconnect).toBe(false);
    expect(ok('profile:lab', { STREAM_NO_RECONNECT: '0' }, lab).reconnect).toBe(true);
    expect(ok('profile:lab', { STREAM_NO_RECONNECT: '0' }, lab, { reconnect: false }).reconnect).toBe(false);
  });

  it('max connect attempts: API argument > profile > 10', () => {
    expect(ok('wss://h/v1', {}, empty).maxConnectAttempts).toBe(10);
    expect(ok('profile:lab', {}, lab).maxConnectAttempts).toBe(3);
    expect(ok('profile:lab', {}, lab, { maxConnectAttempts: 7 }).maxConnectAttempts).toBe(7);
    expect(error('profile:lab', {}, lab, { maxConnectAttempts: 0 })).toContain('max connect attempts');
  });

  it('heartbeat: API argument > STREAM_HEART_BEAT (whole number; <= 0 off; capped) > profile > 0', () => {
    expect(ok('profile:lab', {}, lab).heartbeatS).toBe(20);
    expect(ok('profile:lab', { STREAM_HEART_BEAT: '30' }, lab).heartbeatS).toBe(30);
    expect(ok('profile:lab', { STREAM_HEART_BEAT: '-5' }, lab).heartbeatS).toBe(0);
    const bad = ok('profile:lab', { STREAM_HEART_BEAT: '10s' }, lab);
    expect(bad.heartbeatS).toBe(20);
    expect(bad.warnings).toEqual(["STREAM_HEART_BEAT '10s' is not a whole number of seconds; ignored"]);
    const big = ok('profile:lab', { STREAM_HEART_BEAT: '9999999' }, lab);
    expect(big.heartbeatS).toBe(3600);
    expect(big.warnings).toEqual(['STREAM_HEART_BEAT 9999999 is above 3600; using 3600']);
    expect(ok('profile:lab', { STREAM_HEART_BEAT: '30' }, lab, { heartbeatS: 5 }).heartbeatS).toBe(5);
  });

  it('deflate: API argument > STREAM_MESSAGE_DEFLATE (true DISABLES it) > profile > false', () => {
    expect(ok('profile:openai').deflate).toBe(false);
    expect(ok('profile:openai', { STREAM_MESSAGE_DEFLATE: 'true' }).deflate).toBe(false);
    expect(ok('profile:openai', { STREAM_MESSAGE_DEFLATE: 'false' }).deflate).toBe(true);
    expect(ok('profile:lab', {}, lab).deflate).toBe(false);
    expect(ok('profile:lab', { STREAM_MESSAGE_DEFLATE: '0' }, lab).deflate).toBe(true);
    expect(ok('profile:lab', { STREAM_MESSAGE_DEFLATE: '0' }, lab, { deflate: false }).deflate).toBe(false);
  });

  it('session update: API argument > profile > none', () => {
    const session = { type: 'realtime', instructions: 'argument' };
    expect(ok('profile:openai', {}, config, { sessionUpdate: session }).sessionUpdate).toEqual(session);
  });
});

describe('describeForStatus', () => {
  it('shows host, path, auth style and header names, never a key or the api-key query value', () => {
    const q = ok('profile:azure-query', { STREAM_OPENAI_API_KEY: KEYS.channel });
    const d = describeForStatus(q);
    expect(d).toMatchObject({
      profile: 'azure-query',
      url: 'wss://myres.openai.azure.com/openai/v1/realtime?model=my-deployment&api-key=[REDACTED]',
      host: 'myres.openai.azure.com',
      path: '/openai/v1/realtime',
      auth: 'api-key-query',
      keyOrigin: 'channel-variable',
      headers: [],
    });
    const b = describeForStatus(ok('profile:openai'));
    expect(b.headers).toEqual(['OpenAI-Organization', 'Authorization']);
    expect(b.tls).toEqual({ ca: 'system', clientCertificate: false, hostnameValidation: true });
    const all = JSON.stringify([d, b, describeForStatus(ok('profile:azure')), describeForStatus(ok('profile:lab', {}, lab))]);
    for (const k of Object.values(KEYS)) expect(all).not.toContain(k);
  });
});

describe('redaction of everything loaded or resolved', () => {
  it('redactSecrets removes every profile key and, once registered, every channel key', () => {
    const c = ok('profile:openai', { STREAM_OPENAI_API_KEY: KEYS.channel });
    for (const s of c.secrets) registerSecret(s);
    const text = `${KEYS.file} ${KEYS.env} ${KEYS.inline} ${KEYS.channel} ${c.headers.Authorization}`;
    expect(redactSecrets(text)).toBe('[REDACTED] [REDACTED] [REDACTED] [REDACTED] Bearer [REDACTED]');
  });
});

describe('loadTlsFiles', () => {
  it('reads the files named by the resolved TLS settings', async () => {
    const tls = await loadTlsFiles(ok('profile:lab', {}, lab).tls);
    if ('error' in tls) throw new Error(tls.error);
    expect(tls.cert?.toString()).toBe('CERT');
    expect(tls.key?.toString()).toBe('PRIVATE');
    expect(tls.rejectUnauthorized).toBe(false);
    expect(tls.checkServerIdentity).toBeTypeOf('function');
    expect(await loadTlsFiles({ caFile: '/nonexistent/ca.pem', rejectUnauthorized: true })).toEqual({ error: "cannot read the TLS CA file '/nonexistent/ca.pem' (ENOENT)" });
  });
});
