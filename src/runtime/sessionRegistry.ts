/**
 * Every active media session (an audio stream, an s2s session, an echo test), by channel uuid and
 * API family, so commands find their session and shutdown can end them all.
 */
export interface ActiveSession {
  readonly uuid: string;
  /** 'audio_stream' | 's2s' | 'echo' */
  readonly family: string;
  /** 'realtime' | 'live' for the OpenAI sessions; absent for the diagnostics (echo). */
  readonly protocol?: string;
  /** Ends the session: close the socket, detach the media hook, fire the last events. */
  stop(reason: string): Promise<void>;
  /** A snapshot for `openai_realtime status`. */
  status(): Record<string, unknown>;
}

export class SessionRegistry {
  readonly #sessions = new Map<string, ActiveSession>();
  /** Sessions started and ended since this thread's application started, per family (status). */
  readonly #started = new Map<string, number>();
  readonly #ended = new Map<string, number>();
  /** Told of every session added and removed (status/sessionMetrics.ts). */
  readonly #watchers: Array<{ added(s: ActiveSession): void; removed(s: ActiveSession): void }> = [];

  watch(w: { added(s: ActiveSession): void; removed(s: ActiveSession): void }): void {
    this.#watchers.push(w);
  }

  static key(uuid: string, family: string): string {
    return `${family}:${uuid.toLowerCase()}`;
  }

  get(uuid: string, family: string): ActiveSession | undefined {
    return this.#sessions.get(SessionRegistry.key(uuid, family));
  }

  add(session: ActiveSession): void {
    this.#sessions.set(SessionRegistry.key(session.uuid, session.family), session);
    this.#started.set(session.family, (this.#started.get(session.family) ?? 0) + 1);
    for (const w of this.#watchers) w.added(session);
  }

  /** Removes `session` only if it is still the registered one (a newer session may have replaced it). */
  remove(session: ActiveSession): void {
    const key = SessionRegistry.key(session.uuid, session.family);
    if (this.#sessions.get(key) !== session) return;
    this.#sessions.delete(key);
    this.#ended.set(session.family, (this.#ended.get(session.family) ?? 0) + 1);
    for (const w of this.#watchers) w.removed(session);
  }

  /** Sessions started and ended so far, per family. */
  counts(): { started: Record<string, number>; ended: Record<string, number> } {
    return { started: Object.fromEntries(this.#started), ended: Object.fromEntries(this.#ended) };
  }

  all(): ActiveSession[] {
    return [...this.#sessions.values()];
  }

  get size(): number {
    return this.#sessions.size;
  }

  async stopAll(reason: string): Promise<void> {
    await Promise.allSettled(this.all().map((s) => s.stop(reason)));
  }
}
