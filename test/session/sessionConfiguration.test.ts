// SessionConfiguration (src/session/sessionConfiguration.ts): the formats the server announces
// retune the uplink and the playout; the profile's session goes out after the first
// session.created; what the app configured is replayed, merged, on a new connection.
import { describe, expect, it } from 'vitest';
import { LatencyMeter } from '../../src/session/latencyMeter.js';
import { Playout } from '../../src/session/playout.js';
import { SessionConfiguration } from '../../src/session/sessionConfiguration.js';
import { Uplink } from '../../src/session/uplink.js';
import { MemoryChannel, MemoryTransport, recordingLog } from '../helpers/memoryChannel.js';

function setup(initialSession: Record<string, unknown> | null = null) {
  const port = new MemoryChannel({ sampleRate: 8000, frameSamples: 160 });
  const socket = new MemoryTransport();
  const log = recordingLog();
  const uplink = new Uplink(port, socket, { bufferMs: 20, backlogMs: 1000, openAtStart: initialSession === null, mutedUser: false, log });
  const playout = new Playout(port, {
    playbackQueueMs: 10_000,
    raw: false,
    files: null,
    latency: new LatencyMeter(),
    log,
    events: { speechStarted: () => {}, speechStopped: () => {}, responsePlayback: () => {} },
  });
  const session = new SessionConfiguration({ raw: false, initialSession, log, send: (text) => socket.sendText(text) });
  uplink.configure({ mode: 'json', format: session.formats.input });
  playout.configure(session.formats.output);
  session.attach(uplink, playout);
  const appends = (): Array<Record<string, unknown>> => socket.events.filter((e) => e.type === 'input_audio_buffer.append');
  return { port, socket, log, uplink, playout, session, appends };
}

describe('SessionConfiguration', () => {
  it('session.updated with G.711 retunes the uplink encoder and the playout decoder', () => {
    const { session, uplink, playout, appends } = setup();
    session.updated({ audio: { input: { format: { type: 'audio/pcma' } }, output: { format: { type: 'audio/pcmu' } } } });
    expect(session.formats.input).toEqual({ encoding: 'pcma', rate: 8000 });
    expect(playout.format).toEqual({ encoding: 'pcmu', rate: 8000 });
    uplink.push(new Int16Array(160), 160);
    expect(Buffer.from(String(appends()[0]!.audio), 'base64')).toHaveLength(160); // 20 ms of A-law
  });

  it('the profile\'s session goes out after the first session.created (merged with the app\'s), and opens the uplink', () => {
    const { session, socket, uplink } = setup({ instructions: 'be brief', audio: { output: { voice: 'marin' } } });
    expect(uplink.isOpen).toBe(false);
    session.appUpdateSent({ type: 'session.update', session: { audio: { output: { speed: 1.2 } } } }, { audio: { output: { speed: 1.2 } } }, false);
    session.created({});
    expect(socket.events).toEqual([
      { type: 'session.update', session: { instructions: 'be brief', audio: { output: { voice: 'marin', speed: 1.2 } } } },
    ]);
    expect(uplink.isOpen).toBe(true);
    // A later session.created (never happens on one connection) does not send it twice.
    session.created({});
    expect(socket.events).toHaveLength(1);
  });

  it('after a reconnect the formats are the defaults until the server says otherwise, and the app\'s configuration is replayed', () => {
    const { session, socket, uplink } = setup();
    session.updated({ audio: { input: { format: { type: 'audio/pcmu' } } } });
    expect(session.appUpdateSent({ type: 'session.update', session: { instructions: 'x' } }, { instructions: 'x' }, true)).toBe(false);
    session.reconnected();
    expect(session.formats.input).toEqual({ encoding: 'pcm', rate: 24000 });
    expect(socket.events.at(-1)).toEqual({ type: 'session.update', session: { instructions: 'x' } });
    expect(uplink.isOpen).toBe(true);
  });

  it('an app update that sets the input format holds caller audio until session.updated answers', () => {
    const { session, uplink, appends } = setup();
    const event = { type: 'session.update', session: { audio: { input: { format: { type: 'audio/pcmu' } } } } };
    session.appUpdateSent(event, event.session, true);
    uplink.push(new Int16Array(160), 160);
    expect(appends()).toHaveLength(0);
    session.updated(event.session);
    uplink.push(new Int16Array(160), 160);
    expect(appends()).toHaveLength(1);
  });
});
