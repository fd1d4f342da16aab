// The layer rules of docs/DESIGN.md §9, checked on the imports of every file in src/: a file
// imports only from its own layer or the layers below it; the realtime simulator, the CLI and the
// ESL client stand apart. The rules are listed here once, in the order of the document.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

const FOUNDATION_RUNTIME = ['logger', 'secrets', 'processGuards', 'jsonText', 'faultHooks'].map((f) => `runtime/${f}.ts`);
const FAMILY_SESSIONS = ['session/audioStreamSession.ts', 'session/s2sSession.ts', 'session/familySession.ts'];
/** Files of src/runtime/ that belong to lower layers (the folder holds the lowest and the highest). */
const LOWER_RUNTIME = [...FOUNDATION_RUNTIME, 'runtime/hostConfig.ts', 'runtime/logLevel.ts', 'runtime/sessionRegistry.ts', 'runtime/sessionCapacity.ts'];

/** Bottom to top. `match` gets the path relative to src/. */
const LAYERS: ReadonlyArray<{ name: string; match: (path: string) => boolean }> = [
  {
    name: 'foundation',
    match: (p) => ['bridge.ts', 'apiNames.ts'].includes(p) || /^(protocol|audio)\//.test(p) || FOUNDATION_RUNTIME.includes(p),
  },
  { name: 'configuration', match: (p) => p.startsWith('config/') || p === 'runtime/hostConfig.ts' || p === 'runtime/logLevel.ts' },
  { name: 'media and events', match: (p) => /^(media|events)\//.test(p) },
  { name: 'engine', match: (p) => p.startsWith('session/') && !FAMILY_SESSIONS.includes(p) },
  {
    name: 'call features',
    match: (p) => /^(call|tools|status|diagnostics)\//.test(p) || p === 'runtime/sessionRegistry.ts' || p === 'runtime/sessionCapacity.ts',
  },
  { name: 'API families', match: (p) => FAMILY_SESSIONS.includes(p) },
  { name: 'commands', match: (p) => p.startsWith('commands/') },
  { name: 'runtime', match: (p) => p === 'app.ts' || p === 'main.ts' || (p.startsWith('runtime/') && !LOWER_RUNTIME.includes(p)) },
];

/** Stand-alone parts: what each may import. Nothing in the layers imports them. */
const APART: Readonly<Record<string, (target: string) => boolean>> = {
  // The OpenAI stand-in: the audio helpers and the protocol, nothing of the module.
  simulator: (t) => /^(simulator|audio|protocol)\//.test(t),
  // The simulated-call tools: anything.
  cli: () => true,
};

/**
 * Imports that break a rule today, each with the reason it is still there. The test fails when one
 * of them is gone, so this list only shrinks.
 */
const KNOWN: Readonly<Record<string, string>> = {};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of a file (static, type-only, side-effect and dynamic), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

function layerOf(path: string): number {
  return LAYERS.findIndex((l) => l.match(path));
}

function apartOf(path: string): string | undefined {
  return Object.keys(APART).find((name) => path.startsWith(`${name}/`));
}

const edges = files(SRC).flatMap((file) => importsOf(file).map((target) => ({ from: relative(SRC, file), to: target })));

describe('layers', () => {
  it('every file of src/ belongs to exactly one layer or stands apart', () => {
    const unplaced = files(SRC)
      .map((f) => relative(SRC, f))
      .filter((p) => apartOf(p) === undefined && LAYERS.filter((l) => l.match(p)).length !== 1);
    expect(unplaced).toEqual([]);
  });

  it('imports only point down (or stay in their layer), and the parts apart stay apart', () => {
    const broken: string[] = [];
    for (const { from, to } of edges) {
      const apart = apartOf(from);
      let ok: boolean;
      if (apart !== undefined) ok = APART[apart]!(to);
      else if (apartOf(to) !== undefined) ok = false;
      else ok = layerOf(to) <= layerOf(from);
      if (!ok) broken.push(`${from} -> ${to}`);
    }
    expect(broken.filter((edge) => !(edge in KNOWN))).toEqual([]);
    // A known exception that is fixed leaves the list.
    expect(Object.keys(KNOWN).filter((edge) => !broken.includes(edge))).toEqual([]);
  });
});
