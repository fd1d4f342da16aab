/**
 * Handshake header checks shared by profiles (`<header>`) and STREAM_EXTRA_HEADERS: a name must be
 * an RFC 9110 token and not one the WebSocket handshake owns; a value must not contain CR, LF or
 * other control characters (header injection). Messages name the header, never its value.
 */
import { parseJsonObject } from '../runtime/jsonText.js';

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value: visible ASCII, space, tab and obs-text. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the WebSocket handshake sets itself; overriding them breaks the upgrade. */
const HANDSHAKE_HEADERS = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);
/** Header names whose value is a credential (the auth styles set them from the key). */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'api-key']);

/** Why `name` cannot be a handshake header, or null. */
export function headerNameProblem(name: string): string | null {
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name.slice(0, 80))} is not a valid HTTP token`;
  if (HANDSHAKE_HEADERS.has(name.toLowerCase())) return `header '${name}' belongs to the WebSocket handshake`;
  return null;
}

/** Why `value` cannot be the value of header `name`, or null. */
export function headerValueProblem(name: string, value: string): string | null {
  if (/[\r\n]/.test(value)) return `value of header '${name}' contains CR or LF`;
  if (!FIELD_VALUE.test(value)) return `value of header '${name}' contains control characters or characters beyond Latin-1`;
  return null;
}

/** Sets `name: value` in `headers`, replacing a header of the same name in any letter case. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  deleteHeader(headers, name);
  headers[name] = value;
}

export function deleteHeader(headers: Record<string, string>, name: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
}

export function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((h) => h.toLowerCase() === lower);
}

/**
 * STREAM_EXTRA_HEADERS: a JSON object whose members are all strings, each a valid header. The
 * seed silently ignored invalid JSON and sent CR/LF; here both are errors.
 */
export function parseHeaderJson(text: string): { headers: Record<string, string> } | { error: string } {
  // Never the parser's own message: V8 quotes a piece of the text, which may be a credential.
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return { error: parsed.error };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.value)) {
    const nameProblem = headerNameProblem(name);
    if (nameProblem) return { error: nameProblem };
    if (typeof value !== 'string') return { error: `value of header '${name}' must be a string` };
    const valueProblem = headerValueProblem(name, value);
    if (valueProblem) return { error: valueProblem };
    setHeader(headers, name, value);
  }
  return { headers };
}
