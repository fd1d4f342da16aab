/**
 * Bad input for every API command, as data: what a confused dialplan, a buggy ESL application or
 * a hostile caller could send. Every entry must get a clear `-ERR <reason>` (or, for client events
 * the module forwards, `+OK` and the server's `error` event) and change nothing: no session, no
 * hook, no connection, no crash. Used by test/e2e/badInput.test.ts (the app on the addon bridge) and
 * by the soak (the embedded runtime in the host simulator, under ASan).
 *
 * Placeholders: `${uuid}` is a live channel (no session on it unless `session` says so), `${url}`
 * the realtime simulator. {@link CORPUS_KEY} is a key planted in arguments and variables: it must
 * never come back in a reply or a log line.
 */
import { Buffer } from 'node:buffer';

export const CORPUS_KEY = 'sk-corpus-PLANTED-KEY-5e7a1c9d3b';

export interface BadInput {
  api: string;
  args: string;
  /** Channel variables of a fresh channel for this case (bad STREAM_* values). */
  vars?: Record<string, string>;
  /** Sent to a channel with a running session of this API (client events of a live session). */
  session?: 'stream' | 's2s';
  /** `+OK Success` is acceptable too: a client event the module forwards; the server answers with an error event. */
  forwarded?: boolean;
  note: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const MB = 1024 * 1024;
const huge = (n: number, c = 'x'): string => c.repeat(n);

const STREAM_APIS = ['uuid_openai_audio_stream', 'uuid_raw_audio_stream'];

function streamCases(api: string): BadInput[] {
  const c = (args: string, note: string, extra: Partial<BadInput> = {}): BadInput => ({ api, args, note, ...extra });
  return [
    c('', 'empty'),
    c('   \t ', 'blanks only'),
    c('${uuid}', 'uuid only'),
    c('${uuid} dance', 'unknown command'),
    c('${uuid} START', 'command case is not the problem, a missing URL is'),
    c('not-a-uuid start ${url} mono', 'no such channel'),
    c('00000000-0000-0000-0000-000000000000 stop', 'a well-formed uuid of no channel'),
    c('ünïcødé-☎️-通话 start ${url} mono', 'unicode uuid'),
    c('${uuid}\u0000 stop', 'NUL in the uuid'),
    c(`${huge(MB)} start \${url} mono`, '1 MB uuid'),
    c(`\${uuid} ${huge(MB)}`, '1 MB command name'),
    c('${uuid} start', 'start without URL'),
    c('${uuid} start ${url}', 'start without mix'),
    c('${uuid} start ${url} quad', 'bad mix'),
    c('${uuid} start ${url} MONO', 'mix is case-sensitive'),
    c('${uuid} start ${url} mono 11k', 'bad send rate'),
    c('${uuid} start ${url} mono 0', 'zero rate'),
    c('${uuid} start ${url} mono -8000', 'negative rate'),
    c('${uuid} start ${url} mono 99999999999', 'rate overflow'),
    c('${uuid} start ${url} mono 24k 7', 'bad playback rate'),
    c('${uuid} start ${url} mono 24k ☎️', 'unicode rate'),
    c(`\${uuid} start \${url} mono ${huge(MB, '8')}`, '1 MB rate'),
    c('${uuid} start http://127.0.0.1:1/v1 mono', 'http URL'),
    c('${uuid} start ws:// mono', 'no host'),
    c('${uuid} start ws://:80 mono', 'empty host'),
    c('${uuid} start ws://h:0 mono', 'port 0'),
    c('${uuid} start ws://h:99999 mono', 'port out of range'),
    c('${uuid} start ws://[::1]:80 mono', 'IPv6 literal (refused, as by the seed)'),
    c(`\${uuid} start ws://user:${CORPUS_KEY}@h mono`, 'credentials in the URL'),
    c(`\${uuid} start wss://bad_host/v1/realtime?api-key=${CORPUS_KEY} mono`, 'a key in a bad URL query'),
    c(`\${uuid} start ftp://api.openai.com/v1?api-key=${CORPUS_KEY} mono`, 'a key in a wrong-scheme URL'),
    c(`\${uuid} start ws://${huge(5000, 'a')} mono`, 'overlong URL'),
    c(`\${uuid} start ws://${huge(MB, 'a')} mono`, '1 MB URL'),
    c('${uuid} start profile: mono', 'empty profile name'),
    c('${uuid} start profile:../../etc/passwd mono', 'profile name with a path'),
    c('${uuid} start profile:no-such-profile mono', 'unknown profile'),
    c('${uuid} start ${url} mono', 'header injection in STREAM_EXTRA_HEADERS', { vars: { STREAM_EXTRA_HEADERS: '{"X-A":"v\\r\\nInjected: 1"}' } }),
    c('${uuid} start ${url} mono', 'LF in a header value', { vars: { STREAM_EXTRA_HEADERS: '{"X-A":"v\\nX-B: 2"}' } }),
    c('${uuid} start ${url} mono', 'a header name with a blank', { vars: { STREAM_EXTRA_HEADERS: '{"Bad Name":"v"}' } }),
    c('${uuid} start ${url} mono', 'a header name with CR/LF', { vars: { STREAM_EXTRA_HEADERS: '{"X\\r\\nInjected":"v"}' } }),
    c('${uuid} start ${url} mono', 'STREAM_EXTRA_HEADERS not JSON', { vars: { STREAM_EXTRA_HEADERS: `Authorization: Bearer ${CORPUS_KEY}` } }),
    c('${uuid} start ${url} mono', 'STREAM_EXTRA_HEADERS an array', { vars: { STREAM_EXTRA_HEADERS: '["a","b"]' } }),
    c('${uuid} start ${url} mono', 'STREAM_EXTRA_HEADERS a non-string value', { vars: { STREAM_EXTRA_HEADERS: '{"X-A":{"nested":true}}' } }),
    c('${uuid} start ${url} mono', 'STREAM_EXTRA_HEADERS cut off, with a key', { vars: { STREAM_EXTRA_HEADERS: `{"Authorization":"Bearer ${CORPUS_KEY}` } }),
    c('${uuid} start ${url} mono', 'a handshake header in STREAM_EXTRA_HEADERS', { vars: { STREAM_EXTRA_HEADERS: '{"Sec-WebSocket-Key":"x"}' } }),
    c('${uuid} start ${url} mono', 'CR/LF in the API key', { vars: { STREAM_OPENAI_API_KEY: `${CORPUS_KEY}\r\nX-Injected: 1` } }),
    c('${uuid} start ${url} mono', 'a bad CA file', { vars: { STREAM_TLS_CA_FILE: '/no/such/ca.pem' } }),
    c('${uuid} start ${url} mono', 'a client certificate without its key', { vars: { STREAM_TLS_CERT_FILE: '/etc/hostname' } }),
    c('${uuid} start ${url} mono', 'an unknown profile by variable', { vars: { OPENAI_REALTIME_PROFILE: 'nope' } }),
    c('${uuid} stop', 'stop without a stream'),
    c('${uuid} stop !!!', 'stop with bad base64'),
    c('${uuid} pause', 'pause without a stream'),
    c('${uuid} mute nobody', 'bad mute target'),
    c('${uuid} unmute ☎️', 'unicode mute target'),
    c('${uuid} send_json', 'send_json without JSON'),
    c('${uuid} send_json %%%%', 'invalid base64'),
    c(`\${uuid} send_json ${b64('not json')}`, 'base64 of text'),
    c(`\${uuid} send_json ${b64('[1,2,3]')}`, 'base64 of an array'),
    c(`\${uuid} send_json ${Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64')}`, 'base64 of invalid UTF-8'),
    c(`\${uuid} send_json ${b64(`{"type":"x","key":"${CORPUS_KEY}"`)}`, 'cut-off JSON holding a key'),
    c(`\${uuid} send_json ${b64(`{"type":"x","text":"${huge(1100 * 1024)}"}`)}`, 'JSON over the size limit'),
    c(`\${uuid} send_json ${huge(2 * MB, 'A')}`, '2 MB of base64'),
    c(`\${uuid} send_json ${b64('{}')}`, 'a live stream: an object without type is sent as the seed did', { session: 'stream', forwarded: true }),
    c(`\${uuid} send_json ${b64('{"type":"session.update","session":"not an object"}')}`, 'a live stream: a malformed session.update', { session: 'stream', forwarded: true }),
    c(`\${uuid} send_json ${b64('{"type":"session.update","session":{"modalities":5,"input_audio_format":{},"turn_detection":"x"}}')}`, 'a live stream: beta garbage', { session: 'stream', forwarded: true }),
    c(`\${uuid} send_json ${b64('[]')}`, 'a live stream: an array', { session: 'stream' }),
    c(`\${uuid} send_json ${b64('{"type":"x"} trailing')}`, 'a live stream: trailing text', { session: 'stream' }),
    c(`\${uuid} send_json ${b64('['.repeat(100_000))}`, 'a live stream: 100000 nested arrays', { session: 'stream' }),
    c('${uuid} mute nobody', 'a live stream: bad mute target', { session: 'stream' }),
    c('${uuid} start ${url} mono', 'a live stream: a second start', { session: 'stream' }),
  ];
}

function s2sCases(): BadInput[] {
  const api = 'uuid_openai_s2s';
  const c = (args: string, note: string, extra: Partial<BadInput> = {}): BadInput => ({ api, args, note, ...extra });
  const host = '127.0.0.1:1';
  return [
    c('', 'empty'),
    c('${uuid}', 'uuid only'),
    c('${uuid} session.dance', 'unknown command'),
    c('not-a-uuid session.delete', 'no such channel'),
    c('ünïcødé-☎️ client.event {"type":"response.create"}', 'unicode uuid'),
    c(`${huge(MB)} session.delete`, '1 MB uuid'),
    c('${uuid} session.create', 'create without host'),
    c(`\${uuid} session.create ${host}`, 'create without path'),
    c(`\${uuid} session.create ${host} v1/realtime`, 'create without auth'),
    c(`\${uuid} session.create ${host} v1/realtime digest`, 'unknown auth'),
    c(`\${uuid} session.create ${host} v1/realtime bearer ${CORPUS_KEY} extra`, 'extra argument after the key'),
    c(`\${uuid} session.create ws://127.0.0.1 v1/realtime bearer ${CORPUS_KEY}`, 'ws:// without a port'),
    c(`\${uuid} session.create https://h v1 bearer ${CORPUS_KEY}`, 'https scheme'),
    c(`\${uuid} session.create wss://h/?api-key=${CORPUS_KEY} v1 bearer`, 'a key in the host'),
    c(`\${uuid} session.create bad_host v1 query ${CORPUS_KEY}`, 'bad host, with a key'),
    c(`\${uuid} session.create h:99999 v1 bearer`, 'port out of range'),
    c(`\${uuid} session.create h v1#frag bearer`, '# in the path'),
    c(`\${uuid} session.create h ${huge(MB, 'p')} bearer`, '1 MB path'),
    c('${uuid} session.create profile: ', 'empty profile name'),
    c('${uuid} session.create profile:nope', 'unknown profile'),
    c('${uuid} session.create profile:p extra', 'profile and more'),
    c('${uuid} session.delete now', 'delete with an argument'),
    c('${uuid} session.delete', 'delete without a session'),
    c('${uuid} client.event', 'client.event without JSON'),
    c('${uuid} client.event {"type":"response.create"}', 'client.event without a session'),
    c('^^|', 'delimiter form, empty'),
    c('^^|${uuid}', 'delimiter form, uuid only'),
    c('^^|${uuid}|bogus\r\n+OK Success|x', 'delimiter form, CR/LF in the command'),
    c('^^\n${uuid}\nsession.delete\nextra', 'newline delimiter with an extra field'),
    c(`\${uuid} session.create ${host} v1/realtime bearer`, 'header injection in STREAM_EXTRA_HEADERS', { vars: { STREAM_EXTRA_HEADERS: '{"X-A":"v\\r\\nInjected: 1"}' } }),
    c(`\${uuid} session.create ${host} v1/realtime bearer`, 'STREAM_EXTRA_HEADERS not JSON', { vars: { STREAM_EXTRA_HEADERS: 'nope' } }),
    c(`\${uuid} session.create ${host} v1/realtime bearer ${CORPUS_KEY}\u0007`, 'a control character in the key'),
    c('${uuid} client.event {}', 'a live session: no type', { session: 's2s' }),
    c('${uuid} client.event []', 'a live session: an array', { session: 's2s' }),
    c('${uuid} client.event "text"', 'a live session: a string', { session: 's2s' }),
    c('${uuid} client.event {"type":""}', 'a live session: empty type', { session: 's2s' }),
    c('${uuid} client.event {"type":42}', 'a live session: numeric type', { session: 's2s' }),
    c('${uuid} client.event {"type":null}', 'a live session: null type', { session: 's2s' }),
    c(`\${uuid} client.event {"type":"x","key":"${CORPUS_KEY}"`, 'a live session: cut-off JSON holding a key', { session: 's2s' }),
    c('${uuid} client.event {"type":"response.create"} trailing', 'a live session: trailing text', { session: 's2s' }),
    c(`\${uuid} client.event ${'['.repeat(100_000)}`, 'a live session: 100000 nested arrays', { session: 's2s' }),
    c(`\${uuid} client.event {"type":"x","text":"${huge(1100 * 1024)}"}`, 'a live session: over the size limit', { session: 's2s' }),
    c('${uuid} client.event {"type":"session.update","session":"x"}', 'a live session: beta/GA garbage session', { session: 's2s', forwarded: true }),
    c('${uuid} client.event {"type":"session.update","session":{"modalities":"audio","voice":7,"input_audio_format":{"x":1},"tools":"none"}}', 'a live session: beta garbage fields', { session: 's2s', forwarded: true }),
    c('${uuid} client.event {"type":"response.create","response":{"modalities":5,"output_audio_format":[]}}', 'a live session: beta garbage response', { session: 's2s', forwarded: true }),
    c('${uuid} client.event {"type":"conversation.item.create","item":{"type":"function_call_output","output":{"a":{"b":[1,{"c":null}]}}}}', 'a live session: nested tool output', { session: 's2s', forwarded: true }),
    c('${uuid} client.event {"type":"conversation.item.create","item":{"type":"message","content":"text"}}', 'a live session: content not an array', { session: 's2s', forwarded: true }),
    c('${uuid} session.create 127.0.0.1:1 v1/realtime bearer', 'a live session: a second create', { session: 's2s' }),
  ];
}

function adminCases(): BadInput[] {
  const api = 'openai_realtime';
  const c = (args: string, note: string): BadInput => ({ api, args, note });
  return [
    c('', 'empty'),
    c('dance', 'unknown command'),
    c(huge(MB), '1 MB command'),
    c('echo', 'echo without uuid'),
    c('echo ${uuid}', 'echo without action'),
    c('echo ${uuid} dance', 'echo bad action'),
    c('echo ${uuid} start -1', 'echo negative delay'),
    c('echo ${uuid} start 99999', 'echo delay out of range'),
    c('echo ${uuid} start ☎️', 'echo unicode delay'),
    c('echo ${uuid} stop', 'echo stop without echo'),
    c('echo not-a-uuid start', 'echo on no channel'),
    c('debug throw', 'debug without test hooks'),
    c('debug exit', 'debug exit without test hooks'),
  ];
}

export function badInputCorpus(): BadInput[] {
  return [
    ...STREAM_APIS.flatMap(streamCases),
    ...s2sCases(),
    ...adminCases(),
    { api: 'uuid_openai_nonsense', args: '${uuid} start', note: 'unknown API' },
    { api: 'uuid_openai_audio_stream\u0000', args: '${uuid} stop', note: 'NUL in the API name' },
  ];
}

/** The reply's last line: where the status is (usage text may come first). */
export function statusLine(reply: string): string {
  const lines = reply.replace(/\n$/, '').split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Why a reply to a bad input is not acceptable, or null. */
export function replyProblem(entry: BadInput, reply: string): string | null {
  const last = statusLine(reply);
  if (reply.includes(CORPUS_KEY)) return 'the planted key is in the reply';
  if (reply.length > 4096) return `a ${reply.length}-character reply`;
  if (/[\r\u0000]/.test(reply)) return 'a control character in the reply';
  if (last === '-ERR internal error' || last === '-ERR timeout') return last;
  if (entry.forwarded && last === '+OK Success') return null;
  if (!/^-ERR \S/.test(last)) return `not an -ERR: ${JSON.stringify(last.slice(0, 120))}`;
  return null;
}
