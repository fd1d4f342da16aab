// What this proves: a connection speaks Live exactly when its path is OpenAI's or Azure's Live
// path or a setting says so; a Live URL loses its query (reported by parameter name, never value);
// and the credential goes where each service takes it, never as a query parameter.
import { describe, expect, it } from 'vitest';
import { isLivePath, isLiveUrl, liveAuthHeaders, liveConnectUrl, liveCredentialStyle, liveHostOf, selectProtocol } from '../../../src/protocol/live/liveEndpoint.js';

describe('isLiveUrl / selectProtocol', () => {
  it('selects Live by the OpenAI and Azure paths', () => {
    expect(isLiveUrl('wss://api.openai.com/v1/live/sessions')).toBe(true);
    expect(isLiveUrl('wss://myres.openai.azure.com/openai/v1/live/sessions')).toBe(true);
    expect(isLiveUrl('ws://127.0.0.1:9000/v1/live/sessions/')).toBe(true);
    expect(isLiveUrl('wss://api.openai.com/v1/realtime?model=gpt-realtime')).toBe(false);
    expect(isLiveUrl('wss://myres.openai.azure.com/openai/v1/realtime?model=x')).toBe(false);
    // Sideband and fork paths are other endpoints, not the primary audio socket.
    expect(isLiveUrl('wss://api.openai.com/v1/live/sessions/live_1/attach')).toBe(false);
    expect(isLiveUrl('not a url')).toBe(false);
    expect(isLivePath('/v1/live/sessionsX')).toBe(false);
  });

  it('lets an explicit protocol setting win over the path', () => {
    expect(isLiveUrl('wss://proxy.example/voice', 'live')).toBe(true);
    expect(isLiveUrl('wss://api.openai.com/v1/live/sessions', 'realtime')).toBe(false);
    expect(selectProtocol('wss://proxy.example/voice', 'auto')).toBe('realtime');
    expect(selectProtocol('wss://api.openai.com/v1/live/sessions')).toBe('live');
  });
});

describe('liveConnectUrl', () => {
  it('drops the query and fragment and names what it dropped, never the values', () => {
    const result = liveConnectUrl('wss://res.openai.azure.com/openai/v1/live/sessions?api-key=sk-secret&model=gpt-live-1&model=x#frag');
    expect(result).toEqual({ ok: true, url: 'wss://res.openai.azure.com/openai/v1/live/sessions', droppedParameters: ['api-key', 'model'] });
    expect(JSON.stringify(result)).not.toContain('sk-secret');
    expect(liveConnectUrl('wss://api.openai.com/v1/live/sessions')).toEqual({ ok: true, url: 'wss://api.openai.com/v1/live/sessions', droppedParameters: [] });
  });

  it('refuses what is not a WebSocket URL', () => {
    expect(liveConnectUrl('https://api.openai.com/v1/live/sessions')).toEqual({ ok: false, reason: 'a Live URL must be ws:// or wss://' });
    expect(liveConnectUrl('::')).toEqual({ ok: false, reason: 'not a valid URL' });
  });
});

describe('credentials for Live', () => {
  it('knows whose service a URL is', () => {
    expect(liveHostOf('wss://api.openai.com/v1/live/sessions')).toBe('openai');
    expect(liveHostOf('wss://myres.openai.azure.com/openai/v1/live/sessions')).toBe('azure');
    expect(liveHostOf('wss://myres.cognitiveservices.azure.com/openai/v1/live/sessions')).toBe('azure');
    expect(liveHostOf('ws://127.0.0.1:1/v1/live/sessions')).toBe('other');
  });

  it('sends OpenAI keys as a bearer whatever style was configured', () => {
    expect(liveCredentialStyle('bearer', 'openai')).toEqual({ style: 'bearer' });
    expect(liveCredentialStyle('api-key-header', 'openai')).toMatchObject({ style: 'bearer', note: expect.stringMatching(/Bearer/) });
    expect(liveCredentialStyle('api-key-query', 'openai')).toMatchObject({ style: 'bearer' });
  });

  it('sends Azure keys in the api-key header (or a bearer token), never in the query', () => {
    expect(liveCredentialStyle('api-key-header', 'azure')).toEqual({ style: 'api-key-header' });
    expect(liveCredentialStyle('bearer', 'azure')).toEqual({ style: 'bearer' });
    expect(liveCredentialStyle('api-key-query', 'azure')).toMatchObject({ style: 'api-key-header', note: expect.stringMatching(/no query string/) });
    expect(liveCredentialStyle('none', 'other')).toEqual({ style: 'none' });
  });

  it('builds exactly the credential header and nothing Realtime-only', () => {
    expect(liveAuthHeaders('bearer', 'k1')).toEqual({ Authorization: 'Bearer k1' });
    expect(liveAuthHeaders('api-key-header', 'k2')).toEqual({ 'api-key': 'k2' });
    expect(liveAuthHeaders('none', 'k3')).toEqual({});
  });
});
