/**
 * The engine's part of `openai_realtime status`, read from its parts: what the operator sees of one
 * session (state, formats, counters of the uplink, the playout and the media thread).
 */
import type { BargeIn } from './bargeIn.js';
import type { EngineConfig } from './engineConfig.js';
import type { EngineParts } from './engineParts.js';
import type { EngineLimits } from './engineLimits.js';
import type { EngineTransport } from './engineTransport.js';
import type { LatencyMeter } from './latencyMeter.js';
import { displayUrl } from './realtimeConnection.js';
import { formatName, type SessionAudioConfig } from './sessionFormats.js';
import type { TokenUsage } from './tokenUsage.js';

/** What the status reads of the parts: GPT-Live's engine has no client-side barge-in. */
export type StatusParts = Omit<EngineParts, 'bargeIn'> & { bargeIn?: BargeIn };

export interface EngineStatusSources {
  config: EngineConfig;
  limits: EngineLimits;
  connection: EngineTransport;
  /** null until the hook is attached. */
  parts: StatusParts | null;
  formats: SessionAudioConfig;
  ending: boolean;
  endReason: string;
  mutedOpenai: boolean;
  startedAt: number;
  counters: {
    appEventsRefused: number;
    clientEventsQueued: number;
    clientEventsQueuedTotal: number;
    invalidAudioDeltas: number;
    lateDeltasDropped: number;
    responses: number;
    internalErrors: number;
  };
  tokens: TokenUsage;
  latency: LatencyMeter;
}

export function engineStatus(s: EngineStatusSources): Record<string, unknown> {
  const c = s.config;
  const parts = s.parts;
  const port = parts?.port;
  // After the hook is gone: the last counters the host had, so the final status keeps the totals.
  const stats = port?.stats();
  const rate = port?.sampleRate ?? 8000;
  const uplink = parts?.uplink.status(rate);
  const playout = parts?.playout;
  const connection = s.connection;
  return {
    state: s.ending ? 'ending' : connection.state,
    endReason: s.endReason || undefined,
    server: displayUrl(c.connection.url),
    mix: c.mix,
    channelRate: port?.sampleRate,
    ptimeMs: port ? (port.frameSamples * 1000) / port.sampleRate : undefined,
    bufferMs: parts?.bufferMs ?? 0,
    // The rings as the host made them (capture-ring-ms / playback-ring-ms, rounded up by the host).
    captureRingMs: port ? Math.floor((port.captureCapacity * 1000) / (port.sampleRate * port.captureChannels)) : undefined,
    playbackRingMs: port ? Math.floor((port.playbackCapacity * 1000) / port.sampleRate) : undefined,
    inputFormat: c.raw ? `raw pcm@${c.raw.sendRate}` : formatName(s.formats.input),
    outputFormat: c.raw ? `raw pcm@${c.raw.playbackRate}` : formatName(s.formats.output),
    inputRate: c.raw ? c.raw.sendRate : s.formats.input.rate,
    outputRate: c.raw ? c.raw.playbackRate : s.formats.output.rate,
    uplinkOpen: parts?.uplink.isOpen ?? c.uplinkGate === 'socket-open',
    paused: parts?.uplink.paused ?? false,
    mutedUser: parts?.uplink.mutedUser ?? c.muteUser,
    mutedOpenai: s.mutedOpenai,
    secondsConnected: Math.round(connection.connectedSeconds() * 10) / 10,
    secondsSinceStart: Math.round((Date.now() - s.startedAt) / 100) / 10,
    reconnects: connection.reconnects,
    framesIn: stats?.framesIn ?? 0,
    framesOut: stats?.framesOut ?? 0,
    underruns: stats?.underruns ?? 0,
    serverGaps: stats?.serverGaps ?? 0,
    overruns: stats?.captureOverruns ?? 0,
    uplinkChunks: uplink?.uplinkChunks ?? 0,
    uplinkMs: uplink?.uplinkMs ?? 0,
    droppedUplinkMs: uplink?.droppedUplinkMs ?? 0,
    uplinkBacklogDrops: uplink?.uplinkBacklogDrops ?? 0,
    uplinkBacklogDroppedMs: uplink?.uplinkBacklogDroppedMs ?? 0,
    uplinkBacklogStalls: uplink?.uplinkBacklogStalls ?? 0,
    socketBufferedBytes: connection.bufferedAmount,
    socketBufferedMaxBytes: uplink?.socketBufferedMaxBytes ?? 0,
    appEventsRefused: s.counters.appEventsRefused,
    clientEventsQueued: s.counters.clientEventsQueued,
    clientEventsQueuedTotal: s.counters.clientEventsQueuedTotal,
    playbackQueuedMs: Math.round(((playout?.queuedSamples ?? 0) * 1000) / rate),
    playbackDroppedMs: Math.round(((playout?.droppedSamples ?? 0) * 1000) / rate),
    invalidAudioDeltas: s.counters.invalidAudioDeltas,
    lateDeltasDropped: s.counters.lateDeltasDropped,
    bargeIns: parts?.bargeIn?.count ?? 0,
    responses: s.counters.responses,
    tokens: s.tokens.snapshot(),
    latency: s.latency.snapshot(),
    pings: connection.pings,
    pongs: connection.pongs,
    ringShortWrites: playout?.ringShortWrites ?? 0,
    limits: { playbackQueueMs: s.limits.playbackQueueMs, uplinkBacklogMs: s.limits.uplinkBacklogMs },
    internalErrors: s.counters.internalErrors,
  };
}
