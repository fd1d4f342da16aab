/**
 * A key held so that it does not leak by accident: `String(key)`, template literals,
 * `JSON.stringify` and `util.inspect` (console.log, vitest diffs) all print `[REDACTED]`. Only
 * {@link SecretValue.reveal} gives the text, and the places that call it are the ones that build
 * the handshake. The text is also registered with {@link registerSecret}, so it is redacted from
 * every log line and event even if it escapes another way.
 */
import { inspect } from 'node:util';
import { registerSecret } from '../runtime/secrets.js';

const MARKER = '[REDACTED]';

export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    registerSecret(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MARKER;
  }

  toJSON(): string {
    return MARKER;
  }

  [inspect.custom](): string {
    return MARKER;
  }
}
