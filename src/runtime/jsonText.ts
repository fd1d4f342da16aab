/**
 * JSON.parse for text that came from outside (API arguments, channel variables, the configuration
 * file) whose failure is reported to a person. V8's messages quote a piece of the input
 * (`Unexpected token 's', ..."api-key": sk-live-…" is not valid JSON`), so a key inside a malformed
 * argument would reach a `-ERR` reply or a log line. Here the failure says only where it happened,
 * when V8 says so, never what the text was.
 */
export type JsonTextResult = { ok: true; value: unknown } | { ok: false; error: string; position: number | null };

export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    const at = /position (\d+)/.exec(message);
    if (at) return { ok: false, error: `not valid JSON (at position ${at[1]!})`, position: Number(at[1]) };
    if (/end of JSON input/i.test(message)) return { ok: false, error: 'not valid JSON (it ends too early)', position: text.length };
    return { ok: false, error: 'not valid JSON', position: null };
  }
}

/** A JSON object (not an array, not null), or why not: for arguments that must be one event. */
export function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'expected a JSON object' };
  return { ok: true, value: v as Record<string, unknown> };
}

/**
 * How deep the arrays and objects of a JSON text nest (0 for a scalar), scanning the text once,
 * strings skipped. For a bound checked before parsing: a server's parser (and any relay) may refuse
 * or choke on what V8 parses fine, and the module we replace refused more than 128 levels too.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
