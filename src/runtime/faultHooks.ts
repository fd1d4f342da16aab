/**
 * A test hook that makes one session's own code throw: `openai_realtime debug throw-in-session
 * <uuid> [media|server]`, available only when the host enables test hooks. It exists so tests can
 * prove what docs/DESIGN.md §4 promises: an exception in one session's code ends that session only —
 * other calls keep their audio and the module keeps answering commands.
 *
 * The engine asks {@link throwIfArmed} at two places where session code runs: the media handler
 * (every wake, through the media pump) and the server-frame handler (every text frame, through the
 * socket). While nothing is armed that costs one Map size check.
 */
export type FaultSite = 'media' | 'server';

export const FAULT_SITES: readonly FaultSite[] = ['media', 'server'];

const armed = new Map<string, FaultSite>();

/** The next time `uuid`'s session runs code at `site`, it throws (once). */
export function armSessionFault(uuid: string, site: FaultSite): void {
  armed.set(uuid.toLowerCase(), site);
}

/** Throws the armed fault of `uuid` at `site`, if there is one; disarms it. */
export function throwIfArmed(uuid: string, site: FaultSite): void {
  if (armed.size === 0) return;
  const key = uuid.toLowerCase();
  if (armed.get(key) !== site) return;
  armed.delete(key);
  throw new Error(`debug: thrown on purpose in the ${site} handler of session ${uuid}`);
}
