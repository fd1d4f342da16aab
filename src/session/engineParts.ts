/**
 * Builds the parts of an engine once its media hook is attached and the channel's rate and ptime
 * are known: the {@link Uplink} (caller audio to the server), the {@link Playout} (assistant audio
 * to the caller) and {@link BargeIn}, wired to the socket, the session configuration and the
 * engine's listener. The engine keeps them as {@link EngineParts}; its status reads them.
 */
import type { MediaChannel } from '../media/mediaChannel.js';
import type { Logger } from '../runtime/logger.js';
import { BargeIn } from './bargeIn.js';
import type { DebugAudioFiles } from './debugAudioFiles.js';
import type { EngineConfig, EngineListener } from './engineConfig.js';
import type { EngineLimits } from './engineLimits.js';
import type { EngineTransport } from './engineTransport.js';
import type { LatencyMeter } from './latencyMeter.js';
import { Playout } from './playout.js';
import { displayUrl } from './realtimeConnection.js';
import type { ResponseTracker } from './responseTracker.js';
import type { SessionConfiguration } from './sessionConfiguration.js';
import { resolveBufferMs } from './streamVariables.js';
import { Uplink } from './uplink.js';

/** The parts of an engine whose hook is attached. */
export interface EngineParts {
  port: MediaChannel;
  uplink: Uplink;
  playout: Playout;
  bargeIn: BargeIn;
  bufferMs: number;
}

export interface EnginePartsContext {
  config: EngineConfig;
  limits: EngineLimits;
  transport: EngineTransport;
  session: SessionConfiguration;
  responses: ResponseTracker;
  files: DebugAudioFiles | null;
  latency: LatencyMeter;
  listener: EngineListener;
  /** An `event_id` for the engine's own client events (barge-in truncate and cancel). */
  eventId(): string;
  log: Logger;
}

export function buildEngineParts(port: MediaChannel, ctx: EnginePartsContext): EngineParts {
  const { config: c, log, listener } = ctx;
  const ptimeMs = (port.frameSamples * 1000) / port.sampleRate;
  const buffer = resolveBufferMs(c.bufferSize, ptimeMs);
  if (buffer.warning) log.warning(buffer.warning);
  for (const warning of c.warnings) log.warning(warning);
  const uplink = new Uplink(port, ctx.transport, {
    bufferMs: buffer.ms,
    backlogMs: ctx.limits.uplinkBacklogMs,
    openAtStart: c.uplinkGate === 'socket-open',
    mutedUser: c.muteUser,
    log,
  });
  const stereoRate = c.stereoJsonRate ?? null;
  uplink.configure(
    c.raw
      ? { mode: 'raw', rate: c.raw.sendRate }
      : stereoRate !== null
        ? { mode: 'json', format: { encoding: 'pcm', rate: stereoRate }, channels: 2 }
        : { mode: 'json', format: ctx.session.formats.input },
  );
  if (stereoRate !== null && port.captureChannels === 2) {
    log.info(`stereo capture sent as two channels: PCM16 at ${stereoRate} Hz, interleaved (left: the caller), not the session's input format`);
  }
  if (uplink.downmixing) {
    log.warning(
      "stereo capture is mixed down to mono: the Realtime API (OpenAI's, Azure's) takes one channel; a server of your own gets two from uuid_raw_audio_stream, or from JSON mode at another URL",
    );
  }
  const playout = new Playout(port, {
    playbackQueueMs: ctx.limits.playbackQueueMs,
    raw: c.raw !== null,
    files: ctx.files,
    latency: ctx.latency,
    log,
    events: {
      speechStarted: () => listener.speechStarted(),
      speechStopped: () => listener.speechStopped(),
      responsePlayback: (id, state) => listener.responsePlayback(id, state),
    },
  });
  playout.configure(c.raw ? { encoding: 'pcm', rate: c.raw.playbackRate } : ctx.session.formats.output);
  ctx.session.attach(uplink, playout);
  const bargeIn = new BargeIn({
    playout,
    responses: ctx.responses,
    latency: ctx.latency,
    log,
    send: (text) => ctx.transport.sendText(text),
    eventId: ctx.eventId,
  });
  log.info(
    `${c.label} starting: ${displayUrl(c.connection.url)} ${c.mix}, ${c.raw ? `raw ${c.raw.sendRate}/${c.raw.playbackRate} Hz` : 'JSON'}, ` +
      `channel ${port.sampleRate} Hz ${ptimeMs} ms, buffer ${buffer.ms} ms${c.muteUser ? ', user muted' : ''}`,
  );
  return { port, uplink, playout, bargeIn, bufferMs: buffer.ms };
}
