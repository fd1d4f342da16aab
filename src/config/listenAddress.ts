/**
 * The `metrics-listen` setting: `host:port` where the Prometheus listener binds. The host is an IP
 * address (IPv6 in brackets) or `localhost`, never a name to resolve, so what the operator reads is
 * what gets bound; the port is 1..65535. Pure.
 */
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** The address, or a sentence saying what is wrong with it. */
export function parseListenAddress(text: string): ListenAddress | string {
  const v = text.trim();
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) return `${JSON.stringify(v.slice(0, 80))} is not host:port (e.g. 127.0.0.1:9464, [::1]:9464)`;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (m[1] !== undefined ? isIP(host) !== 6 : host !== 'localhost' && isIP(host) !== 4) {
    return `${JSON.stringify(host.slice(0, 80))} is not an IP address (an IPv4 address, [IPv6] or localhost)`;
  }
  if (port < 1 || port > 65_535) return `port ${port} is not 1..65535`;
  return { host, port };
}
