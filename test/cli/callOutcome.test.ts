/** judgeCall: the verdict `npm run call` exits with, from a host simulator record. */
import { describe, expect, it } from 'vitest';
import { judgeCall } from '../../src/cli/callOutcome.js';
import type { CallRecordLine } from '../../src/cli/callRecord.js';

const U = '00000000-0000-4000-8000-000000000001';
const start: CallRecordLine = { t: 1, kind: 'api', uuid: U, api: 'uuid_openai_audio_stream', args: `${U} start ws://h/x mono`, reply: '+OK Success\n' };
const event = (subclass: string, body: string): CallRecordLine => ({ t: 2, kind: 'event', uuid: U, subclass, body });

describe('judgeCall', () => {
  it('a started stream that connected is a working call', () => {
    expect(judgeCall([start, event('mod_openai_audio_stream::connect', '{"status":"connected"}')])).toEqual({ ok: true });
  });

  it('a started stream that never connected fails with the last attempt, its HTTP status and count', () => {
    const err = (n: number, status: number): CallRecordLine =>
      event('mod_openai_audio_stream::error', JSON.stringify({ status: 'error', message: { retries: n, error: 'Unexpected server response: 401', wait_time: 10, http_status: status } }));
    const outcome = judgeCall([start, err(1, 401), err(2, 401)]);
    expect(outcome).toEqual({ ok: false, reason: `the stream never connected: Unexpected server response: 401 (HTTP 401), 2 attempts (uuid_openai_audio_stream ${U} start ws://h/x mono)` });
  });

  it('an s2s session that failed to connect carries the reason of connect_failed', () => {
    const create: CallRecordLine = { ...start, api: 'uuid_openai_s2s', args: `${U} session.create ws://h:1 p bearer k` };
    const outcome = judgeCall([create, event('openai_s2s::connect_failed', '{"reason":"connect ECONNREFUSED"}')]);
    expect(outcome.ok === false && outcome.reason).toMatch(/^the stream never connected: connect ECONNREFUSED \(uuid_openai_s2s/);
  });

  it('a refused command fails the call with its reply', () => {
    const refused: CallRecordLine = { ...start, args: `${U} send_json x`, reply: '-ERR invalid base64\n' };
    expect(judgeCall([refused])).toEqual({ ok: false, reason: `uuid_openai_audio_stream ${U} send_json x replied -ERR invalid base64` });
  });

  it('a runtime that did not start fails the call', () => {
    expect(judgeCall([{ t: 0, kind: 'error', message: 'runtime did not start: x' }])).toEqual({ ok: false, reason: 'runtime did not start: x' });
  });

  it('a call that started no stream (a status-only script) is not a failure', () => {
    expect(judgeCall([{ t: 1, kind: 'api', api: 'openai_realtime', args: 'status', reply: '+OK\n' }])).toEqual({ ok: true });
  });
});
