/**
 * The seam between the engine and its socket: what the engine asks of a connection to the Realtime
 * server. {@link RealtimeConnection} (a `ws` client with retries, heartbeat and reconnects) is the
 * one the product uses; the engine takes a factory, so its tests can put a transport in memory in
 * its place, and a second protocol can bring its own.
 */
import type { ConnectionListener, ConnectionOptions, ConnectionState } from './realtimeConnection.js';

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
