/**
 * Which protocol a connection speaks, and how a Live connection is addressed and authenticated.
 * Pure functions: the session code calls them with the resolved URL and credential style.
 *
 * - Live is selected by the URL path (`/v1/live/sessions` at OpenAI, `/openai/v1/live/sessions`
 *   at Azure) or explicitly by a `protocol` setting; everything else speaks Realtime.
 * - Live takes no query string: the model goes in `session.start`, and there is no `api-key`
 *   query parameter either. A query found on a Live URL is dropped, and its parameter names (never
 *   values, an `api-key` may be among them) are reported so the caller can log them.
 * - OpenAI keys go as `Authorization: Bearer`; Azure accepts its resource key in an `api-key`
 *   header or an Entra token as a bearer. No `OpenAI-Beta` header is sent to Live.
 */

export type WireProtocol = 'realtime' | 'live';

/** A profile's or channel's `protocol` setting: absent or 'auto' means "from the URL". */
export type ProtocolSetting = WireProtocol | 'auto';

export const LIVE_PATHS = ['/v1/live/sessions', '/openai/v1/live/sessions'] as const;

/** The credential styles the configuration knows (src/config/profile.ts AUTH_STYLES). */
export type CredentialStyle = 'bearer' | 'api-key-header' | 'api-key-query' | 'none';

export type LiveHost = 'openai' | 'azure' | 'other';

function parseUrl(url: string | URL): URL | undefined {
  if (url instanceof URL) return url;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The path, tolerant of one trailing slash. */
export function isLivePath(pathname: string): boolean {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return (LIVE_PATHS as readonly string[]).includes(path);
}

/**
 * True when the connection speaks Live: an explicit setting wins, else the URL's path decides.
 * A URL that does not parse is not Live (the caller reports the bad URL itself).
 */
export function isLiveUrl(url: string | URL, setting: ProtocolSetting = 'auto'): boolean {
  if (setting === 'live') return true;
  if (setting === 'realtime') return false;
  const parsed = parseUrl(url);
  return parsed !== undefined && isLivePath(parsed.pathname);
}

export function selectProtocol(url: string | URL, setting: ProtocolSetting = 'auto'): WireProtocol {
  return isLiveUrl(url, setting) ? 'live' : 'realtime';
}

/** Whose service the URL points at, which decides the credential header. */
export function liveHostOf(url: string | URL): LiveHost {
  const parsed = parseUrl(url);
  if (!parsed) return 'other';
  const host = parsed.hostname.toLowerCase();
  if (host === 'api.openai.com' || host.endsWith('.api.openai.com')) return 'openai';
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com') || host.endsWith('.services.ai.azure.com')) return 'azure';
  return 'other';
}

/** The URL to open for Live: no query, no fragment; what was dropped, by name only. */
export function liveConnectUrl(url: string | URL): { ok: true; url: string; droppedParameters: string[] } | { ok: false; reason: string } {
  const parsed = parseUrl(url);
  if (!parsed) return { ok: false, reason: 'not a valid URL' };
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') return { ok: false, reason: 'a Live URL must be ws:// or wss://' };
  const droppedParameters = [...new Set([...parsed.searchParams.keys()])];
  const clean = new URL(parsed.href);
  clean.search = '';
  clean.hash = '';
  return { ok: true, url: clean.href, droppedParameters };
}

/**
 * The credential style to use for Live, from the configured one. OpenAI only takes a bearer; a
 * query key is impossible on Live and becomes the `api-key` header. `note` says what changed.
 */
export function liveCredentialStyle(requested: CredentialStyle, host: LiveHost): { style: Exclude<CredentialStyle, 'api-key-query'>; note?: string } {
  if (requested === 'none' || requested === 'bearer') return { style: requested };
  if (host === 'openai') return { style: 'bearer', note: `OpenAI's Live endpoint takes the key as Authorization: Bearer, not ${requested}` };
  if (requested === 'api-key-query') return { style: 'api-key-header', note: 'Live takes no query string; the key goes in the api-key header' };
  return { style: requested };
}

/** The handshake headers carrying the credential (none for 'none'). */
export function liveAuthHeaders(style: Exclude<CredentialStyle, 'api-key-query'>, key: string): Record<string, string> {
  switch (style) {
    case 'bearer':
      return { Authorization: `Bearer ${key}` };
    case 'api-key-header':
      return { 'api-key': key };
    case 'none':
      return {};
  }
}

/** Headers that belong to Realtime and must not be sent to Live (compared case-insensitively). */
export const REALTIME_ONLY_HEADERS = ['openai-beta'] as const;
