import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'sf_';

/**
 * A new API key: 256 random bits, shown once. Only its SHA-256 is stored: a key of this
 * entropy cannot be brute-forced from its hash, so a slow KDF buys nothing here (unkey does the same).
 */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Cheap shape check before touching the store. */
export function looksLikeApiKey(value: string): boolean {
  return (
    value.startsWith(KEY_PREFIX) &&
    value.length >= 20 &&
    value.length <= 200 &&
    /^[A-Za-z0-9_-]+$/.test(value)
  );
}
