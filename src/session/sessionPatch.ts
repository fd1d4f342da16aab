/**
 * What a server session looks like after a series of `session.update`s, as the client must
 * remember it to replay after a reconnect. The server changes only the fields an update names
 * (docs/realtime-protocol.md §3.1), nested ones included: `{"audio":{"output":{"voice":"cedar"}}}`
 * keeps the input format set earlier. So patches merge deeply into plain objects; anything else
 * (arrays such as `tools`, strings, `null` for "turn off") replaces what was there.
 */
type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A new object: `base` with `patch` applied. Neither argument is modified. */
export function mergeSessionPatch(base: Readonly<Json> | null, patch: Readonly<Json>): Json {
  const out: Json = base ? (structuredClone(base) as Json) : {};
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeSessionPatch(current, value) : structuredClone(value);
  }
  return out;
}
