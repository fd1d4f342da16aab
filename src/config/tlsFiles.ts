/**
 * {@link ConnectionTls} (paths) → the TLS options `ws` passes to `https.request` (contents). Read
 * when the session connects, asynchronously, so a wrong path is a clear error for that call.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionTls } from './resolveConnection.js';

export interface TlsConnectOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  checkServerIdentity?: () => undefined;
}

export async function loadTlsFiles(tls: ConnectionTls): Promise<TlsConnectOptions | { error: string }> {
  const out: TlsConnectOptions = { rejectUnauthorized: tls.rejectUnauthorized };
  if (tls.checkServerIdentity) out.checkServerIdentity = tls.checkServerIdentity;
  const read = async (what: string, path: string): Promise<Buffer | { error: string }> => {
    try {
      return await readFile(path);
    } catch (err) {
      return { error: `cannot read the TLS ${what} '${path}' (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  };
  if (tls.caFile !== undefined) {
    const ca = await read('CA file', tls.caFile);
    if ('error' in ca) return ca;
    out.ca = ca;
  }
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    const cert = await read('certificate file', tls.certFile);
    if ('error' in cert) return cert;
    const key = await read('key file', tls.keyFile);
    if ('error' in key) return key;
    out.cert = cert;
    out.key = key;
  }
  return out;
}
