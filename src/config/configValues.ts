/**
 * Typed readers for `value="..."` attributes: each returns the typed value or throws a
 * {@link ConfigError} naming the place. Values are trimmed first (FreeSWITCH copies attribute text
 * verbatim, so `" 5000"` is a typo worth forgiving, not a different value). Only these readers
 * quote the offending value, and none of them is used for a key.
 */
import { configError, quoteValue, type ConfigPlace } from './configError.js';

export function readInteger(place: ConfigPlace, raw: string, min: number, max: number): number {
  const v = raw.trim();
  if (!/^[+]?[0-9]+$/.test(v)) throw configError(place, `expected an integer ${min}..${max}, got ${quoteValue(raw)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw configError(place, `${quoteValue(raw)} is out of range ${min}..${max}`);
  return n;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * Booleans are strict here (unlike channel variables, which follow switch_true): a typo such as
 * "ture" in a file that is validated at load should be an error, not a silent false.
 */
export function readBoolean(place: ConfigPlace, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw configError(place, `expected true or false (also yes/no, on/off, 1/0), got ${quoteValue(raw)}`);
}

export function readEnum<T extends string>(place: ConfigPlace, raw: string, allowed: readonly T[]): T {
  const v = raw.trim().toLowerCase();
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) throw configError(place, `expected one of ${allowed.join(' | ')}, got ${quoteValue(raw)}`);
  return hit;
}

/** A comma-separated list: items trimmed, empty items dropped, duplicates removed, each checked. */
export function readList(place: ConfigPlace, raw: string, check: (item: string) => string | null): string[] {
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item.length === 0 || out.includes(item)) continue;
    const problem = check(item);
    if (problem !== null) throw configError(place, problem);
    out.push(item);
  }
  return out;
}

/** A path or other free text; '' means "not set" (null). Control characters are refused. */
export function readOptionalText(place: ConfigPlace, raw: string): string | null {
  const v = raw.trim();
  if (v.length === 0) return null;
  if (/[\x00-\x1f\x7f]/.test(v)) throw configError(place, 'contains control characters');
  return v;
}
