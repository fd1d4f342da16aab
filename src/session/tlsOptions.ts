/**
 * STREAM_TLS_* settings → the TLS options `ws` passes to `https.request`. Files are read once, at
 * `start`, so a wrong path is a `-ERR` for the operator instead of an ::error per reconnect.
 *
 * - CA `SYSTEM`: Node's default CA store (nothing set). `NONE`: no peer verification
 *   (`rejectUnauthorized: false`). Anything else: a PEM file used as `ca` (replacing the store).
 * - Key + certificate: a client certificate.
 * - Hostname validation off: `checkServerIdentity` accepts any name (the chain is still verified).
 */
import { readFile } from 'node:fs/promises';
import type { TlsSettings } from './streamVariables.js';

export interface TlsConnectOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  checkServerIdentity?: () => undefined;
}

export async function loadTlsOptions(settings: TlsSettings): Promise<TlsConnectOptions | { error: string }> {
  const options: TlsConnectOptions = {};
  const read = async (variable: string, path: string): Promise<Buffer | { error: string }> => {
    try {
      return await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      return { error: `invalid ${variable}: cannot read '${path}' (${code})` };
    }
  };
  const ca = settings.caFile;
  if (ca.toUpperCase() === 'NONE') {
    options.rejectUnauthorized = false;
  } else if (ca.toUpperCase() !== 'SYSTEM') {
    const data = await read('STREAM_TLS_CA_FILE', ca);
    if ('error' in data) return data;
    options.ca = data;
  }
  if (settings.certFile !== null && settings.keyFile !== null) {
    const cert = await read('STREAM_TLS_CERT_FILE', settings.certFile);
    if ('error' in cert) return cert;
    const key = await read('STREAM_TLS_KEY_FILE', settings.keyFile);
    if ('error' in key) return key;
    options.cert = cert;
    options.key = key;
  }
  if (settings.disableHostnameValidation) options.checkServerIdentity = () => undefined;
  return options;
}
