/**
 * Scriptable misbehaviour for reliability tests, as plain data: a test lists the faults it wants
 * and they combine. They apply to every new connection (`sim.setFaults`), to the next connection
 * only (`sim.queueFaults`), or to a live one (`connection.applyFaults`).
 *
 * Counting rules: "deltas" are `response.output_audio.delta` and `response.output_text.delta`
 * events sent on the connection, counted from 1 across all its responses; `afterMs` is wall-clock
 * time from the moment the connection is ready (right after `session.created`).
 */

export type GarbageFrame =
  /** A text frame that is not JSON (an HTML error page, as a proxy might send). */
  | 'text'
  /** A binary frame (OpenAI only sends text frames). */
  | 'binary'
  /** A JSON object with no `type`. */
  | 'untyped'
  /** A well-formed event of a type no client knows (clients must ignore it). */
  | 'unknownType'
  /** JSON cut off mid-string. */
  | 'truncatedJson';

export interface SimulatorFaults {
  /** Refuse the WebSocket upgrade with this HTTP status and an OpenAI-style JSON error body. */
  refuseHandshake?: { status: number; body?: unknown; headers?: Record<string, string> };
  /** Accept the upgrade but never send `session.created`. */
  noSessionCreated?: boolean;
  /** Destroy the TCP connection without a close frame (the client sees 1006) after N deltas. */
  dropMidResponse?: { afterDeltas: number };
  /**
   * Close with this code and reason, after `afterMs`, after `afterDeltas`, or (neither given) as
   * soon as the connection is ready. The code must be sendable (1000–1003, 1007–1014, 3000–4999).
   */
  closeWith?: { code: number; reason?: string; afterMs?: number; afterDeltas?: number };
  /**
   * Stop reading the socket (`ws.pause()` → `socket.pause()`), so the client's send buffer fills.
   * Starts at once, after `afterMs`, or after `afterClientEvents` client events. With
   * `muteServer`, the simulator also stops sending (a server that hangs completely).
   */
  stall?: { afterMs?: number; afterClientEvents?: number; muteServer?: boolean };
  /** Read the socket only `readMs` out of every `readMs + pauseMs` (defaults 5 and 95 ms). */
  slowReads?: { readMs?: number; pauseMs?: number };
  /** Send these junk frames, in order, `afterMs` after ready (default at once). */
  garbage?: { frames: GarbageFrame[]; afterMs?: number };
  /** Corrupt audio deltas: `count` deltas (default 1) starting at delta number `atDelta` (default 1). */
  badAudio?: { kind: 'invalidBase64' | 'oddLength'; atDelta?: number; count?: number };
  /** One text frame of `bytes` (default 20 MiB): a valid audio delta of silence, for size limits. */
  hugeFrame?: { bytes?: number; afterMs?: number };
}

export const DEFAULT_HUGE_FRAME_BYTES = 20 * 1024 * 1024;

/** Later faults win field by field; used when global, queued and live faults meet. */
export function combineFaults(...layers: Array<SimulatorFaults | undefined>): SimulatorFaults {
  const combined: SimulatorFaults = {};
  for (const layer of layers) if (layer) Object.assign(combined, layer);
  return combined;
}
