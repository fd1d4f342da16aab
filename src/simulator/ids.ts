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

/** Random bytes drawn in blocks: an id per server event (thousands a second) made one crypto call each. */
const POOL_SIZE = BODY_LENGTH * 512;
let pool = randomBytes(POOL_SIZE);
let poolAt = 0;

export function newId(prefix: IdPrefix): string {
  if (poolAt + BODY_LENGTH > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[pool[poolAt + i]! % ALPHABET.length];
  poolAt += BODY_LENGTH;
  return `${prefix}_${body}`;
}
