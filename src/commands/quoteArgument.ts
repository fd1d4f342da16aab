/**
 * How an error reply shows what the caller typed. Replies go back to fs_cli, ESL applications and
 * dialplan variables, and from there into logs: they must stay one short line, and they must not
 * carry a credential the caller put in the wrong place.
 *
 * - {@link quoteToken}: at most 40 characters, control characters (CR, LF, NUL, ESC…) shown as `?`
 *   (a reply must not grow a second line, a NUL would cut it short in C).
 * - {@link quoteUrlArgument}: a URL without its query, fragment and `user:password@` (where keys
 *   travel: `?api-key=…`), at most 80 characters.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  return shown.replace(CONTROL, '?');
}

export function quoteToken(text: string, max = 40): string {
  return `'${clip(text, max)}'`;
}

export function quoteUrlArgument(text: string): string {
  let shown = text;
  const cut = shown.search(/[?#]/);
  if (cut >= 0) shown = `${shown.slice(0, cut)}${shown[cut]}…`;
  shown = shown.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, '$1…@');
  return `'${clip(shown, 80)}'`;
}
