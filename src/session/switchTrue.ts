/**
 * FreeSWITCH's `switch_true()`: the seed read every boolean STREAM_* variable with it, so a
 * dialplan that worked there works here. True is `yes|on|true|t|enabled|active|allow`
 * (case-insensitive) or a number other than zero; anything else, and an unset variable, is false.
 */
const TRUE_WORDS = new Set(['yes', 'on', 'true', 't', 'enabled', 'active', 'allow']);

export function switchTrue(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  // switch_is_number accepts an optional sign, digits and at most one decimal point.
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return Number(v) !== 0;
  return false;
}

