/**
 * What `status` may show about a session's connection: profile, host, path, query (with
 * credential-looking values replaced), auth style, where the key came from, header NAMES, TLS mode
 * and the connection policy. Never a key, a header value, or the api-key query value.
 */
import { redactSecrets } from '../runtime/secrets.js';
import type { AuthStyle } from './profile.js';
import type { KeyOrigin, ResolvedConnection } from './resolveConnection.js';

export interface ConnectionDescription {
  profile: string | null;
  profileSelectedBy: ResolvedConnection['profileSelectedBy'];
  /** The URL with credential query values replaced by [REDACTED]. */
  url: string;
  host: string;
  path: string;
  auth: AuthStyle;
  keyOrigin: KeyOrigin;
  /** Header names only. */
  headers: string[];
  tls: { ca: 'system' | 'none' | 'file'; clientCertificate: boolean; hostnameValidation: boolean };
  reconnect: boolean;
  maxConnectAttempts: number;
  heartbeatS: number;
  deflate: boolean;
  sessionUpdate: boolean;
  tools: string[];
}

/** Query parameter names whose values are treated as credentials. */
const CREDENTIAL_QUERY = /key|token|secret|password|passwd|signature|^sig$|auth/i;
const REDACTED = '[REDACTED]';

export function describeForStatus(c: ResolvedConnection): ConnectionDescription {
  const u = new URL(c.url);
  const query: string[] = [];
  for (const [name, value] of u.searchParams) {
    query.push(`${encodeURIComponent(name)}=${CREDENTIAL_QUERY.test(name) ? REDACTED : encodeURIComponent(value)}`);
  }
  const url = `${u.protocol}//${u.host}${u.pathname}${query.length ? `?${query.join('&')}` : ''}`;
  return {
    profile: c.profile?.name ?? null,
    profileSelectedBy: c.profileSelectedBy,
    // Also through the registry, in case a key sits somewhere no rule above expected.
    url: redactSecrets(url),
    host: u.host,
    path: u.pathname,
    auth: c.auth,
    keyOrigin: c.keyOrigin,
    headers: Object.keys(c.headers),
    tls: {
      ca: c.tls.caFile !== undefined ? 'file' : c.tls.rejectUnauthorized ? 'system' : 'none',
      clientCertificate: c.tls.certFile !== undefined,
      hostnameValidation: c.tls.checkServerIdentity === undefined,
    },
    reconnect: c.reconnect,
    maxConnectAttempts: c.maxConnectAttempts,
    heartbeatS: c.heartbeatS,
    deflate: c.deflate,
    sessionUpdate: c.sessionUpdate !== undefined,
    tools: [...c.tools],
  };
}
