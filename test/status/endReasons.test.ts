// What this proves: every end reason the engines word (session/realtimeConnection.ts, the engines'
// shutdown, the stop commands) lands in its metric bucket, the failures are the failures, and
// anything else is `other` — never the text itself.
import { describe, expect, it } from 'vitest';
import { END_REASONS, endReasonLabel, isFailure } from '../../src/status/endReasons.js';

describe('endReasonLabel', () => {
  it.each([
    ['stop', 'stop'],
    ['stop command', 'stop'],
    ['session.delete', 'stop'],
    ['stopped', 'stop'],
    ['stopped while connecting', 'stop'],
    ['media hook closed (hangup)', 'hangup'],
    ['server closed the connection (1011)', 'server_closed'],
    ['connect failed after 10 attempts', 'connect_failed'],
    ['connect failed (STREAM_NO_RECONNECT)', 'connect_failed'],
    ['connection lost (1006), STREAM_NO_RECONNECT', 'connection_lost'],
    ['connection lost (1006) 5 times in a row', 'connection_lost'],
    ['internal error', 'internal_error'],
    ['shutdown', 'shutdown'],
    ['', 'other'],
    ['sk-secret-looking words the server sent', 'other'],
  ])('%j → %s', (reason, label) => {
    expect(endReasonLabel(reason)).toBe(label);
    expect(END_REASONS).toContain(endReasonLabel(reason));
  });

  it('failures: connect_failed, connection_lost, internal_error and nothing else', () => {
    expect(END_REASONS.filter(isFailure)).toEqual(['connect_failed', 'connection_lost', 'internal_error']);
  });
});
