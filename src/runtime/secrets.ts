/**
 * Every secret the module learns (API keys from channel variables, API arguments, profiles) is
 * registered here, and every text that leaves the module (logs, event bodies, replies, debug files)
 * passes through {@link redactSecrets}. Redacting at the exits, rather than trusting each call site
 * to leave keys out, is what keeps a key out of places nobody thought of.
 */
const secrets = new Set<string>();

/** Secrets shorter than this are not registered: redacting "abc" would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(secret: string | null | undefined): void {
  if (secret && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

export function forgetSecret(secret: string): void {
  secrets.delete(secret);
}

/** Replaces every registered secret in `text` with a fixed marker. */
export function redactSecrets(text: string): string {
  if (secrets.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  return out;
}

/** For tests: how many secrets are registered. */
export function secretCount(): number {
  return secrets.size;
}
