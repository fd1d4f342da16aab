/**
 * The grammar of `uuid_openai_s2s` (seed README, docs/seed-modules.md §6.1), as a pure parser:
 * the whole argument string in, a typed command or a reply-ready error out.
 *
 *   <uuid> session.create <host> <path> <bearer | query> [api-key]
 *   <uuid> session.create profile:<name>
 *   <uuid> client.event <json>
 *   <uuid> session.delete
 *
 * Splitting, as FreeSWITCH's switch_separate_string does for the seed (without its quote and
 * backslash clean-up, which the seed turned off too): on runs of blanks, or — when the text starts
 * with `^^X` — on the single character X (jambonz calls `^^|<uuid>|client.event|{…}`). Unlike the
 * seed, the JSON of `client.event` is the whole rest of the text after the command, so blanks or
 * the delimiter inside it survive (the seed cut it at the first one).
 *
 * `<host>` is a host name (`api.openai.com`, `<resource>.openai.azure.com`), optionally with a
 * port, and the URL is `wss://<host>/<path>`. It may also be written with its scheme:
 * `wss://host[:port]`, or `ws://host:port` — plain ws:// only with an explicit port, which is what a
 * local test server or proxy needs and what a typo of wss:// (port 80) is not.
 */
import { S2S_API } from '../apiNames.js';
import { PROFILE_NAME } from '../config/moduleSettings.js';
import { PROFILE_PREFIX } from '../config/resolveConnection.js';
import { quoteToken, quoteUrlArgument } from './quoteArgument.js';

export { S2S_API };

export type S2sAuth = 'bearer' | 'query';

export type S2sCommand =
  | { kind: 'create'; uuid: string; profile: string }
  | { kind: 'create'; uuid: string; url: string; auth: S2sAuth; apiKey: string | null }
  | { kind: 'client.event'; uuid: string; json: string }
  | { kind: 'delete'; uuid: string };

export interface S2sGrammarError {
  kind: 'error';
  reply: string;
  /** An api-key seen before the error, so the caller can register it as a secret all the same. */
  apiKey?: string;
}

const MAX_URL = 4096;
const HOST = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::([0-9]{1,5}))?$/;

export function s2sUsageText(): string {
  return [
    'USAGE:',
    '--------------------------------------------------------------------------------',
    `${S2S_API} <uuid> session.create <host> <path> <bearer | query> [api-key]`,
    `${S2S_API} <uuid> session.create profile:<name>`,
    `${S2S_API} <uuid> client.event <json>`,
    `${S2S_API} <uuid> session.delete`,
    '         <host>: api.openai.com, <resource>.openai.azure.com, wss://host[:port]',
    '                 or ws://host:port (plain WebSocket needs an explicit port)',
    '         ^^<d><uuid><d>client.event<d><json> splits on <d> instead of blanks',
    '--------------------------------------------------------------------------------',
  ].join('\n');
}

const error = (reply: string, apiKey?: string): S2sGrammarError => (apiKey ? { kind: 'error', reply, apiKey } : { kind: 'error', reply });
const usageError = (reason: string, apiKey?: string): S2sGrammarError => error(`${s2sUsageText()}\n-ERR ${reason}`, apiKey);

/** The first two fields and the untouched rest of the text. */
interface Split {
  head: string[];
  rest: string;
  /** The delimiter: ' ' means runs of blanks. */
  delimiter: string;
}

function split(text: string): Split {
  if (text.startsWith('^^') && text.length >= 3) {
    const d = text[2]!;
    const body = text.slice(3);
    const head: string[] = [];
    let at = 0;
    while (head.length < 2) {
      const next = body.indexOf(d, at);
      if (next < 0) {
        head.push(body.slice(at));
        return { head, rest: '', delimiter: d };
      }
      head.push(body.slice(at, next));
      at = next + 1;
    }
    return { head, rest: body.slice(at), delimiter: d };
  }
  // Blanks: two words, then the rest as it is (less the blanks that separate it).
  const head: string[] = [];
  let rest = text;
  for (let i = 0; i < 2; i++) {
    rest = rest.replace(/^[ \t\r\n]+/, '');
    const word = /^\S+/.exec(rest)?.[0];
    if (word === undefined) break;
    head.push(word);
    rest = rest.slice(word.length);
  }
  return { head, rest: rest.replace(/^[ \t\r\n]+/, ''), delimiter: ' ' };
}

function fields(rest: string, delimiter: string): string[] {
  if (delimiter === ' ') return rest.split(/[ \t\r\n]+/).filter((t) => t.length > 0);
  return rest.length === 0 ? [] : rest.split(delimiter);
}

export function parseS2sCommand(args: string): S2sCommand | S2sGrammarError {
  const { head, rest, delimiter } = split(args ?? '');
  if (head.length < 2 || head[0]!.length === 0 || head[1]!.length === 0) return usageError('missing arguments');
  const uuid = head[0]!;
  const name = head[1]!.toLowerCase();
  switch (name) {
    case 'session.create':
      return parseCreate(uuid, fields(rest, delimiter));
    case 'client.event': {
      // Blanks around the JSON are not part of it; anything else is, exactly as given.
      const json = rest.trim();
      if (json.length === 0) return error('-ERR client.event requires a JSON client event');
      return { kind: 'client.event', uuid, json };
    }
    case 'session.delete':
      if (fields(rest, delimiter).some((f) => f.trim().length > 0)) return error('-ERR session.delete takes no arguments');
      return { kind: 'delete', uuid };
    default:
      return usageError(`unknown command ${quoteToken(head[1]!)}, expected session.create, client.event or session.delete`);
  }
}

function parseCreate(uuid: string, argv: string[]): S2sCommand | S2sGrammarError {
  const [first, path, authText, key, ...extra] = argv;
  const apiKey = key !== undefined && key.length > 0 ? key : undefined;
  if (first !== undefined && first.startsWith(PROFILE_PREFIX)) {
    if (argv.length > 1) return error('-ERR session.create profile:<name> takes nothing else');
    const profile = first.slice(PROFILE_PREFIX.length);
    if (!PROFILE_NAME.test(profile)) return error(`-ERR invalid profile name ${JSON.stringify(profile.slice(0, 80))} (letters, digits, _ . -; at most 64)`);
    return { kind: 'create', uuid, profile };
  }
  if (first === undefined || path === undefined || authText === undefined) {
    return usageError('session.create requires <host> <path> <bearer | query> [api-key], or profile:<name>', apiKey);
  }
  if (extra.length > 0) return error('-ERR session.create takes at most <host> <path> <bearer | query> [api-key]', apiKey);
  const auth = authText.toLowerCase();
  if (auth !== 'bearer' && auth !== 'query') return error(`-ERR invalid auth-type ${quoteToken(authText)}, expected bearer or query`, apiKey);
  const url = buildUrl(first, path);
  if ('error' in url) return error(`-ERR ${url.error}`, apiKey);
  return { kind: 'create', uuid, url: url.url, auth, apiKey: apiKey ?? null };
}

/** `<host>` + `<path>` → the WebSocket URL, or why not. */
export function buildUrl(hostArg: string, pathArg: string): { url: string } | { error: string } {
  let scheme = 'wss';
  let host = hostArg;
  const m = /^(wss?):\/\/(.*?)\/?$/i.exec(hostArg);
  if (m) {
    scheme = m[1]!.toLowerCase();
    host = m[2]!;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostArg)) {
    return { error: `invalid host ${quoteUrlArgument(hostArg)}: the scheme must be wss:// or ws://` };
  }
  const h = HOST.exec(host);
  if (!h) return { error: `invalid host ${quoteUrlArgument(hostArg)}: expected a host name, optionally with :port` };
  const port = h[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { error: `invalid host ${quoteUrlArgument(hostArg)}: bad port` };
  if (scheme === 'ws' && port === undefined) {
    return { error: `invalid host ${quoteUrlArgument(hostArg)}: ws:// needs an explicit port (plain WebSocket is for local test servers; use wss:// otherwise)` };
  }
  if (/[\s#]/.test(pathArg)) return { error: 'invalid path: no blanks or # allowed' };
  const url = `${scheme}://${host}/${pathArg.replace(/^\/+/, '')}`;
  if (url.length >= MAX_URL) return { error: `invalid path: the URL is longer than ${MAX_URL - 1} characters` };
  return { url };
}
