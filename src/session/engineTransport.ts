/**
 * The seam between the engine and its socket: what the engine asks of a connection to the Realtime
 * server. {@link RealtimeConnection} (a `ws` client with retries, heartbeat and reconnects) is the
 * one the product uses; the engine takes a factory, so its tests can put a transport in memory in
 * its place, and a second protocol can bring its own.
 */
import type { EngineConnection } from './engineConfig.js';
import { MAX_SERVER_FRAME_BYTES } from './engineLimits.js';
import type { ConnectionListener, ConnectionOptions, ConnectionState } from './realtimeConnection.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** The socket's options for a session's connection settings (profile, `STREAM_*` variables). */
export function connectionOptions(c: EngineConnection): ConnectionOptions {
  return {
    url: c.url,
    headers: c.headers,
    perMessageDeflate: c.deflate,
    tls: c.tls,
    heartbeatSeconds: c.heartbeatS,
    reconnect: c.reconnect,
    reconnectAfterDrop: c.reconnectAfterDrop,
    maxAttempts: c.maxConnectAttempts,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    maxFrameBytes: MAX_SERVER_FRAME_BYTES,
  };
}

export interface EngineTransport {
  readonly state: ConnectionState;
  readonly isOpen: boolean;
  /** Bytes accepted by `send*` and not yet written to the network. */
  readonly bufferedAmount: number;
  readonly reconnects: number;
  readonly pings: number;
  readonly pongs: number;
  connectedSeconds(): number;
  /** Starts connecting; the listener hears the rest. */
  start(): void;
  /** One text frame; false when the socket is not open (nothing sent). */
  sendText(text: string): boolean;
  sendBinary(data: Uint8Array): boolean;
  /** Closes (1000) and resolves once the socket is gone or the close timer fired. */
  close(): Promise<void>;
}

/** The part of the transport the uplink sends on. */
export type UplinkTransport = Pick<EngineTransport, 'isOpen' | 'bufferedAmount' | 'sendText' | 'sendBinary'>;

export type TransportFactory = (options: ConnectionOptions, listener: ConnectionListener) => EngineTransport;
