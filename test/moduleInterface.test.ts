// The facts the C side of the module (native/freeswitch/mod_openai_realtime.c, which runs before
// Node starts, and the bridge) and the TypeScript side both need, checked against each other so
// neither can drift: the API commands, the event subclasses, which channel variables are secrets,
// and how many JS threads the bridge can wake. The C files are read as text; nothing is built.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODULE_APIS } from '../src/apiNames.js';
import { HostError, PlaybackMode, PollBits } from '../src/bridge.js';
import { SECRET_NAME_PARTS, SECRET_VARIABLES, isSecretVariable } from '../src/call/secretVariables.js';
import { AUDIO_STREAM_EVENTS } from '../src/events/audioStreamEvents.js';
import { REALTIME_EVENTS } from '../src/events/realtimeEvents.js';
import { S2S_EVENTS } from '../src/events/s2sEvents.js';
import { MAX_WORKERS } from '../src/runtime/workerCount.js';
import { MODULE_EVENT_SUBCLASSES } from '../packages/esl/src/moduleEvents.js';

const C = readFileSync(new URL('../native/freeswitch/mod_openai_realtime.c', import.meta.url), 'utf8');

/** The string literals of a NULL-terminated `static const char *const <name>[] = {...};` table. */
function cTable(name: string): string[] {
  const match = new RegExp(`\\b${name}\\[\\]\\s*=\\s*\\{([^}]*)\\}`).exec(C);
  if (!match) throw new Error(`table ${name} not found in mod_openai_realtime.c`);
  return [...match[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

describe('the C and TypeScript sides of the module agree on', () => {
  it('the API commands', () => {
    expect(new Set(cTable('oair_apis'))).toEqual(new Set(MODULE_APIS));
  });

  it('the event subclasses (every one the runtime fires is reserved by the module)', () => {
    const fired = [...Object.values(AUDIO_STREAM_EVENTS), ...Object.values(S2S_EVENTS), ...Object.values(REALTIME_EVENTS)];
    expect(new Set(cTable('oair_event_subclasses'))).toEqual(new Set(fired));
  });

  it('the event subclasses the published ESL client subscribes to (packages/esl keeps its own list: it imports nothing of src/)', () => {
    expect(new Set(MODULE_EVENT_SUBCLASSES)).toEqual(new Set(cTable('oair_event_subclasses')));
  });

  it('the secret channel variables', () => {
    const body = /static int is_secret_name\(const char \*name\)\s*\{([\s\S]*?)\n\}/.exec(C)?.[1] ?? '';
    const exact = [...body.matchAll(/strcasecmp\(v, "([^"]+)"\)/g)].map((m) => m[1]!);
    const parts = [...body.matchAll(/contains_nocase\(v, "([^"]+)"\)/g)].map((m) => m[1]!);
    expect(exact).toEqual([...SECRET_VARIABLES]);
    expect(parts).toEqual([...SECRET_NAME_PARTS]);
    // And the TS predicate follows its lists, in any case.
    for (const name of [...exact, ...parts.map((p) => `MY_${p.toLowerCase()}_X`)]) expect(isSecretVariable(name)).toBe(true);
    expect(isSecretVariable('STREAM_BUFFER_SIZE')).toBe(false);
  });

  it("the host's error codes (native/host.h's oair_host_error owns them; src/bridge.ts mirrors them)", () => {
    const header = readFileSync(new URL('../native/host.h', import.meta.url), 'utf8');
    const body = /typedef enum \{([^}]*)\} oair_host_error;/.exec(header)?.[1] ?? '';
    const codes = Object.fromEntries([...body.matchAll(/OAIR_ERR_(\w+) = (-?\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    const mirrored = Object.fromEntries(Object.entries(HostError).map(([name, code]) => [name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(), code]));
    expect(Object.keys(codes).length).toBeGreaterThan(1);
    expect(mirrored).toEqual(codes);
  });

  it("the channel's playback modes and poll bits (native/bridge/bridge.h owns them; src/bridge.ts mirrors them)", () => {
    const header = readFileSync(new URL('../native/bridge/bridge.h', import.meta.url), 'utf8');
    const constants = (prefix: string): Record<string, number> =>
      Object.fromEntries([...header.matchAll(new RegExp(`constexpr \\w+ k${prefix}(\\w+) = (\\d+);`, 'g'))].map((m) => [m[1]!, Number(m[2])]));
    const pascal = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v]));
    expect(pascal(PlaybackMode)).toEqual(constants('Playback'));
    // The TS name says what JS does with the bit: `room` to top up is the native PlaybackLow.
    const { room, ...rest } = PollBits;
    expect({ ...pascal(rest), PlaybackLow: room }).toEqual(constants('Poll'));
  });

  it('the number of JS threads: the bridge has a waker for the main thread and each session worker', () => {
    const header = readFileSync(new URL('../native/bridge/bridge.h', import.meta.url), 'utf8');
    const wakers = Number(/constexpr int kMaxWakers = (\d+);/.exec(header)?.[1]);
    expect(MAX_WORKERS + 1).toBe(wakers);
  });
});
