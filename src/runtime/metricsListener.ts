/**
 * The opt-in Prometheus listener (module setting `metrics-listen`): an HTTP server on the main
 * runtime thread answering `GET /metrics` with what `openai_realtime metrics` answers. Off unless
 * configured; it has no authentication, so the documented advice is a loopback address. A listener
 * that cannot bind is logged and the module runs on without it: metrics must never stop calls.
 */
import { createServer, type Server } from 'node:http';
import { parseListenAddress } from '../config/listenAddress.js';
import { log } from './logger.js';
import { describe } from './processGuards.js';

/** prom-client's text format, version 0.0.4 (Registry.contentType). */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsListener {
  close(): Promise<void>;
}

/** Starts the listener for `address` (already checked when the configuration loaded); null when off. */
export function startMetricsListener(address: string | null, metrics: () => Promise<string>): MetricsListener | null {
  if (address === null) return null;
  const parsed = parseListenAddress(address);
  if (typeof parsed === 'string') {
    log.error(`metrics-listen: ${parsed}`);
    return null;
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics().then(
      (text) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(text),
      (err: unknown) => {
        log.error(`metrics: ${describe(err)}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      },
    );
  });
  server.on('error', (err) => log.error(`metrics-listen ${address}: ${describe(err)}; no metrics listener`));
  server.listen(parsed.port, parsed.host, () => log.notice(`metrics on http://${address}/metrics`));
  // The listener alone must not keep the runtime's loop alive at shutdown.
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
