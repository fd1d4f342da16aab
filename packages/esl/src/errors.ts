/**
 * Errors of the ESL client. Three families, so an application can tell whose fault it is:
 * - {@link EslArgumentError}: the caller passed something the module would refuse; thrown before
 *   anything is sent (a `TypeError`, like any bad-argument error in Node).
 * - {@link EslCommandError}: the module (or FreeSWITCH) answered `-ERR`; `code` is the reason.
 * - the connection errors ({@link EslConnectionError}, {@link EslAuthError},
 *   {@link EslTimeoutError}, {@link EslProtocolError}): the command's fate is unknown or it never left.
 */

/** Base of every non-argument error here; `name` is the concrete class name. */
export abstract class EslError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad argument, caught in TypeScript before the command is sent. */
export class EslArgumentError extends TypeError {
  readonly code = 'ESL_ERR_INVALID_ARGUMENT' as const;
  /** The argument's name as in the method's signature, e.g. `options.sendRate`. */
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(message);
    this.name = 'EslArgumentError';
    this.argument = argument;
  }
}

/** The API command was answered with `-ERR <reason>` (or `-USAGE: …`). */
export class EslCommandError extends EslError {
  /** The `-ERR` reason, verbatim, e.g. `no such channel` or `not connected`. */
  readonly code: string;
  /** The API command as sent (secrets masked). */
  readonly command: string;
  /** The whole reply, usage text included when the module printed one. */
  readonly reply: string;

  constructor(command: string, reason: string, reply: string) {
    super(`${command.split(' ', 1)[0]} failed: ${reason || 'no reason given'}`);
    this.code = reason;
    this.command = command;
    this.reply = reply;
  }
}

export type EslConnectionErrorCode =
  /** `connect()` could not reach or greet FreeSWITCH. */
  | 'ESL_ERR_CONNECT_FAILED'
  /** A command was issued while no authenticated connection exists (not connected yet, or reconnecting). */
  | 'ESL_ERR_NOT_CONNECTED'
  /** The connection dropped before the reply arrived: the command may or may not have run. */
  | 'ESL_ERR_CONNECTION_LOST'
  /** `close()` was called. */
  | 'ESL_ERR_CLOSED';

export class EslConnectionError extends EslError {
  readonly code: EslConnectionErrorCode;

  constructor(code: EslConnectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** FreeSWITCH refused the password (`-ERR invalid`) or the ACL (`text/rude-rejection`). Never retried. */
export class EslAuthError extends EslError {
  readonly code = 'ESL_ERR_AUTH' as const;
}

/**
 * No reply in time. The connection is reset afterwards: ESL matches replies to commands by order
 * alone, so a late reply would otherwise be taken for the answer to the next command.
 */
export class EslTimeoutError extends EslError {
  readonly code = 'ESL_ERR_TIMEOUT' as const;
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/** FreeSWITCH sent something the ESL protocol does not allow, or a reply we cannot read. */
export class EslProtocolError extends EslError {
  readonly code = 'ESL_ERR_PROTOCOL' as const;
}
