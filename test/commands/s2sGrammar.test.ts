// What this proves: uuid_openai_s2s parses the seed grammar, both with blanks and with jambonz's
// `^^|` delimiter form, keeps a client event's JSON exactly as given (blanks, the delimiter,
// quotes and backslashes inside it survive), builds wss:// URLs from <host> <path>, allows plain
// ws:// only with an explicit port, and answers every mistake with a reason (usage first where the
// command itself is malformed) while still handing back a key typed before the mistake.
import { describe, expect, it } from 'vitest';
import { buildUrl, parseS2sCommand, s2sUsageText } from '../../src/commands/s2sGrammar.js';

const KEY = 'sk-grammar-key-123456';

describe('uuid_openai_s2s grammar', () => {
  it('no arguments, a uuid alone, an unknown command: usage, then the reason', () => {
    for (const args of ['', '   ', 'u', '^^|u']) {
      const r = parseS2sCommand(args);
      expect(r.kind).toBe('error');
      if (r.kind === 'error') expect(r.reply).toBe(`${s2sUsageText()}\n-ERR missing arguments`);
    }
    const r = parseS2sCommand('u session.dance');
    expect(r.kind === 'error' && r.reply.endsWith("\n-ERR unknown command 'session.dance', expected session.create, client.event or session.delete")).toBe(true);
    expect(s2sUsageText()).toContain('uuid_openai_s2s <uuid> session.create <host> <path> <bearer | query> [api-key]');
  });

  it('session.create, as the seed and jambonz call it', () => {
    expect(parseS2sCommand(`u1 session.create api.openai.com v1/realtime?model=gpt-realtime bearer ${KEY}`)).toEqual({
      kind: 'create',
      uuid: 'u1',
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      auth: 'bearer',
      apiKey: KEY,
    });
    expect(parseS2sCommand(`^^|u1|session.create|res.openai.azure.com|/openai/v1/realtime?model=dep|query|${KEY}`)).toEqual({
      kind: 'create',
      uuid: 'u1',
      url: 'wss://res.openai.azure.com/openai/v1/realtime?model=dep',
      auth: 'query',
      apiKey: KEY,
    });
    // Case-insensitive names and auth types; the key is optional (a trailing empty field too).
    expect(parseS2sCommand('u SESSION.CREATE api.openai.com v1/realtime?model=m Bearer')).toMatchObject({ kind: 'create', auth: 'bearer', apiKey: null });
    expect(parseS2sCommand('^^|u|session.create|api.openai.com|v1/realtime?model=m|bearer|')).toMatchObject({ kind: 'create', apiKey: null });
    expect(parseS2sCommand('u session.create profile:azure')).toEqual({ kind: 'create', uuid: 'u', profile: 'azure' });
  });

  it('session.create mistakes name the reason and return the key for redaction', () => {
    const short = parseS2sCommand('u session.create api.openai.com v1/realtime');
    expect(short.kind === 'error' && short.reply.endsWith('-ERR session.create requires <host> <path> <bearer | query> [api-key], or profile:<name>')).toBe(true);
    expect(parseS2sCommand(`u session.create api.openai.com v1/realtime token ${KEY}`)).toEqual({ kind: 'error', reply: "-ERR invalid auth-type 'token', expected bearer or query", apiKey: KEY });
    expect(parseS2sCommand(`u session.create api.openai.com v1/realtime bearer ${KEY} extra`)).toEqual({
      kind: 'error',
      reply: '-ERR session.create takes at most <host> <path> <bearer | query> [api-key]',
      apiKey: KEY,
    });
    expect(parseS2sCommand(`u session.create bad_host v1 bearer ${KEY}`)).toMatchObject({ kind: 'error', reply: "-ERR invalid host 'bad_host': expected a host name, optionally with :port" });
    expect(parseS2sCommand('u session.create profile:a b')).toEqual({ kind: 'error', reply: '-ERR session.create profile:<name> takes nothing else' });
    expect(parseS2sCommand('u session.create profile:a/b')).toEqual({ kind: 'error', reply: '-ERR invalid profile name "a/b" (letters, digits, _ . -; at most 64)' });
  });

  it('hosts: bare names are wss://; wss:// may be written; ws:// only with a port', () => {
    expect(buildUrl('api.openai.com', 'v1/realtime')).toEqual({ url: 'wss://api.openai.com/v1/realtime' });
    expect(buildUrl('api.openai.com:8443', '/v1/realtime')).toEqual({ url: 'wss://api.openai.com:8443/v1/realtime' });
    expect(buildUrl('wss://gw.example', 'v1/realtime')).toEqual({ url: 'wss://gw.example/v1/realtime' });
    expect(buildUrl('ws://127.0.0.1:8089', 'v1/realtime?model=x')).toEqual({ url: 'ws://127.0.0.1:8089/v1/realtime?model=x' });
    expect(buildUrl('ws://127.0.0.1:8089/', 'v1/realtime')).toEqual({ url: 'ws://127.0.0.1:8089/v1/realtime' });
    expect(buildUrl('ws://api.openai.com', 'v1/realtime')).toEqual({
      error: "invalid host 'ws://api.openai.com': ws:// needs an explicit port (plain WebSocket is for local test servers; use wss:// otherwise)",
    });
    expect(buildUrl('https://api.openai.com', 'v1')).toEqual({ error: "invalid host 'https://api.openai.com': the scheme must be wss:// or ws://" });
    expect(buildUrl('h:99999', 'v1')).toEqual({ error: "invalid host 'h:99999': bad port" });
    expect(buildUrl('user@h', 'v1')).toHaveProperty('error');
    expect(buildUrl('h', 'v1#frag')).toEqual({ error: 'invalid path: no blanks or # allowed' });
  });

  it('client.event keeps the JSON exactly as given, with blanks, delimiters, quotes and backslashes', () => {
    const json = '{"type": "session.update", "session": {"instructions": "Say \\"hi\\" | be brief\\\\"}}';
    expect(parseS2sCommand(`u client.event ${json}`)).toEqual({ kind: 'client.event', uuid: 'u', json });
    expect(parseS2sCommand(`^^|u|client.event|${json}`)).toEqual({ kind: 'client.event', uuid: 'u', json });
    expect(parseS2sCommand(`^^#u#Client.Event#${json}`)).toEqual({ kind: 'client.event', uuid: 'u', json });
    expect(parseS2sCommand('^^|u|client.event|{"type": "x y"}')).toEqual({ kind: 'client.event', uuid: 'u', json: '{"type": "x y"}' });
    expect(parseS2sCommand('u   client.event    {"type":"a"}  ')).toEqual({ kind: 'client.event', uuid: 'u', json: '{"type":"a"}' });
    expect(parseS2sCommand('u client.event')).toEqual({ kind: 'error', reply: '-ERR client.event requires a JSON client event' });
    expect(parseS2sCommand('^^|u|client.event|')).toEqual({ kind: 'error', reply: '-ERR client.event requires a JSON client event' });
  });

  it('session.delete takes nothing', () => {
    expect(parseS2sCommand('u session.delete')).toEqual({ kind: 'delete', uuid: 'u' });
    expect(parseS2sCommand('^^|u|session.delete')).toEqual({ kind: 'delete', uuid: 'u' });
    expect(parseS2sCommand('u session.delete now')).toEqual({ kind: 'error', reply: '-ERR session.delete takes no arguments' });
  });
});
