// liveSocketSettings: the URL and handshake headers a GPT-Live session opens with, from the resolved
// connection — no query, the key where each service takes it, no OpenAI-Beta; notes name, never quote.
import { describe, expect, it } from 'vitest';
import { liveSocketSettings } from '../../../src/session/live/liveConnectionSettings.js';

const KEY = 'sk-test-LIVEKEY-123';

describe('liveSocketSettings', () => {
  it('drops the query and keeps a bearer as it is', () => {
    const r = liveSocketSettings('wss://api.openai.com/v1/live/sessions?model=gpt-live-1', { Authorization: `Bearer ${KEY}`, 'OpenAI-Beta': 'realtime=v1' });
    expect(r).toEqual({
      url: 'wss://api.openai.com/v1/live/sessions',
      headers: { Authorization: `Bearer ${KEY}` },
      notes: ['header OpenAI-Beta is not sent to GPT-Live', 'GPT-Live takes no query string: model not sent in the URL'],
    });
  });

  it('moves a query key to the api-key header for Azure, and names it without its value', () => {
    const r = liveSocketSettings(`wss://res.openai.azure.com/openai/v1/live/sessions?api-key=${KEY}`, {});
    expect(r).toMatchObject({ url: 'wss://res.openai.azure.com/openai/v1/live/sessions', headers: { 'api-key': KEY } });
    expect(JSON.stringify((r as { notes: string[] }).notes)).not.toContain(KEY);
  });

  it("sends OpenAI's host a bearer even when api-key-header was configured", () => {
    const r = liveSocketSettings('wss://api.openai.com/v1/live/sessions', { 'api-key': KEY });
    expect(r).toMatchObject({ headers: { Authorization: `Bearer ${KEY}` } });
    expect((r as { headers: Record<string, string> }).headers['api-key']).toBeUndefined();
  });

  it('keeps an Azure api-key header', () => {
    expect(liveSocketSettings('wss://res.openai.azure.com/openai/v1/live/sessions', { 'api-key': KEY })).toEqual({
      url: 'wss://res.openai.azure.com/openai/v1/live/sessions',
      headers: { 'api-key': KEY },
      notes: [],
    });
  });

  it('refuses a URL that is not ws:// or wss://', () => {
    expect(liveSocketSettings('https://api.openai.com/v1/live/sessions', {})).toEqual({ error: 'a Live URL must be ws:// or wss://' });
  });
});
