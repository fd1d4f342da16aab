/**
 * FreeSWITCH's `switch_true()` (src/include/switch_utils.h), exactly: true for `yes`, `on`,
 * `true`, `t`, `enabled`, `active`, `allow` (case-insensitive, no trimming), or a string that
 * `switch_is_number` accepts (optional sign, then only digits and dots) whose `atoi` is not zero.
 * So `"1"`, `"-2"` and `"1.5"` are true; `"0.5"`, `" true"` and `""` are false.
 */
const TRUE_WORDS = new Set(['yes', 'on', 'true', 't', 'enabled', 'active', 'allow']);

export function switchTrue(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (TRUE_WORDS.has(value.toLowerCase())) return true;
  if (!/^[+-]?[0-9.]*$/.test(value)) return false;
  // atoi: optional sign then leading digits; "1.5" → 1, ".5" → 0, "-" → 0.
  const m = /^[+-]?[0-9]+/.exec(value);
  return m !== null && Number(m[0]) !== 0;
}
