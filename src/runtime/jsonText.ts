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
