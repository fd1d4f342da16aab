/**
 * How the parts of one simulated connection answer the client: every server event goes through
 * the connection's `send` (recording, faults, event ids), every error through `sendError` (which
 * echoes the client's `event_id`, reference §3). The parts get these two and nothing of the socket.
 */
import type { RealtimeErrorBody } from './protocolTypes.js';

export type ErrorBody = Omit<RealtimeErrorBody, 'event_id'>;

export interface ConnectionIo {
  /** Sends a server event (the connection fills in `event_id`); false when the socket is gone. */
  send(event: { type: string; [field: string]: unknown }): boolean;
  /** Sends an `error` event answering the client event `clientEventId`. */
  sendError(body: ErrorBody, clientEventId: string | undefined): void;
}
