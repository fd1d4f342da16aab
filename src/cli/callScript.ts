/**
 * The `--script` file of `npm run call`, checked line by line before the call starts (one clear
 * `<file>:<line>: <problem>` instead of the host simulator's usage text) and rewritten where the
 * README's forms need it: `uuid_openai_s2s ^^|${uuid}|client.event|{...}` already names the uuid
 * inside its own delimiter syntax, so it goes to the host simulator as a raw `api` line (which adds
 * no uuid) instead of getting a second uuid in front.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './callArguments.js';

/** Commands a script line may name after its time (anything else is uuid_openai_audio_stream's arguments). */
const NAMED = new Set(['api', 'hangup', 'dtmf', 'uuid_openai_audio_stream', 'uuid_raw_audio_stream', 'uuid_openai_s2s', 'openai_realtime']);

/** Checks and rewrites a script's text; the result is what the host simulator runs. */
export function prepareScript(text: string, file: string): string {
  const out: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      out.push(line);
      return;
    }
    const where = `${file}:${index + 1}`;
    const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
    if (!match || !/^\d+$/.test(match[1]!)) throw new UsageError(`${where}: expected '<ms> <command>', got ${JSON.stringify(trimmed)}`);
    const [, ms, first, rest = ''] = match as unknown as [string, string, string, string | undefined];
    if (first === 'dtmf' && !/^[0-9A-Da-d*#]+$/.test(rest)) throw new UsageError(`${where}: dtmf wants digits (0-9, *, #, A-D)`);
    if (first === 'api' && rest === '') throw new UsageError(`${where}: expected '<ms> api <name> <args>'`);
    if (NAMED.has(first) && first !== 'hangup' && first !== 'api' && first !== 'dtmf' && first !== 'openai_realtime' && rest === '') {
      throw new UsageError(`${where}: ${first} needs arguments`);
    }
    if (first === 'uuid_openai_s2s' && rest.startsWith('^^')) {
      out.push(`${ms} api uuid_openai_s2s ${rest}`);
      return;
    }
    out.push(line);
  });
  return out.join('\n');
}

export function readScript(path: string): string {
  return prepareScript(readFileSync(path, 'utf8'), path);
}
