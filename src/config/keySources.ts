/**
 * The three places a profile's key can come from, each read once when the file is loaded:
 * `api-key` (inline), `api-key-file` (a file, trailing newline removed, mode checked) and
 * `api-key-env` (an environment variable of the FreeSWITCH process, read, never written). Each
 * key becomes a {@link SecretValue} (registered for redaction) before anything else looks at it,
 * and no message here contains it.
 */
import { configError, type ConfigPlace } from './configError.js';
import { formatMode, readSmallFile } from './readSmallFile.js';
import { SecretValue } from './secretValue.js';

export type KeySource = { kind: 'inline' } | { kind: 'file'; path: string } | { kind: 'env'; name: string };

/** Key files are a line of text; anything bigger is not a key file. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 8192;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `key` cannot be sent in a header or query string (without quoting it), or null. */
export function keyProblem(key: string): string | null {
  if (key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(key)) return 'contains whitespace, control or non-ASCII characters';
  return null;
}

export function readInlineKey(place: ConfigPlace, raw: string): SecretValue {
  // Registered first: whatever happens next, this text is redacted from logs.
  const key = new SecretValue(raw);
  const problem = keyProblem(raw);
  if (problem) throw configError(place, `the key ${problem}`);
  return key;
}

/** Reads a key file; `warning` is set when its mode is wider than 0600 (it names the file only). */
export function readKeyFile(place: ConfigPlace, path: string): { key: SecretValue; warning: string | null } {
  if (!path.startsWith('/')) throw configError(place, `'${path}' must be an absolute path`);
  const file = readSmallFile(path, MAX_KEY_FILE_BYTES);
  if (!file.ok) throw configError(place, `key file ${file.problem}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
  } catch {
    throw configError(place, `key file '${path}' is not UTF-8 text`);
  }
  const trimmed = text.replace(/[\r\n]+$/, '');
  const key = new SecretValue(trimmed);
  const problem = keyProblem(trimmed);
  if (problem) throw configError(place, `the key in '${path}' ${problem}`);
  const warning =
    (file.mode & 0o177) !== 0
      ? `${place.what}: key file '${path}' has mode ${formatMode(file.mode)}, wider than 0600: other users may read the key (chmod 600 '${path}')`
      : null;
  return { key, warning };
}

export function readEnvKey(place: ConfigPlace, name: string, env: Readonly<Record<string, string | undefined>>): SecretValue {
  if (!ENV_NAME.test(name)) throw configError(place, `${JSON.stringify(name.slice(0, 80))} is not an environment variable name`);
  const value = env[name];
  if (value === undefined || value.length === 0) {
    throw configError(place, `environment variable ${name} is not set (or empty) in the FreeSWITCH process`);
  }
  const trimmed = value.replace(/[\r\n]+$/, '');
  const key = new SecretValue(trimmed);
  const problem = keyProblem(trimmed);
  if (problem) throw configError(place, `the key in environment variable ${name} ${problem}`);
  return key;
}
