/**
 * Identifiers shaped like OpenAI's: a type prefix, an underscore, then opaque base62 text
 * (`event_BJhGrwBPTYWUcjbu0hZ9b`, `item_…`, `resp_…`, `sess_…`, `call_…`, `conv_…`).
 * Clients must treat them as opaque; the prefixes only make logs readable.
 */
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'event' | 'item' | 'resp' | 'sess' | 'call' | 'conv';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** OpenAI's ids carry 21–24 characters after the prefix; 21 keeps ours in that range. */
const BODY_LENGTH = 21;

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(BODY_LENGTH);
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[bytes[i]! % ALPHABET.length];
  return `${prefix}_${body}`;
}
