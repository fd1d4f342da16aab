/**
 * Small field checks shared by the Live parsers. Each answers a question about one value and
 * never throws; the parsers turn a "no" into a reason that names the field, never its value (a
 * value may be an API key the application put in the wrong place).
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A type name taken from the wire, for a reason text: quoted when it looks like an event name
 * (letters, digits, `_` and `.`), else only described: a key pasted into the wrong field has a
 * `-` and must not be echoed.
 */
export function quoteType(type: string): string {
  return /^[A-Za-z0-9_.]{1,60}$/.test(type) ? `'${type}'` : 'an unrecognised type';
}

/** Parse JSON text without throwing; the failure says nothing about the text's content. */
export function parseJsonValue(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** What the parsers accept: JSON text as received, or a value already parsed from it. */
export function objectFrom(input: unknown): { ok: true; value: JsonObject } | { ok: false; reason: string } {
  let value = input;
  if (typeof input === 'string') {
    const parsed = parseJsonValue(input);
    if (!parsed.ok) return { ok: false, reason: 'not valid JSON' };
    value = parsed.value;
  } else if (input instanceof Uint8Array) {
    return { ok: false, reason: 'a binary frame (Live takes JSON text frames)' };
  }
  if (!isObject(value)) return { ok: false, reason: `expected one JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  return { ok: true, value };
}
