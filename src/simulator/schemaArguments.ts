/**
 * Arguments for a simulated function call, made from the tool's JSON schema (`parameters`), so a
 * call the simulator makes is one the application's handler can actually serve: every declared
 * property gets a value of its type. A value is taken, in order, from the schema's `const`,
 * `default`, `examples[0]`, `enum[0]`, an example quoted in its description (`City, e.g. "Paris"`),
 * and otherwise made up from the property name (`"example location"`), the lower bound of a number
 * (or 1), `true`, a one-element array. Depth is bounded: a recursive schema cannot loop.
 */
type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);
const MAX_DEPTH = 6;

/** `e.g. "Paris"`, `for example 'Paris'`, `(eg: Paris)`: the first example a description gives. */
function exampleInDescription(description: unknown): string | undefined {
  if (typeof description !== 'string') return undefined;
  const quoted = /\b(?:e\.g\.|eg|for example|such as|like)[,:]?\s*["'“‘]([^"'”’]+)["'”’]/i.exec(description);
  if (quoted) return quoted[1];
  const bare = /\b(?:e\.g\.|eg|for example|such as)[,:]?\s*([A-Za-z0-9][\w .-]*?)(?:[),;]|$)/i.exec(description);
  return bare?.[1]?.trim() || undefined;
}

function typeOf(schema: Schema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((t): t is string => typeof t === 'string' && t !== 'null');
  if (isSchema(schema.properties)) return 'object';
  return undefined;
}

function valueFor(schema: unknown, name: string, depth: number): unknown {
  if (!isSchema(schema)) return `example ${name}`;
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return valueFor(options[0], name, depth);
  }
  switch (typeOf(schema)) {
    case 'object':
      return depth >= MAX_DEPTH ? {} : objectFor(schema, depth + 1);
    case 'array':
      return depth >= MAX_DEPTH ? [] : [valueFor(schema.items, name, depth + 1)];
    case 'integer':
    case 'number': {
      const low = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1;
      return typeOf(schema) === 'integer' ? Math.ceil(low) : low;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return exampleInDescription(schema.description) ?? `example ${name.replace(/_/g, ' ')}`;
  }
}

function objectFor(schema: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isSchema(schema.properties)) return out;
  for (const [name, property] of Object.entries(schema.properties)) out[name] = valueFor(property, name, depth);
  return out;
}

/** The arguments object for a tool whose `parameters` is `schema` (`{}` when it declares none). */
export function argumentsFromSchema(schema: unknown): Record<string, unknown> {
  return isSchema(schema) ? objectFor(schema, 0) : {};
}
