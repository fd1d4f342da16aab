/**
 * Channel variables that carry credentials, by name: the ones FreeSWITCH's side of the module
 * scrubs from events (native/freeswitch/mod_openai_realtime.c is_secret_name). Tool handlers may
 * neither read nor write them: a handler's result goes to the model and a call-control event shows
 * its arguments, and neither is a place for a key.
 */
export function isSecretVariable(name: string): boolean {
  const n = name.toUpperCase();
  return SECRET_VARIABLES.includes(n) || SECRET_NAME_PARTS.some((part) => n.includes(part));
}

/** Variables that are secrets by their exact name (any case). test/moduleInterface.test.ts checks C has the same. */
export const SECRET_VARIABLES: readonly string[] = Object.freeze(['STREAM_OPENAI_API_KEY', 'STREAM_EXTRA_HEADERS']);
/** A variable whose name contains one of these (any case) is a secret. */
export const SECRET_NAME_PARTS: readonly string[] = Object.freeze(['API_KEY', 'SECRET', 'TOKEN', 'PASSWORD']);

/** A channel variable name FreeSWITCH takes as it is: letters, digits, `_ . -`, at most 128. */
export const VARIABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
