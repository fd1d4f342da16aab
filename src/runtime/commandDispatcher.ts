/**
 * Routes API commands (queued by FreeSWITCH's API threads, answered by us) to their handlers and
 * sends exactly one reply per command. A handler that throws or rejects gets "-ERR internal error"
 * and the reason is logged: an API caller never waits for a reply that will not come.
 */
import { log } from './logger.js';
import { describe } from './processGuards.js';
import { redactSecrets } from './secrets.js';

export type CommandHandler = (args: string) => string | Promise<string>;

export class CommandDispatcher {
  readonly #handlers = new Map<string, CommandHandler>();
  readonly #reply: (requestId: number, text: string) => void;

  constructor(reply: (requestId: number, text: string) => void) {
    this.#reply = reply;
  }

  register(api: string, handler: CommandHandler): void {
    this.#handlers.set(api, handler);
  }

  dispatch(requestId: number, api: string, args: string): void {
    const handler = this.#handlers.get(api);
    if (!handler) {
      this.#send(requestId, `-ERR unknown API ${api}`);
      return;
    }
    let result: string | Promise<string>;
    try {
      result = handler(args);
    } catch (err) {
      this.#fail(requestId, api, err);
      return;
    }
    if (typeof result === 'string') {
      this.#send(requestId, result);
    } else {
      result.then(
        (text) => this.#send(requestId, text),
        (err: unknown) => this.#fail(requestId, api, err),
      );
    }
  }

  #fail(requestId: number, api: string, err: unknown): void {
    log.error(`${api}: ${describe(err)}`);
    this.#send(requestId, '-ERR internal error');
  }

  #send(requestId: number, text: string): void {
    const line = redactSecrets(text.endsWith('\n') ? text : `${text}\n`);
    this.#reply(requestId, line);
  }
}
