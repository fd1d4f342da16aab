// What this proves: loadModuleConfig reads the documented example into typed settings and
// profiles; keys come from inline values, files (trailing newline removed, mode checked) and
// environment variables (read, never written); every key is registered for redaction and held so
// that printing a profile cannot show it; every validation error names the file, line, profile
// and param, and never contains a key.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/configError.js';
import { loadModuleConfig, type ModuleConfig } from '../../src/config/moduleConfig.js';
import { DEFAULT_SETTINGS } from '../../src/config/moduleSettings.js';
import { redactSecrets } from '../../src/runtime/secrets.js';
import { configText, ENV, fullExample, KEYS, lineOf, tempDir, type TempDir } from '../helpers/configFixtures.js';

let t: TempDir;
beforeAll(() => {
  t = tempDir();
});
afterAll(() => t.remove());

function load(text: string, env: Record<string, string> = { ...ENV }): ModuleConfig {
  return loadModuleConfig(t.write(`c${Math.random().toString(36).slice(2)}.xml`, text), { env });
}

function loadError(text: string, env: Record<string, string> = { ...ENV }): ConfigError {
  try {
    load(text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadModuleConfig: the full example', () => {
  it('parses settings and every profile', () => {
    const c = load(fullExample(t));
    expect(c.settings).toEqual({
      ...DEFAULT_SETTINGS,
      heapLimitMb: 512,
      logLevel: 'info',
      defaultProfile: 'openai',
    });
    expect([...c.profiles.keys()]).toEqual(['openai', 'azure', 'azure-query', 'sim']);
    const openai = c.profiles.get('openai')!;
    expect(openai).toMatchObject({
      name: 'openai',
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      auth: 'bearer',
      keySource: { kind: 'file', path: t.path('openai.key') },
      headers: { 'OpenAI-Organization': 'org-example & co' },
      tls: { ca: 'SYSTEM', certFile: null, keyFile: null, disableHostnameValidation: false },
      reconnect: true,
      maxConnectAttempts: 10,
      heartbeatS: 0,
      deflate: false,
      allowedTransferDestinations: ['1000', 'sip:support@example.com'],
      tools: ['end_call', 'transfer_call', 'send_dtmf'],
    });
    expect(openai.key!.reveal()).toBe(KEYS.file); // the trailing newline is gone
    expect(openai.session).toEqual({
      type: 'realtime',
      instructions: 'You are a helpful phone assistant.',
      audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin' } },
    });
    expect(c.profiles.get('azure')).toMatchObject({
      auth: 'api-key-header',
      keySource: { kind: 'env', name: 'AZURE_OPENAI_API_KEY' },
      tls: { ca: t.path('ca.pem') },
      reconnect: false,
      heartbeatS: 15,
      deflate: true,
    });
    expect(c.profiles.get('azure')!.key!.reveal()).toBe(KEYS.env);
    expect(c.profiles.get('azure-query')!.key!.reveal()).toBe(KEYS.inline);
    expect(c.profiles.get('sim')).toMatchObject({ auth: 'none', key: null, keySource: null });
    expect(c.warnings).toEqual([]);
  });

  it('freezes profiles, and printing one never shows its key', () => {
    const c = load(fullExample(t));
    const p = c.profiles.get('openai')!;
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.session)).toBe(true);
    expect(Object.isFrozen(p.tools)).toBe(true);
    for (const text of [JSON.stringify(p), inspect(p, { depth: 10 }), String(p.key), `${String(p.key)}`]) {
      expect(text).not.toContain(KEYS.file);
    }
  });

  it('registers every loaded key: redactSecrets removes each of them from a text', () => {
    load(fullExample(t));
    const text = `a ${KEYS.file} b Bearer ${KEYS.env} c ?api-key=${KEYS.inline} d`;
    const out = redactSecrets(text);
    for (const key of [KEYS.file, KEYS.env, KEYS.inline]) expect(out).not.toContain(key);
    expect(out).toBe('a [REDACTED] b Bearer [REDACTED] c ?api-key=[REDACTED] d');
  });

  it('accepts an <include> wrapper, numeric log levels and C-module settings', () => {
    const c = load(
      `<include>\n<configuration name="openai_realtime.conf">\n<settings>\n<param name="LOG-LEVEL" value="3"/>\n<param name="capture-ring-ms" value="200"/>\n</settings>\n</configuration>\n</include>\n`,
    );
    expect(c.settings.logLevel).toBe('err');
    expect(c.settings.captureRingMs).toBe(200);
    expect(c.profiles.size).toBe(0);
  });
});

describe('loadModuleConfig: key sources', () => {
  const profile = (params: string) => configText(`    <profile name="p">\n      <param name="url" value="wss://h.example/v1/realtime"/>\n${params}    </profile>\n`);

  it('reads a key file with CRLF endings and no warning at 0600; warns (naming the file, not the key) when wider', () => {
    const f600 = t.write('k600.key', `${KEYS.file}\r\n`, 0o600);
    const ok = load(profile(`      <param name="api-key-file" value="${f600}"/>\n`));
    expect(ok.profiles.get('p')!.key!.reveal()).toBe(KEYS.file);
    expect(ok.warnings).toEqual([]);

    for (const mode of [0o644, 0o640, 0o700]) {
      const f = t.write(`k${mode.toString(8)}.key`, KEYS.file, mode);
      const text = profile(`      <param name="api-key-file" value="${f}"/>\n`);
      const c = load(text);
      expect(c.warnings).toHaveLength(1);
      expect(c.warnings[0]).toContain(f);
      expect(c.warnings[0]).toContain(`mode 0${mode.toString(8)}`);
      expect(c.warnings[0]).toContain(`:${lineOf(text, 'api-key-file')}:`);
      expect(c.warnings[0]).not.toContain(KEYS.file);
    }
  });

  it('warns when the file itself holds an inline key and is readable by others', () => {
    const path = t.write('inline.xml', profile(`      <param name="api-key" value="${KEYS.inline}"/>\n`), 0o644);
    const c = loadModuleConfig(path, { env: {} });
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toContain(`${path}: holds a key (api-key) and has mode 0644`);
    expect(c.warnings[0]).not.toContain(KEYS.inline);
  });

  it('resolves api-key-env from the given environment, and only reads process.env', () => {
    const c = load(profile(`      <param name="api-key-env" value="MY_KEY"/>\n`), { MY_KEY: `${KEYS.env}\n` });
    expect(c.profiles.get('p')!.key!.reveal()).toBe(KEYS.env);

    const before = { ...process.env };
    const err = (() => {
      try {
        loadModuleConfig(t.write('envdefault.xml', profile(`      <param name="api-key-env" value="OAIR_SURELY_UNSET_VARIABLE"/>\n`)));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toContain('environment variable OAIR_SURELY_UNSET_VARIABLE is not set');
    expect(process.env).toEqual(before);
  });
});

describe('loadModuleConfig: every validation error names its place and never contains a key', () => {
  const url = '      <param name="url" value="wss://h.example/v1/realtime"/>\n';
  const key = `      <param name="api-key" value="${KEYS.inline}"/>\n`;
  const p = (body: string, name = 'p') => `    <profile name="${name}">\n${body}    </profile>\n`;
  const missingKey = '/nonexistent/dir/openai.key';

  // [title, config text, marker on the offending line, expected text in the message]
  const cases: [string, string, string, string][] = [
    ['unknown setting', configText('', '    <param name="wrokers" value="4"/>\n'), 'wrokers', 'settings, param "wrokers": unknown setting'],
    ['integer out of range', configText('', '    <param name="workers" value="1000"/>\n'), 'workers', 'settings, param "workers": "1000" is out of range 0..256'],
    ['not an integer', configText('', '    <param name="max-sessions" value="lots"/>\n'), 'max-sessions', 'expected an integer 1..100000, got "lots"'],
    ['"error" log level', configText('', '    <param name="log-level" value="error"/>\n'), 'log-level', 'use "err"'],
    ['setting twice', configText('', '    <param name="workers" value="1"/>\n    <param name="workers" value="2"/>\n'), 'value="2"', 'set twice (first on line 3)'],
    ['unknown default profile', configText(p(url + key), '    <param name="default-profile" value="nope"/>\n'), 'default-profile', 'no profile named "nope" (defined: p)'],
    ['profile without url', configText(p(key)), 'profile name', 'profile "p": has no url param'],
    ['https url', configText(p('      <param name="url" value="https://h.example/v1"/>\n' + key)), 'https', 'profile "p", param "url": \'https://h.example/v1\' must start with ws:// or wss://'],
    ['api-key in the url', configText(p(`      <param name="url" value="wss://h.example/v1?api-key=${KEYS.inline}"/>\n` + key)), 'url', 'must not contain an api-key query parameter'],
    ['user:password in the url', configText(p(`      <param name="url" value="wss://u:${KEYS.inline}@h.example/v1"/>\n` + key)), 'url', 'must not contain user:password@'],
    ['unknown auth', configText(p(url + '      <param name="auth" value="basic"/>\n' + key)), 'auth', 'param "auth": expected one of bearer | api-key-header | api-key-query | none, got "basic"'],
    ['two key sources', configText(p(url + key + '      <param name="api-key-env" value="X"/>\n')), 'api-key-env', 'more than one key source (api-key, api-key-env)'],
    ['no key for bearer', configText(p(url)), 'profile name', 'auth "bearer" needs a key'],
    ['a key with auth none', configText(p(url + '      <param name="auth" value="none"/>\n' + key)), KEYS.inline, 'param "api-key": auth is "none"'],
    ['a key with whitespace', configText(p(url + `      <param name="api-key" value="${KEYS.inline} x"/>\n`)), KEYS.inline, 'param "api-key": the key contains whitespace'],
    ['a missing key file', configText(p(url + `      <param name="api-key-file" value="${missingKey}"/>\n`)), 'api-key-file', `key file cannot open '${missingKey}' (ENOENT)`],
    ['a relative key file', configText(p(url + '      <param name="api-key-file" value="openai.key"/>\n')), 'api-key-file', "'openai.key' must be an absolute path"],
    ['an unset env var', configText(p(url + '      <param name="api-key-env" value="NOT_SET_HERE"/>\n')), 'api-key-env', 'environment variable NOT_SET_HERE is not set'],
    ['CR/LF in a header', configText(p(url + key + `      <header name="X-Token" value="${KEYS.inline}&#13;&#10;Evil: 1"/>\n`)), 'X-Token', 'header "X-Token": value of header \'X-Token\' contains CR or LF'],
    ['a bad header name', configText(p(url + key + '      <header name="Bad Header" value="1"/>\n')), 'Bad Header', 'is not a valid HTTP token'],
    ['an Authorization header', configText(p(url + key + `      <header name="Authorization" value="Bearer ${KEYS.inline}"/>\n`)), 'Authorization', 'header "Authorization": set the key with api-key'],
    ['a handshake header', configText(p(url + key + '      <header name="Sec-WebSocket-Key" value="x"/>\n')), 'Sec-WebSocket-Key', 'belongs to the WebSocket handshake'],
    ['a header twice', configText(p(url + key + '      <header name="X-A" value="1"/>\n      <header name="x-a" value="2"/>\n')), 'x-a', 'header set twice'],
    ['session not JSON', configText(p(url + key + '      <session>{"type": realtime}</session>\n')), '<session>', 'profile "p", <session>: is not valid JSON'],
    ['session without type realtime', configText(p(url + key + '      <session><![CDATA[{"type":"transcription"}]]></session>\n')), '<session>', 'must have "type": "realtime"'],
    ['session an array', configText(p(url + key + '      <session>[1]</session>\n')), '<session>', 'must be a JSON object'],
    ['two sessions', configText(p(url + key + '      <session>{}</session>\n      <session>{"second":1}</session>\n')), 'second', '<session> given twice (first on line'],
    ['a certificate without its key', configText(p(url + key + '      <param name="tls-cert-file" value="/etc/hosts"/>\n')), 'tls-cert-file', 'tls-cert-file and tls-key-file must be set together'],
    ['a missing CA file', configText(p(url + key + '      <param name="tls-ca-file" value="/nonexistent/ca.pem"/>\n')), 'tls-ca-file', "cannot read '/nonexistent/ca.pem' (ENOENT)"],
    ['a misspelt boolean', configText(p(url + key + '      <param name="reconnect" value="ture"/>\n')), 'reconnect', 'param "reconnect": expected true or false'],
    ['heartbeat out of range', configText(p(url + key + '      <param name="heartbeat-s" value="86400"/>\n')), 'heartbeat-s', 'out of range 0..3600'],
    ['idle time out of range', configText(p(url + key + '      <param name="idle-prompt-s" value="100000"/>\n')), 'idle-prompt-s', 'out of range 0..86400'],
    ['a call length not a number', configText(p(url + key + '      <param name="max-call-duration-s" value="10m"/>\n')), 'max-call-duration-s', 'param "max-call-duration-s"'],
    ['a Live jitter buffer out of range', configText(p(url + key + '      <param name="live-playout-delay-ms" value="250"/>\n')), 'live-playout-delay-ms', 'profile "p", param "live-playout-delay-ms": "250" is out of range 0..200'],
    ['a Live jitter buffer setting not a number', configText('', '    <param name="live-playout-delay-ms" value="40ms"/>\n'), 'live-playout-delay-ms', 'settings, param "live-playout-delay-ms": expected an integer 0..200, got "40ms"'],
    ['an unknown tool', configText(p(url + key + '      <param name="tools" value="end_call,launch_rocket"/>\n')), 'tools', 'unknown tool "launch_rocket"'],
    ['an unknown profile param', configText(p(url + key + '      <param name="api_key" value="x"/>\n')), 'api_key', 'profile "p", param "api_key": unknown profile param'],
    ['a param twice', configText(p(url + key + '      <param name="deflate" value="true"/>\n      <param name="DEFLATE" value="false"/>\n')), 'DEFLATE', 'set twice'],
    ['a param without value', configText(p(url + key + '      <param name="deflate"/>\n')), 'name="deflate"', 'no value attribute'],
    ['an unexpected element', configText(p(url + key + '      <variable name="x" value="y"/>\n')), '<variable', 'unexpected <variable>'],
    ['profiles with the same name', configText(p(url + key, 'Same') + p(url + key, 'same')), 'name="same"', 'profile "same" is defined twice'],
    ['an invalid profile name', configText(p(url + key, 'has space')), 'has space', 'is not a valid profile name'],
    ['another configuration', '<configuration name="sofia.conf">\n</configuration>\n', 'sofia', 'is not this module\'s'],
    ['X-PRE-PROCESS', configText('    <X-PRE-PROCESS cmd="include" data="x.xml"/>\n'), 'X-PRE-PROCESS', '<X-PRE-PROCESS> is not supported'],
    ['a $${variable}', configText(p('      <param name="url" value="wss://$${openai_host}/v1"/>\n' + key)), 'openai_host', 'pre-processor variable'],
    ['broken XML', configText(p(url + key + '      <param name="deflate" value="true">\n')), '</profile>', 'invalid XML'],
  ];

  it.each(cases)('%s', (_title, text, marker, expected) => {
    const err = loadError(text);
    expect(err.message).toContain(expected);
    expect(err.code).toBe('OAI_ERR_CONFIG');
    expect(err.line).toBe(lineOf(text, marker));
    expect(err.message).toMatch(new RegExp(`^${err.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${err.line}: `));
    for (const k of Object.values(KEYS)) expect(err.message).not.toContain(k);
  });

  it('names a missing or unreadable file as a whole, and marks the missing one', () => {
    const missing = t.path('none.xml');
    expect(() => loadModuleConfig(missing)).toThrow(ConfigError);
    try {
      loadModuleConfig(missing);
    } catch (err) {
      expect(err).toMatchObject({ missing: true, line: null, file: missing });
    }
    try {
      loadModuleConfig(t.dir);
    } catch (err) {
      expect(err).toMatchObject({ missing: false, line: null });
      expect((err as Error).message).toContain('is not a regular file');
    }
  });
});

describe('loadModuleConfig: session JSON errors', () => {
  it('points at the line of the JSON error inside a multi-line <session>', () => {
    const text = configText(
      '    <profile name="p">\n      <param name="url" value="ws://h/v1"/>\n      <param name="auth" value="none"/>\n      <session><![CDATA[\n        {"type": "realtime",\n         oops: 1}\n      ]]></session>\n    </profile>\n',
    );
    const err = loadError(text);
    expect(err.message).toContain('profile "p", <session>: is not valid JSON');
    // V8 reports a position for this error on Node 18 and 20; the file line follows from it.
    expect(err.message).toMatch(/position \d+/);
    expect(err.line).toBe(lineOf(text, 'oops'));
  });
});

describe('loadModuleConfig: the files the C side ships and tests with', () => {
  it('loads native/freeswitch/openai_realtime.conf.xml (the installed sample) with the same values the C module reads', () => {
    const sample = readFileSync(new URL('../../native/freeswitch/openai_realtime.conf.xml', import.meta.url), 'utf8').replace('@OAIR_BUNDLE_DIR@', '/usr/share/mod_openai_realtime');
    const c = load(sample);
    expect(c.settings).toEqual({ ...DEFAULT_SETTINGS, heapLimitMb: 512, logLevel: 'info' });
    expect(c.profiles.size).toBe(0);
  });
});
