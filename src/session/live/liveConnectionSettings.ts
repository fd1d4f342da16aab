/**
 * The socket a GPT-Live session opens, from the connection the command resolved (URL and handshake
 * headers, auth applied by config/resolveConnection.ts). Live differs from Realtime here only:
 *
 * - no query string at all (liveConnectUrl): a key that `auth api-key-query` (or the s2s `query`
 *   auth) put in the URL moves to the `api-key` header, or to `Authorization: Bearer` for OpenAI's
 *   host, which takes nothing else (liveCredentialStyle);
 * - an `api-key` header meant for OpenAI's host becomes a bearer, for the same reason;
 * - no `OpenAI-Beta` header (REALTIME_ONLY_HEADERS).
 *
 * `notes` say what changed, by name only (never a value: the query may hold the key).
 */
import { liveAuthHeaders, liveConnectUrl, liveCredentialStyle, liveHostOf, REALTIME_ONLY_HEADERS } from '../../protocol/live/liveEndpoint.js';

export interface LiveSocketSettings {
  url: string;
  headers: Record<string, string>;
  notes: string[];
}

export function liveSocketSettings(url: string, headers: Readonly<Record<string, string>>): LiveSocketSettings | { error: string } {
  const clean = liveConnectUrl(url);
  if (!clean.ok) return { error: clean.reason };
  const notes: string[] = [];
  const host = liveHostOf(url);
  const out: Record<string, string> = {};
  let apiKeyHeader: string | null = null;
  let hasAuthorization = false;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if ((REALTIME_ONLY_HEADERS as readonly string[]).includes(lower)) {
      notes.push(`header ${name} is not sent to GPT-Live`);
      continue;
    }
    if (lower === 'api-key') {
      apiKeyHeader = value;
      continue;
    }
    if (lower === 'authorization') hasAuthorization = true;
    out[name] = value;
  }
  let queryKey: string | null = null;
  try {
    queryKey = new URL(url).searchParams.get('api-key');
  } catch {
    queryKey = null;
  }
  if (clean.droppedParameters.length > 0) {
    notes.push(`GPT-Live takes no query string: ${clean.droppedParameters.join(', ')} not sent in the URL`);
  }
  const key = apiKeyHeader ?? queryKey;
  if (key !== null && !hasAuthorization) {
    const requested = apiKeyHeader !== null ? 'api-key-header' : 'api-key-query';
    const style = liveCredentialStyle(requested, host);
    if (style.note) notes.push(style.note);
    Object.assign(out, liveAuthHeaders(style.style, key));
  }
  return { url: clean.url, headers: out, notes };
}
