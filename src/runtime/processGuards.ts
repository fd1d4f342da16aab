/**
 * Keeps a JS failure from ending the runtime (and so every call on the box). Installed before any
 * other code runs. The native side passes --force-node-api-uncaught-exceptions-policy so exceptions
 * thrown in bridge callbacks arrive here too. Session code contains its own errors (a failing
 * session ends with an ::error event); what reaches these handlers is logged and the runtime goes on.
 */
import { log } from './logger.js';

let uncaught = 0;

export function uncaughtCount(): number {
  return uncaught;
}

export function installProcessGuards(): void {
  process.on('uncaughtException', (err: unknown) => {
    uncaught++;
    log.error(`uncaught exception contained: ${describe(err)}`);
  });
  process.on('unhandledRejection', (reason: unknown) => {
    uncaught++;
    log.error(`unhandled rejection contained: ${describe(reason)}`);
  });
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
