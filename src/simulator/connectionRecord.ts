/**
 * What the simulator records about each connection, for tests to assert on. Plain data only;
 * the connection that fills it in lives in simulatedConnection.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AudioFormat, CancelReason, ClientEvent, ResponseStatus } from './protocolTypes.js';

export type AuthMethod = 'bearer' | 'api-key-header' | 'api-key-query' | 'none';

export interface HandshakeRecord {
  /** The request target as received (path and query). */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Request headers (Node lower-cases the names and joins repeated ones). */
  headers: IncomingHttpHeaders;
  /** The same headers exactly as sent: name, value, name, value… (original case and order). */
  rawHeaders: string[];
  /** Which credential was accepted; 'none' when the simulator has no `apiKey`. */
  auth: AuthMethod;
  /** The client's `Sec-WebSocket-Extensions` request header, if it offered any. */
  requestedExtensions: string | null;
  /** The `Sec-WebSocket-Extensions` the simulator answered with, if any was negotiated. */
  negotiatedExtensions: string | null;
  /** permessage-deflate is in effect on this connection. */
  deflate: boolean;
  /** The client sent `OpenAI-Beta: realtime=v1` (it then got `beta_api_shape_disabled`). */
  betaHeader: boolean;
  remoteAddress: string | undefined;
  /** Date.now() at the upgrade. */
  at: number;
}

export interface ClientEventRecord {
  event: ClientEvent;
  /** Date.now() when the frame arrived. */
  receivedAt: number;
  /** Size of the frame's payload. */
  bytes: number;
  /** The frame's text exactly as received (not kept for audio appends): what byte-for-byte tests compare. */
  text?: string;
}

export interface InvalidFrameRecord {
  receivedAt: number;
  bytes: number;
  binary: boolean;
  /** Why it is not one JSON object (the JSON.parse message, "binary frame", "not an object"). */
  reason: string;
  /** The first 200 characters, for the failure message of a test. */
  preview: string;
}

export interface FrameCounts {
  /** Every frame received (valid or not). */
  count: number;
  bytes: number;
  text: number;
  binary: number;
}

export interface TruncationRecord {
  itemId: string;
  contentIndex: number;
  audioEndMs: number;
  /** The item's audio duration before the truncation. */
  itemAudioMs: number;
}

export interface CancelRecord {
  responseId: string;
  reason: CancelReason;
  /** Audio already sent for the response when it was cancelled. */
  audioMsSent: number;
  deltasSent: number;
}

export interface ResponseRecord {
  id: string;
  kind: 'message' | 'function_call';
  /** `in_progress` until `response.done`. */
  status: ResponseStatus;
  itemId: string;
  outputModalities: Array<'audio' | 'text'>;
  format: AudioFormat;
  /** Audio sent in deltas. */
  audioMs: number;
  transcript: string;
  deltas: number;
  /** Function calls only. */
  name?: string;
  callId?: string;
  arguments?: string;
}

export interface CloseRecord {
  code: number;
  reason: string;
  /**
   * Who started it: the client's close frame; the simulator's close frame (`closeWith`, the beta
   * rule, the session limit, `close()`, shutdown); or no close frame at all, 1006 (the client
   * vanished, or `dropMidResponse` cut the TCP connection to simulate a network failure).
   * `connection.terminate()` from a test counts as 'server'.
   */
  initiatedBy: 'client' | 'server' | 'network';
}
