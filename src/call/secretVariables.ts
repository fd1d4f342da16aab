/**
 * Channel variables that carry credentials, by name: the ones FreeSWITCH's side of the module
 * scrubs from events (native/freeswitch/mod_openai_realtime.c is_secret_name). Tool handlers may
 * neither read nor write them: a handler's result goes to the model and a call-control event shows
 * its arguments, and neither is a place for a key.
 */
export function isSecretVariable(name: string): boolean {
  const n = name.toUpperCase();
  return n === 'STREAM_OPENAI_API_KEY' || n === 'STREAM_EXTRA_HEADERS' || /API_KEY|SECRET|TOKEN|PASSWORD/.test(n);
}

/** A channel variable name FreeSWITCH takes as it is: letters, digits, `_ . -`, at most 128. */
export const VARIABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
