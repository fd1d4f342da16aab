/**
 * A session's effective connection settings, from three layers, in one pure function:
 *
 *   explicit API argument  >  channel variable  >  profile  >  built-in default
 *
 * - The profile is chosen by `profile:<name>` in place of the URL (API argument), else by the
 *   channel variable OPENAI_REALTIME_PROFILE, else by the `default-profile` setting.
 * - The channel variables are the legacy STREAM_* ones, with FreeSWITCH switch_true semantics
 *   (docs/seed-modules.md §3): STREAM_OPENAI_API_KEY, STREAM_EXTRA_HEADERS, STREAM_TLS_*,
 *   STREAM_NO_RECONNECT, STREAM_HEART_BEAT, STREAM_MESSAGE_DEFLATE (true DISABLES deflate). A
 *   variable that is unset or empty does not override anything.
 * - What identifies us (the profile's key, its headers and its client certificate) is sent only to
 *   the profile's own origin (scheme, host, port). When a call gives an explicit URL on another
 *   origin, the rest of the profile still applies, and a warning says the credentials were left out.
 *
 * Nothing here reads files or the clock, or registers secrets: the result lists the secrets found
 * in channel variables and API arguments, for the caller to register before it logs anything.
 */
import { CREDENTIAL_HEADERS, headerNameProblem, headerValueProblem, parseHeaderJson, setHeader } from './httpHeaders.js';
import { keyProblem } from './keySources.js';
import type { ModuleConfig } from './moduleConfig.js';
import { PROFILE_NAME } from './moduleSettings.js';
import { MAX_HEARTBEAT_S, PROFILE_DEFAULTS, type AuthStyle, type Profile, type ProtocolChoice } from './profile.js';
import { switchTrue } from './switchTrue.js';

export type VariableLookup = (name: string) => string | null | undefined;

/** The channel variable that names a profile. */
export const PROFILE_VARIABLE = 'OPENAI_REALTIME_PROFILE';
/** `profile:<name>` in place of the URL. */
export const PROFILE_PREFIX = 'profile:';

export const STREAM_VARIABLES = {
  apiKey: 'STREAM_OPENAI_API_KEY',
  extraHeaders: 'STREAM_EXTRA_HEADERS',
  tlsCaFile: 'STREAM_TLS_CA_FILE',
  tlsCertFile: 'STREAM_TLS_CERT_FILE',
  tlsKeyFile: 'STREAM_TLS_KEY_FILE',
  tlsDisableHostnameValidation: 'STREAM_TLS_DISABLE_HOSTNAME_VALIDATION',
  noReconnect: 'STREAM_NO_RECONNECT',
  heartBeat: 'STREAM_HEART_BEAT',
  messageDeflate: 'STREAM_MESSAGE_DEFLATE',
} as const;

/** Settings given explicitly with the command (API arguments): they beat everything else. */
export interface ConnectionOverrides {
  apiKey?: string;
  auth?: AuthStyle;
  headers?: Readonly<Record<string, string>>;
  tls?: {
    /** 'SYSTEM', 'NONE' or a CA file path. */
    ca?: string;
    /** Set together with keyFile. */
    certFile?: string;
    keyFile?: string;
    disableHostnameValidation?: boolean;
  };
  reconnect?: boolean;
  maxConnectAttempts?: number;
  heartbeatS?: number;
  deflate?: boolean;
  sessionUpdate?: Readonly<Record<string, unknown>>;
}

export interface ConnectionRequest {
  /** The `<ws-uri>` argument: a ws:// or wss:// URL, or `profile:<name>`. */
  target: string;
  /** The channel's variables, read once at start. */
  variables: VariableLookup;
  overrides?: ConnectionOverrides;
}

/** Where the credential came from; 'extra-headers' = an Authorization/api-key header in STREAM_EXTRA_HEADERS. */
export type KeyOrigin = 'api-argument' | 'channel-variable' | 'extra-headers' | 'profile' | 'none';

/**
 * TLS settings by path: {@link loadTlsFiles} turns them into the options `ws` takes. Paths, not
 * contents, because this function is pure (and Node would read a path given as `ca` as PEM text).
 */
export interface ConnectionTls {
  /** A PEM CA bundle replacing the system store; absent = the system store. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** False only for CA "NONE". */
  rejectUnauthorized: boolean;
  /** Present when hostname validation is off: accepts any name (the chain is still verified). */
  checkServerIdentity?: () => undefined;
}

export interface ResolvedConnection {
  /** The profile object the session keeps for its whole life (a reload does not change it). */
  profile: Profile | null;
  profileSelectedBy: 'api-argument' | 'channel-variable' | 'default-profile' | null;
  /** The URL to connect to; with auth "api-key-query" it contains the key. */
  url: string;
  /** The profile's `protocol` setting when its own URL is used; 'auto' otherwise (the URL path decides). */
  protocol: ProtocolChoice;
  /** Handshake headers, auth applied. */
  headers: Record<string, string>;
  auth: AuthStyle;
  keyOrigin: KeyOrigin;
  tls: ConnectionTls;
  reconnect: boolean;
  maxConnectAttempts: number;
  /** Ping interval in seconds; 0 = none. */
  heartbeatS: number;
  /** Offer permessage-deflate. */
  deflate: boolean;
  /** The `session` of the session.update to send after session.created (a private copy). */
  sessionUpdate?: Record<string, unknown>;
  tools: readonly string[];
  allowedTransferDestinations: readonly string[];
  /** The profile's call length and idle policy (null: the module setting applies). */
  maxCallDurationS: number | null;
  idlePromptS: number | null;
  idleHangupS: number | null;
}

export type ResolveResult =
  | {
      ok: true;
      connection: ResolvedConnection;
      /** For the channel's log; they name variables and params, never a key. */
      warnings: string[];
      /** Credentials found in channel variables, API arguments or the URL: register them. */
      secrets: string[];
    }
  | { ok: false; error: string };

const DEFAULT_AUTH: AuthStyle = 'bearer';

export function resolveConnection(request: ConnectionRequest, config: Pick<ModuleConfig, 'settings' | 'profiles'>): ResolveResult {
  const o = request.overrides ?? {};
  const variable = (name: string): string | null => {
    const value = request.variables(name);
    return value === undefined || value === null || value === '' ? null : value;
  };
  const warnings: string[] = [];
  const secrets: string[] = [];
  const fail = (error: string): ResolveResult => ({ ok: false, error });

  // 1. The profile, and the URL.
  let profile: Profile | null = null;
  let profileSelectedBy: ResolvedConnection['profileSelectedBy'] = null;
  let explicitUrl: URL | null = null;
  const lookup = (name: string, how: string): Profile | string => {
    if (!PROFILE_NAME.test(name)) return `${how}: ${JSON.stringify(name.slice(0, 80))} is not a valid profile name`;
    const p = config.profiles.get(name);
    if (!p) return `${how}: no profile named "${name}" (defined: ${[...config.profiles.keys()].join(', ') || 'none'})`;
    return p;
  };
  if (request.target.startsWith(PROFILE_PREFIX)) {
    const p = lookup(request.target.slice(PROFILE_PREFIX.length), 'profile:<name>');
    if (typeof p === 'string') return fail(p);
    profile = p;
    profileSelectedBy = 'api-argument';
  } else {
    const parsed = parseWsUrl(request.target);
    if (typeof parsed === 'string') return fail(`invalid websocket uri: ${parsed}`);
    explicitUrl = parsed;
    const queryKey = queryParam(parsed, 'api-key');
    if (queryKey !== null) secrets.push(queryKey);
    const named = variable(PROFILE_VARIABLE);
    if (named !== null) {
      const p = lookup(named, PROFILE_VARIABLE);
      if (typeof p === 'string') return fail(p);
      profile = p;
      profileSelectedBy = 'channel-variable';
    } else if (config.settings.defaultProfile !== null) {
      const p = config.profiles.get(config.settings.defaultProfile);
      if (p) {
        profile = p;
        profileSelectedBy = 'default-profile';
      }
    }
  }
  const url = explicitUrl ?? new URL(profile!.url);
  const credentialsApply = profile !== null && (explicitUrl === null || sameOrigin(explicitUrl, new URL(profile.url)));
  if (profile && !credentialsApply) {
    warnings.push(`profile "${profile.name}": its key, headers and client certificate are not sent to ${url.protocol}//${url.host} (not the profile's host)`);
  }

  // 2. Headers: profile < STREAM_EXTRA_HEADERS < API argument, per name (any letter case).
  const headers: Record<string, string> = {};
  if (profile && credentialsApply) for (const [n, v] of Object.entries(profile.headers)) setHeader(headers, n, v);
  let credentialHeaderFrom: KeyOrigin | null = null;
  const mergeHeaders = (layer: Readonly<Record<string, string>>, origin: KeyOrigin): void => {
    for (const [n, v] of Object.entries(layer)) {
      setHeader(headers, n, v);
      if (CREDENTIAL_HEADERS.has(n.toLowerCase())) {
        credentialHeaderFrom = origin;
        secrets.push(v);
        const bearer = /^bearer\s+(.+)$/i.exec(v);
        if (bearer) secrets.push(bearer[1]!);
      }
    }
  };
  const extra = variable(STREAM_VARIABLES.extraHeaders);
  if (extra !== null) {
    const parsed = parseHeaderJson(extra);
    if ('error' in parsed) return fail(`invalid ${STREAM_VARIABLES.extraHeaders}: ${parsed.error}`);
    mergeHeaders(parsed.headers, 'extra-headers');
  }
  if (o.headers) {
    for (const [n, v] of Object.entries(o.headers)) {
      const problem = headerNameProblem(n) ?? headerValueProblem(n, v);
      if (problem) return fail(`invalid header argument: ${problem}`);
    }
    mergeHeaders(o.headers, 'api-argument');
  }

  // 3. The key: API argument > STREAM_OPENAI_API_KEY > a credential header of a higher layer > profile.
  const auth: AuthStyle = o.auth ?? profile?.auth ?? DEFAULT_AUTH;
  let key: string | null = null;
  let keyOrigin: KeyOrigin = 'none';
  const channelKey = variable(STREAM_VARIABLES.apiKey);
  if (o.apiKey !== undefined && o.apiKey !== '') {
    secrets.push(o.apiKey);
    const problem = keyProblem(o.apiKey);
    if (problem) return fail(`invalid api key argument: it ${problem}`);
    key = o.apiKey;
    keyOrigin = 'api-argument';
  } else if (channelKey !== null) {
    secrets.push(channelKey);
    const problem = keyProblem(channelKey);
    if (problem) return fail(`invalid ${STREAM_VARIABLES.apiKey}: it ${problem}`);
    key = channelKey;
    keyOrigin = 'channel-variable';
  } else if (credentialHeaderFrom !== null) {
    keyOrigin = credentialHeaderFrom;
  } else if (profile && credentialsApply && profile.key) {
    key = profile.key.reveal();
    keyOrigin = 'profile';
  }
  if (profile === null && channelKey === null && credentialHeaderFrom === null && key === null) {
    // The seed's wording, so existing log watchers keep matching.
    warnings.push('OPENAI_API_KEY is not set. Assuming you set STREAM_EXTRA_HEADERS variable.');
  }
  if (key !== null) {
    switch (auth) {
      case 'none':
        warnings.push(`auth is "none": the key from ${describeOrigin(keyOrigin)} is not sent`);
        keyOrigin = 'none';
        break;
      case 'bearer':
        setHeader(headers, 'Authorization', `Bearer ${key}`);
        break;
      case 'api-key-header':
        setHeader(headers, 'api-key', key);
        break;
      case 'api-key-query':
        if (explicitUrl !== null && queryParam(explicitUrl, 'api-key') !== null && keyOrigin !== 'api-argument') {
          warnings.push(`the URL already carries api-key; the key from ${describeOrigin(keyOrigin)} is not added`);
          keyOrigin = 'api-argument';
        } else {
          url.searchParams.set('api-key', key);
        }
        break;
    }
  }

  // 4. TLS.
  const tlsResult = resolveTls(o.tls ?? {}, variable, profile, credentialsApply);
  if ('error' in tlsResult) return fail(tlsResult.error);

  // 5. The rest.
  let heartbeatS = profile?.heartbeatS ?? PROFILE_DEFAULTS.heartbeatS;
  const heartBeat = variable(STREAM_VARIABLES.heartBeat);
  if (heartBeat !== null) {
    // strtol over the whole string, as the seed; anything else leaves the lower layer's value.
    if (/^[+-]?[0-9]+$/.test(heartBeat)) {
      const n = Number(heartBeat);
      heartbeatS = n <= 0 ? 0 : Math.min(n, MAX_HEARTBEAT_S);
      if (n > MAX_HEARTBEAT_S) warnings.push(`${STREAM_VARIABLES.heartBeat} ${heartBeat} is above ${MAX_HEARTBEAT_S}; using ${MAX_HEARTBEAT_S}`);
    } else {
      warnings.push(`${STREAM_VARIABLES.heartBeat} '${heartBeat.slice(0, 40)}' is not a whole number of seconds; ignored`);
    }
  }
  if (o.heartbeatS !== undefined) {
    if (!Number.isInteger(o.heartbeatS) || o.heartbeatS < 0 || o.heartbeatS > MAX_HEARTBEAT_S) return fail(`invalid heartbeat argument: 0..${MAX_HEARTBEAT_S} seconds`);
    heartbeatS = o.heartbeatS;
  }
  if (o.maxConnectAttempts !== undefined && (!Number.isInteger(o.maxConnectAttempts) || o.maxConnectAttempts < 1)) {
    return fail('invalid max connect attempts argument: an integer >= 1');
  }
  const noReconnect = variable(STREAM_VARIABLES.noReconnect);
  const noDeflate = variable(STREAM_VARIABLES.messageDeflate);
  const sessionUpdate = o.sessionUpdate ?? profile?.session ?? undefined;

  const connection: ResolvedConnection = {
    profile,
    profileSelectedBy,
    url: url.toString(),
    // A URL given with the command speaks what its path says; the profile's setting is for its own URL.
    protocol: explicitUrl === null ? (profile?.protocol ?? 'auto') : 'auto',
    headers,
    auth,
    keyOrigin,
    tls: tlsResult,
    reconnect: o.reconnect ?? (noReconnect !== null ? !switchTrue(noReconnect) : (profile?.reconnect ?? PROFILE_DEFAULTS.reconnect)),
    maxConnectAttempts: o.maxConnectAttempts ?? profile?.maxConnectAttempts ?? PROFILE_DEFAULTS.maxConnectAttempts,
    heartbeatS,
    // STREAM_MESSAGE_DEFLATE=true DISABLES deflate (the seed's inverted name, kept).
    deflate: o.deflate ?? (noDeflate !== null ? !switchTrue(noDeflate) : (profile?.deflate ?? PROFILE_DEFAULTS.deflate)),
    tools: profile?.tools ?? [],
    allowedTransferDestinations: profile?.allowedTransferDestinations ?? [],
    maxCallDurationS: profile?.maxCallDurationS ?? null,
    idlePromptS: profile?.idlePromptS ?? null,
    idleHangupS: profile?.idleHangupS ?? null,
  };
  if (sessionUpdate !== undefined) connection.sessionUpdate = structuredClone(sessionUpdate) as Record<string, unknown>;
  return { ok: true, connection, warnings, secrets: [...new Set(secrets)] };
}

function resolveTls(
  o: NonNullable<ConnectionOverrides['tls']>,
  variable: (name: string) => string | null,
  profile: Profile | null,
  credentialsApply: boolean,
): ConnectionTls | { error: string } {
  const ca = o.ca ?? variable(STREAM_VARIABLES.tlsCaFile) ?? profile?.tls.ca ?? 'SYSTEM';
  const tls: ConnectionTls = { rejectUnauthorized: true };
  if (ca.toUpperCase() === 'NONE') tls.rejectUnauthorized = false;
  else if (ca.toUpperCase() !== 'SYSTEM') tls.caFile = ca;

  // The client certificate comes as a pair, from the highest layer that sets either half.
  const pair = (cert: string | null | undefined, key: string | null | undefined, what: string): { cert: string; key: string } | null | { error: string } => {
    const c = cert ?? null;
    const k = key ?? null;
    if (c === null && k === null) return null;
    if (c === null || k === null) return { error: `invalid TLS client certificate: ${what} must be set together` };
    return { cert: c, key: k };
  };
  const layers = [
    pair(o.certFile, o.keyFile, 'the certFile and keyFile arguments'),
    pair(variable(STREAM_VARIABLES.tlsCertFile), variable(STREAM_VARIABLES.tlsKeyFile), `${STREAM_VARIABLES.tlsCertFile} and ${STREAM_VARIABLES.tlsKeyFile}`),
    profile && credentialsApply ? pair(profile.tls.certFile, profile.tls.keyFile, 'tls-cert-file and tls-key-file') : null,
  ];
  for (const layer of layers) {
    if (layer === null) continue;
    if ('error' in layer) return layer;
    tls.certFile = layer.cert;
    tls.keyFile = layer.key;
    break;
  }

  const hostVar = variable(STREAM_VARIABLES.tlsDisableHostnameValidation);
  const disableHostname = o.disableHostnameValidation ?? (hostVar !== null ? switchTrue(hostVar) : (profile?.tls.disableHostnameValidation ?? false));
  if (disableHostname) tls.checkServerIdentity = () => undefined;
  return tls;
}

/** ws:// or wss://, a host, no user:password@, no fragment; why not, else the URL. */
function parseWsUrl(text: string): URL | string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'not a valid URL';
  }
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return `'${shown}' must start with ws:// or wss://`;
  if (u.hostname.length === 0) return `'${shown}' has no host`;
  if (u.username || u.password) return 'user:password@ in the URL is not supported';
  if (text.includes('#')) return `'${shown}' must not contain a #fragment`;
  return u;
}

function sameOrigin(a: URL, b: URL): boolean {
  // URL normalises the host's case and drops default ports, so 'wss://H:443' equals 'wss://h'.
  return a.protocol === b.protocol && a.host === b.host;
}

/** A query parameter by name, ignoring case (Azure documents `api-key`). */
export function queryParam(url: URL, name: string): string | null {
  for (const [n, v] of url.searchParams) if (n.toLowerCase() === name) return v;
  return null;
}

function describeOrigin(origin: KeyOrigin): string {
  switch (origin) {
    case 'api-argument':
      return 'the API argument';
    case 'channel-variable':
      return STREAM_VARIABLES.apiKey;
    case 'extra-headers':
      return STREAM_VARIABLES.extraHeaders;
    case 'profile':
      return 'the profile';
    case 'none':
      return 'nowhere';
  }
}
