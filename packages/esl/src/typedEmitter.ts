/**
 * A small typed event emitter. Not node:events because (1) the `EventEmitter<T>` generic needs a
 * recent @types/node in the application too, and (2) a throwing listener must not stop the other
 * listeners or unwind through our socket handler halfway through a batch of frames.
 */
type AnyListener = (...args: unknown[]) => void;

export type EventMap = { [event: string]: unknown[] };

export class TypedEmitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, { fn: AnyListener; once: boolean }[]>();

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    return this.#add(event, listener, false);
  }

  once<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    return this.#add(event, listener, true);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    const entry = this.#listeners.get(event)?.find((l) => l.fn === (listener as AnyListener));
    if (entry) this.#remove(event, entry);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls every listener of `event`; each one's exception goes to {@link listenerFailed} and the
   * others still run. Returns whether there was a listener.
   */
  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    // A copy: listeners may add or remove listeners while we iterate.
    for (const l of [...list]) {
      if (l.once) this.#remove(event, l);
      try {
        l.fn(...args);
      } catch (err) {
        this.listenerFailed(err, String(event));
      }
    }
    return true;
  }

  /** Default: rethrow on a later tick, where a plain EventEmitter's exception would also surface. */
  protected listenerFailed(error: unknown, _event: string): void {
    process.nextTick(() => {
      throw error;
    });
  }

  #remove(event: keyof Events, entry: { fn: AnyListener; once: boolean }): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  #add<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void, once: boolean): this {
    if (typeof listener !== 'function') throw new TypeError(`Expected function for listener but received ${typeof listener}`);
    const list = this.#listeners.get(event) ?? [];
    list.push({ fn: listener as AnyListener, once });
    this.#listeners.set(event, list);
    return this;
  }
}
