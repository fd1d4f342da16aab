// Uplink (src/session/uplink.ts) on a channel and a socket in memory: the gate lets caller audio
// through only when it may flow, what it holds back is dropped and counted (never a late burst),
// mute sends the silence that ends the caller's turn, a stalled server bounds the backlog.
import { describe, expect, it } from 'vitest';
import { Uplink } from '../../src/session/uplink.js';
import { MemoryChannel, MemoryTransport, recordingLog } from '../helpers/memoryChannel.js';

const RATE = 24000;
const FRAME = 480; // 20 ms

function setup(options: { openAtStart?: boolean; mutedUser?: boolean; backlogMs?: number } = {}) {
  const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME });
  const socket = new MemoryTransport();
  const log = recordingLog();
  const uplink = new Uplink(port, socket, {
    bufferMs: 20,
    backlogMs: options.backlogMs ?? 1000,
    openAtStart: options.openAtStart ?? true,
    mutedUser: options.mutedUser ?? false,
    log,
  });
  uplink.configure({ mode: 'json', format: { encoding: 'pcm', rate: RATE } });
  const frame = (value = 1000): Int16Array => new Int16Array(FRAME).fill(value);
  const appends = (): number => socket.events.filter((e) => e.type === 'input_audio_buffer.append').length;
  return { port, socket, log, uplink, frame, appends };
}

describe('Uplink', () => {
  it('an open gate sends one append per 20 ms chunk of the caller audio, byte for byte', () => {
    const { uplink, frame, socket } = setup();
    uplink.push(frame(1234), FRAME);
    uplink.push(frame(1234), FRAME);
    expect(socket.events).toHaveLength(2);
    const audio = Buffer.from(String(socket.events[0]!.audio), 'base64');
    expect(audio.length).toBe(FRAME * 2);
    expect(audio.readInt16LE(0)).toBe(1234);
    expect(uplink.status(RATE).uplinkMs).toBe(40);
  });

  it('audio captured while the socket is closed is dropped and counted, never sent later', () => {
    const { uplink, frame, socket, appends } = setup();
    socket.state = 'connecting';
    for (let i = 0; i < 5; i++) uplink.push(frame(), FRAME);
    socket.state = 'open';
    uplink.socketOpened();
    uplink.push(frame(), FRAME);
    expect(appends()).toBe(1);
    expect(uplink.status(RATE).droppedUplinkMs).toBe(100);
  });

  it('a gate that waits for the first session.update drops until opened; what sat in the capture ring then is skipped', () => {
    const { uplink, frame, port, appends } = setup({ openAtStart: false });
    uplink.push(frame(), FRAME);
    expect(appends()).toBe(0);
    port.captureQueued = FRAME; // one frame captured before the gate opened, still in the ring
    uplink.open();
    uplink.push(frame(), FRAME); // that stale frame: dropped
    uplink.push(frame(), FRAME);
    expect(appends()).toBe(1);
    expect(uplink.status(RATE).droppedUplinkMs).toBe(40);
  });

  it('an input-format change holds audio until the server answers', () => {
    const { uplink, frame, appends } = setup();
    uplink.formatChangeSent();
    uplink.push(frame(), FRAME);
    expect(appends()).toBe(0);
    uplink.formatSettled();
    uplink.push(frame(), FRAME);
    expect(appends()).toBe(1);
  });

  it('mute user stops the audio and sends one second of silence; muting twice says so', () => {
    const { uplink, frame, socket, log } = setup();
    uplink.setMutedUser(true);
    const silence = socket.events;
    expect(silence).toHaveLength(1);
    const bytes = Buffer.from(String(silence[0]!.audio), 'base64');
    expect(bytes.length).toBe(RATE * 2); // 1 s of PCM16 at 24 kHz
    expect(bytes.every((b) => b === 0)).toBe(true);
    uplink.push(frame(), FRAME);
    expect(socket.events).toHaveLength(1);
    uplink.setMutedUser(true);
    expect(log.messages('info')).toContain('User audio is already muted');
  });

  it('paused: nothing is sent, and the partial chunk of before the pause is not sent after it', () => {
    // A 10 ms ptime: two frames make one 20 ms chunk.
    const port = new MemoryChannel({ sampleRate: RATE, frameSamples: FRAME / 2 });
    const socket = new MemoryTransport();
    const uplink = new Uplink(port, socket, { bufferMs: 20, backlogMs: 1000, openAtStart: true, mutedUser: false, log: recordingLog() });
    uplink.configure({ mode: 'json', format: { encoding: 'pcm', rate: RATE } });
    uplink.push(new Int16Array(FRAME / 2).fill(7), FRAME / 2); // half a chunk
    uplink.setPaused(true);
    uplink.push(new Int16Array(FRAME / 2).fill(7), FRAME / 2);
    uplink.setPaused(false);
    uplink.push(new Int16Array(FRAME / 2).fill(9), FRAME / 2);
    expect(socket.events).toHaveLength(0);
    uplink.push(new Int16Array(FRAME / 2).fill(9), FRAME / 2);
    expect(socket.events).toHaveLength(1);
    expect(Buffer.from(String(socket.events[0]!.audio), 'base64').readInt16LE(0)).toBe(9);
  });

  it('a server that does not read: caller audio beyond uplink-backlog-ms is dropped, counted and logged once', () => {
    const { uplink, frame, socket, log } = setup({ backlogMs: 100 });
    socket.bufferedAmount = 1_000_000; // nothing leaves the socket
    for (let i = 0; i < 10; i++) uplink.push(frame(), FRAME);
    const s = uplink.status(RATE);
    expect(s.uplinkBacklogDrops).toBe(10);
    expect(socket.events).toHaveLength(0);
    expect(log.messages('warning').filter((m) => m.includes('the server is not reading'))).toHaveLength(1);
    socket.bufferedAmount = 0;
    uplink.push(frame(), FRAME);
    expect(socket.events).toHaveLength(1);
    expect(log.messages('notice').some((m) => m.includes('the server reads again'))).toBe(true);
  });
});
