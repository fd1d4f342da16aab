/**
 * A `<profile>`: where and how a session connects, and what it starts with. Parsed and validated
 * once per load into a deeply frozen {@link Profile}; a running session keeps the object it was
 * given, so a reload never changes a call in progress.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { parseJsonText } from '../runtime/jsonText.js';
import { ConfigError, configError, quoteValue, type ConfigPlace } from './configError.js';
import { isLiveUrl } from '../protocol/live/liveEndpoint.js';
import { readBoolean, readEnum, readInteger, readList, readOptionalText } from './configValues.js';
import { CREDENTIAL_HEADERS, headerNameProblem, headerValueProblem } from './httpHeaders.js';
import { readEnvKey, readInlineKey, readKeyFile, type KeySource } from './keySources.js';
import { MAX_LIVE_PLAYOUT_DELAY_MS, paramAttributes, PROFILE_NAME } from './moduleSettings.js';
import type { SecretValue } from './secretValue.js';
import type { XmlElement } from './xmlReader.js';

export const AUTH_STYLES = ['bearer', 'api-key-header', 'api-key-query', 'none'] as const;
export type AuthStyle = (typeof AUTH_STYLES)[number];
/** `protocol`: `auto` (from the URL path: /v1/live/sessions is GPT-Live), `realtime` or `live`. */
export const PROTOCOL_SETTINGS = ['auto', 'realtime', 'live'] as const;
export type ProtocolChoice = (typeof PROTOCOL_SETTINGS)[number];

/** The ready-made tools a profile may enable (implemented by the call-control work). */
export const KNOWN_TOOLS = ['end_call', 'transfer_call', 'send_dtmf'] as const;

export interface ProfileTls {
  /** 'SYSTEM' (Node's CA store), 'NONE' (no peer verification) or the path of a PEM CA file. */
  readonly ca: string;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly disableHostnameValidation: boolean;
}

export interface Profile {
  readonly name: string;
  /** Where it was defined, for messages. */
  readonly file: string;
  readonly line: number;
  /** ws:// or wss:// URL, without credentials. */
  readonly url: string;
  readonly auth: AuthStyle;
  /** Which wire protocol the profile speaks (src/protocol/live/liveEndpoint.ts selectProtocol). */
  readonly protocol: ProtocolChoice;
  /** Null only when `auth` is 'none'. */
  readonly key: SecretValue | null;
  readonly keySource: KeySource | null;
  /** Extra handshake headers (never Authorization or api-key: those come from `auth`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: ProfileTls;
  readonly reconnect: boolean;
  readonly maxConnectAttempts: number;
  /** Ping interval in seconds; 0 = none. */
  readonly heartbeatS: number;
  /** Offer permessage-deflate. */
  readonly deflate: boolean;
  readonly allowedTransferDestinations: readonly string[];
  readonly tools: readonly string[];
  /** Call length and idle policy for the profile's calls (null: the module setting applies; a channel variable beats both). */
  readonly maxCallDurationS: number | null;
  readonly idlePromptS: number | null;
  readonly idleHangupS: number | null;
  /** GPT-Live's jitter buffer for the profile's calls, ms (null: the module setting; the channel variable beats both). */
  readonly livePlayoutDelayMs: number | null;
  /** The `session` object of the session.update sent after session.created, or null. */
  readonly session: Readonly<Record<string, unknown>> | null;
}

export const PROFILE_DEFAULTS = {
  auth: 'bearer' as AuthStyle,
  tlsCa: 'SYSTEM',
  reconnect: true,
  maxConnectAttempts: 10,
  heartbeatS: 0,
  // Off, as the seed module really behaved (its IXWebSocket never offered deflate, whatever its
  // README said): compressing base64 audio frames costs about 50 % more CPU and 600 kB per call
  // (bench/, issue 7) and saves little on audio. `deflate` true or STREAM_MESSAGE_DEFLATE=false asks for it.
  deflate: false,
};

/** The longest heartbeat: beyond it setInterval would overflow (2^31 ms) long before it mattered. */
export const MAX_HEARTBEAT_S = 3600;
const MAX_CONNECT_ATTEMPTS = 1000;
const MAX_DESTINATION_LENGTH = 256;
/** The longest call length or idle time a profile may set (a day, as the module settings). */
const MAX_CALL_SECONDS = 86_400;

const PARAMS = new Set([
  'url',
  'auth',
  'api-key',
  'api-key-file',
  'api-key-env',
  'tls-ca-file',
  'tls-cert-file',
  'tls-key-file',
  'tls-disable-hostname-validation',
  'reconnect',
  'max-connect-attempts',
  'heartbeat-s',
  'deflate',
  'allowed-transfer-destinations',
  'tools',
  'protocol',
  'max-call-duration-s',
  'idle-prompt-s',
  'idle-hangup-s',
  'live-playout-delay-ms',
]);

export interface ProfileContext {
  file: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Largest `<session>` JSON (the max-send-json-bytes setting). */
  maxSessionBytes: number;
  /** Collected warnings (never containing a key). */
  warnings: string[];
}

export function readProfile(element: XmlElement, ctx: ProfileContext): Profile {
  const { file } = ctx;
  const here = (line: number, what: string): ConfigPlace => ({ file, line, what });
  for (const attr of element.attributes.keys()) {
    if (attr !== 'name') throw configError(here(element.line, 'profile'), `unexpected attribute '${attr}' on <profile> (only name)`);
  }
  const name = element.attributes.get('name')?.trim() ?? '';
  if (!PROFILE_NAME.test(name)) {
    throw configError(here(element.line, 'profile'), name ? `${JSON.stringify(name.slice(0, 80))} is not a valid profile name (letters, digits, _ . -; at most 64)` : '<profile> without a name');
  }
  const label = `profile "${name}"`;

  // Collect first (duplicates, unknown names), then interpret in a fixed order.
  const params = new Map<string, { value: string; line: number }>();
  const headers: Record<string, string> = {};
  const headerLines = new Map<string, number>();
  let sessionElement: XmlElement | null = null;
  for (const child of element.children) {
    if (child.name === 'param') {
      const { name: param, value } = paramAttributes(child, file, label);
      const lower = param.toLowerCase();
      const place = here(child.line, `${label}, param "${param}"`);
      if (!PARAMS.has(lower)) throw configError(place, `unknown profile param (known: ${[...PARAMS].join(', ')})`);
      const first = params.get(lower);
      if (first) throw configError(place, `set twice (first on line ${first.line})`);
      params.set(lower, { value, line: child.line });
    } else if (child.name === 'header') {
      const { name: header, value } = paramAttributes(child, file, label);
      const place = here(child.line, `${label}, header "${header}"`);
      const nameProblem = headerNameProblem(header);
      if (nameProblem) throw configError(place, nameProblem);
      if (CREDENTIAL_HEADERS.has(header.toLowerCase())) {
        throw configError(place, `set the key with api-key, api-key-file or api-key-env and choose how it is sent with auth, not as a header`);
      }
      const first = headerLines.get(header.toLowerCase());
      if (first !== undefined) throw configError(place, `header set twice (first on line ${first})`);
      const trimmed = value.trim();
      const valueProblem = headerValueProblem(header, trimmed);
      if (valueProblem) throw configError(place, valueProblem);
      headerLines.set(header.toLowerCase(), child.line);
      headers[header] = trimmed;
    } else if (child.name === 'session') {
      if (sessionElement) throw configError(here(child.line, label), `<session> given twice (first on line ${sessionElement.line})`);
      sessionElement = child;
    } else {
      throw configError(here(child.line, label), `unexpected <${child.name}> (expected <param>, <header> or <session>)`);
    }
  }
  const get = (param: string): { value: string; place: ConfigPlace } | null => {
    const p = params.get(param);
    return p ? { value: p.value, place: here(p.line, `${label}, param "${param}"`) } : null;
  };

  const urlParam = get('url');
  if (!urlParam) throw configError(here(element.line, label), 'has no url param');
  const url = readUrl(urlParam.place, urlParam.value);

  const protocolParam = get('protocol');
  const protocol = protocolParam ? readEnum(protocolParam.place, protocolParam.value, PROTOCOL_SETTINGS) : 'auto';

  const authParam = get('auth');
  const auth = authParam ? readEnum(authParam.place, authParam.value, AUTH_STYLES) : PROFILE_DEFAULTS.auth;

  // Exactly one key source (none for auth "none"); an empty value counts as not given.
  const sources = (['api-key', 'api-key-file', 'api-key-env'] as const)
    .map((p) => ({ param: p, given: get(p) }))
    .filter((s): s is { param: 'api-key' | 'api-key-file' | 'api-key-env'; given: { value: string; place: ConfigPlace } } => s.given !== null && s.given.value.trim().length > 0)
    .sort((a, b) => a.given.place.line - b.given.place.line);
  let key: SecretValue | null = null;
  let keySource: KeySource | null = null;
  if (auth === 'none') {
    if (sources.length > 0) throw configError(sources[0]!.given.place, 'auth is "none": remove the key, or choose bearer, api-key-header or api-key-query');
  } else {
    if (sources.length === 0) {
      throw configError((authParam?.place ?? here(element.line, label)), `auth "${auth}" needs a key: set exactly one of api-key, api-key-file, api-key-env`);
    }
    if (sources.length > 1) {
      throw configError(sources[1]!.given.place, `more than one key source (${sources.map((s) => s.param).join(', ')}): set exactly one`);
    }
    const source = sources[0]!;
    if (source.param === 'api-key') {
      key = readInlineKey(source.given.place, source.given.value);
      keySource = { kind: 'inline' };
    } else if (source.param === 'api-key-file') {
      const path = source.given.value.trim();
      const loaded = readKeyFile(source.given.place, path);
      if (loaded.warning) ctx.warnings.push(`${file}:${source.given.place.line}: ${loaded.warning}`);
      key = loaded.key;
      keySource = { kind: 'file', path };
    } else {
      const envName = source.given.value.trim();
      key = readEnvKey(source.given.place, envName, ctx.env);
      keySource = { kind: 'env', name: envName };
    }
  }

  const tls = readTls(get);
  const reconnectParam = get('reconnect');
  const attemptsParam = get('max-connect-attempts');
  const heartbeatParam = get('heartbeat-s');
  const deflateParam = get('deflate');
  const destinationsParam = get('allowed-transfer-destinations');
  const toolsParam = get('tools');
  const tools = toolsParam
    ? readList(toolsParam.place, toolsParam.value, (t) =>
        (KNOWN_TOOLS as readonly string[]).includes(t) ? null : `unknown tool ${quoteValue(t)} (known: ${KNOWN_TOOLS.join(', ')})`,
      )
    : [];
  const allowedTransferDestinations = destinationsParam
    ? readList(destinationsParam.place, destinationsParam.value, (d) => {
        if (d.length > MAX_DESTINATION_LENGTH) return `destination longer than ${MAX_DESTINATION_LENGTH} characters`;
        if (/[\s\x00-\x1f\x7f]/.test(d)) return `destination ${quoteValue(d)} contains whitespace or control characters`;
        return null;
      })
    : [];
  if (tools.includes('transfer_call') && allowedTransferDestinations.length === 0) {
    ctx.warnings.push(`${file}:${toolsParam!.place.line}: ${label}: tools has transfer_call but allowed-transfer-destinations is empty, so every transfer will be refused`);
  }

  const profile: Profile = {
    name,
    file,
    line: element.line,
    url,
    auth,
    protocol,
    key,
    keySource,
    headers,
    tls,
    reconnect: reconnectParam ? readBoolean(reconnectParam.place, reconnectParam.value) : PROFILE_DEFAULTS.reconnect,
    maxConnectAttempts: attemptsParam ? readInteger(attemptsParam.place, attemptsParam.value, 1, MAX_CONNECT_ATTEMPTS) : PROFILE_DEFAULTS.maxConnectAttempts,
    heartbeatS: heartbeatParam ? readInteger(heartbeatParam.place, heartbeatParam.value, 0, MAX_HEARTBEAT_S) : PROFILE_DEFAULTS.heartbeatS,
    deflate: deflateParam ? readBoolean(deflateParam.place, deflateParam.value) : PROFILE_DEFAULTS.deflate,
    allowedTransferDestinations,
    tools,
    ...readCallTimes(get),
    livePlayoutDelayMs: readLivePlayoutDelay(get),
    session: sessionElement ? readSession(here(sessionElement.line, `${label}, <session>`), sessionElement, ctx.maxSessionBytes, isLiveUrl(url, protocol)) : null,
  };
  return deepFreeze(profile);
}

function readCallTimes(get: (param: string) => { value: string; place: ConfigPlace } | null): Pick<Profile, 'maxCallDurationS' | 'idlePromptS' | 'idleHangupS'> {
  const seconds = (param: string): number | null => {
    const p = get(param);
    return p ? readInteger(p.place, p.value, 0, MAX_CALL_SECONDS) : null;
  };
  return { maxCallDurationS: seconds('max-call-duration-s'), idlePromptS: seconds('idle-prompt-s'), idleHangupS: seconds('idle-hangup-s') };
}

/** `live-playout-delay-ms`: the bounds of the module setting of the same name. */
function readLivePlayoutDelay(get: (param: string) => { value: string; place: ConfigPlace } | null): number | null {
  const p = get('live-playout-delay-ms');
  return p ? readInteger(p.place, p.value, 0, MAX_LIVE_PLAYOUT_DELAY_MS) : null;
}

/** ws:// or wss://, a host, no user:password, no fragment, and no key in the query. */
function readUrl(place: ConfigPlace, raw: string): string {
  const v = raw.trim();
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw configError(place, 'is not a valid URL');
  }
  // Messages show scheme, host and path only: a query may hold something private.
  const shown = `${u.protocol}//${u.host}${u.pathname}`;
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw configError(place, `'${shown}' must start with ws:// or wss://`);
  if (u.hostname.length === 0) throw configError(place, `'${shown}' has no host`);
  if (u.username || u.password) throw configError(place, 'must not contain user:password@ (set the key with api-key*)');
  if (v.includes('#')) throw configError(place, `'${shown}' must not contain a #fragment`);
  for (const name of u.searchParams.keys()) {
    if (name.toLowerCase() === 'api-key') throw configError(place, 'must not contain an api-key query parameter: set the key with api-key* and auth "api-key-query"');
  }
  return v;
}

function readTls(get: (param: string) => { value: string; place: ConfigPlace } | null): ProfileTls {
  const caParam = get('tls-ca-file');
  let ca = PROFILE_DEFAULTS.tlsCa;
  if (caParam) {
    const v = readOptionalText(caParam.place, caParam.value);
    if (v === null || v.toUpperCase() === 'SYSTEM') ca = 'SYSTEM';
    else if (v.toUpperCase() === 'NONE') ca = 'NONE';
    else ca = readableFile(caParam.place, v);
  }
  const certParam = get('tls-cert-file');
  const keyParam = get('tls-key-file');
  const cert = certParam ? readOptionalText(certParam.place, certParam.value) : null;
  const key = keyParam ? readOptionalText(keyParam.place, keyParam.value) : null;
  if ((cert === null) !== (key === null)) {
    const place = (cert === null ? keyParam : certParam)!.place;
    throw configError(place, 'tls-cert-file and tls-key-file must be set together (a client certificate and its key)');
  }
  const hostParam = get('tls-disable-hostname-validation');
  return {
    ca,
    certFile: cert === null ? null : readableFile(certParam!.place, cert),
    keyFile: key === null ? null : readableFile(keyParam!.place, key),
    disableHostnameValidation: hostParam ? readBoolean(hostParam.place, hostParam.value) : false,
  };
}

/** TLS files are read when a session connects; here they only have to exist and be readable. */
function readableFile(place: ConfigPlace, path: string): string {
  if (!path.startsWith('/')) throw configError(place, `'${path}' must be an absolute path (or SYSTEM / NONE for tls-ca-file)`);
  try {
    if (!statSync(path).isFile()) throw configError(place, `'${path}' is not a regular file`);
    accessSync(path, constants.R_OK);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw configError(place, `cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return path;
}

function readSession(place: ConfigPlace, element: XmlElement, maxBytes: number, live: boolean): Readonly<Record<string, unknown>> {
  if (element.attributes.size > 0) throw configError(place, '<session> takes no attributes');
  if (element.children.length > 0) throw configError(place, `unexpected <${element.children[0]!.name}> inside <session> (wrap the JSON in <![CDATA[ ]]>)`);
  const text = element.text.trim();
  if (text.length === 0) throw configError(place, 'is empty (remove it, or give a JSON object)');
  if (Buffer.byteLength(text) > maxBytes) throw configError(place, `is larger than max-send-json-bytes (${maxBytes})`);
  // The parser's own message quotes the text; ours gives the position only.
  const result = parseJsonText(text);
  if (!result.ok) {
    // Point at the file line of the JSON error when V8 gives a position.
    const lead = element.text.length - element.text.trimStart().length;
    const line = result.position !== null ? place.line + (element.text.slice(0, lead + result.position).match(/\n/g)?.length ?? 0) : place.line;
    throw configError({ ...place, line }, `is ${result.error}`);
  }
  const parsed = result.value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw configError(place, 'must be a JSON object');
  const type = (parsed as Record<string, unknown>).type;
  if (live) {
    // GPT-Live: the `session` of session.start (docs/gpt-live.md), which has no type and needs a model.
    if (type !== undefined) throw configError(place, 'is a GPT-Live session (the session of session.start): it has no "type"');
    if (typeof (parsed as Record<string, unknown>).model !== 'string') throw configError(place, 'is a GPT-Live session: it needs a "model" (e.g. "gpt-live-1")');
    return parsed as Record<string, unknown>;
  }
  if (type !== 'realtime') {
    throw configError(place, `must have "type": "realtime" (the GA session object${typeof type === 'string' ? `; got ${quoteValue(type)}` : ''})`);
  }
  return parsed as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    // SecretValue keeps its text in a private field; freezing the wrapper is enough.
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
