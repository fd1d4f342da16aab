// What this proves: error replies quote what the caller typed as one short line, without a
// credential put in a URL's query or userinfo, and without control characters (a reply must never
// grow a second line, e.g. a fake "+OK").
import { describe, expect, it } from 'vitest';
import { quoteToken, quoteUrlArgument } from '../../src/commands/quoteArgument.js';
import { parseAudioStreamCommand } from '../../src/commands/audioStreamGrammar.js';
import { parseS2sCommand } from '../../src/commands/s2sGrammar.js';

const KEY = 'sk-quote-test-key-0123456789';

describe('quoteToken / quoteUrlArgument', () => {
  it('clips long text and shows control characters as ?', () => {
    expect(quoteToken('x'.repeat(1_000_000))).toBe(`'${'x'.repeat(40)}…'`);
    expect(quoteToken('a\r\n+OK Success\u0000b')).toBe("'a??+OK Success?b'");
    expect(quoteToken('☎️ünï')).toBe("'☎️ünï'");
  });

  it('drops the query, fragment and userinfo of a URL', () => {
    expect(quoteUrlArgument(`ftp://h/v1?api-key=${KEY}`)).toBe("'ftp://h/v1?…'");
    expect(quoteUrlArgument(`ws://h/#${KEY}`)).toBe("'ws://h/#…'");
    expect(quoteUrlArgument(`ws://user:${KEY}@h/v1`)).toBe("'ws://…@h/v1'");
  });
});

describe('grammar replies never quote a key typed into a bad URL', () => {
  it.each([
    `u start ftp://api.openai.com/v1/realtime?api-key=${KEY} mono`,
    `u start wss://bad_host/v1?api-key=${KEY} mono`,
    `u start ws://user:${KEY}@h mono`,
    `u start wss://h:99999/?key=${KEY} mono`,
  ])('%s', (args) => {
    const reply = parseAudioStreamCommand('uuid_openai_audio_stream', args);
    expect(reply).toMatchObject({ kind: 'error' });
    expect(JSON.stringify(reply)).not.toContain(KEY);
  });

  it.each([`u session.create wss://h/?api-key=${KEY} v1 bearer`, `u session.create https://h?${KEY} v1 query`])('%s', (args) => {
    const reply = parseS2sCommand(args);
    expect(reply).toMatchObject({ kind: 'error' });
    expect((reply as { reply: string }).reply).not.toContain(KEY);
  });

  it('a reply stays one line whatever the delimiter form carries', () => {
    const reply = parseS2sCommand('^^|u|bad\r\n+OK Success|x');
    expect((reply as { reply: string }).reply.split('\n').at(-1)).toBe("-ERR unknown command 'bad??+OK Success', expected session.create, client.event or session.delete");
  });
});
