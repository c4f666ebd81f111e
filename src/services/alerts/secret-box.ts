/**
 * Secrets at rest (webhook signing secrets): Standard Webhooks signs with the secret itself, so
 * it cannot be hashed; it is sealed with AES-256-GCM under a 32-byte key from `SECRETS_KEY` or,
 * when that is unset, from `secrets.key` beside the database (created on first use, mode 0600).
 *
 * Sealed text: `sfsec:v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts; `keyId` = 8 hex of
 * HMAC-SHA256(key, "shared-flights secrets key id"), so a wrong key is named, not guessed at).
 * The authenticated data binds the text to its version, key id and a context (the endpoint id):
 * a sealed secret copied onto another row does not open.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  type BinaryLike,
} from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SEALED_PREFIX = 'sfsec:';
const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The key file's name, beside the database. */
export const SECRETS_KEY_FILE = 'secrets.key';

/** A key that is missing, malformed or not the one a secret was sealed with. */
export class SecretKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretKeyError';
  }
}

export interface SecretBox {
  /** Names the key without revealing it (8 hex digits). */
  readonly keyId: string;
  /** Seals `plaintext` for `context` (e.g. the row id it belongs to). */
  seal(plaintext: string, context: string): string;
  /** Opens a sealed text; throws {@link SecretKeyError} for another key, another context or altered data. */
  open(sealed: string, context: string): string;
}

/** Whether a stored value is sealed (rather than a plaintext left by an older version). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The key id a sealed text names, or undefined for plaintext. */
export function sealedKeyId(stored: string): string | undefined {
  return isSealed(stored) ? stored.split(':')[2] : undefined;
}

function keyIdOf(key: BinaryLike): string {
  return createHmac('sha256', key)
    .update('shared-flights secrets key id')
    .digest('hex')
    .slice(0, 8);
}

/**
 * An AES-256-GCM box over a 32-byte key.
 *
 * @example
 * const box = createSecretBox(randomBytes(32));
 * const sealed = box.seal('whsec_…', 'whk_1'); // 'sfsec:v1:1a2b3c4d:…'
 * box.open(sealed, 'whk_1'); // 'whsec_…'
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== KEY_BYTES)
    throw new SecretKeyError(`a secrets key has ${KEY_BYTES} bytes, got ${key.length}`);
  const keyId = keyIdOf(key);
  const aad = (context: string) => Buffer.from(`${SEALED_PREFIX}${VERSION}:${keyId}:${context}`);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        `${SEALED_PREFIX}${VERSION}`,
        keyId,
        iv.toString('base64url'),
        ciphertext.toString('base64url'),
        tag.toString('base64url'),
      ].join(':');
    },
    open(sealed, context) {
      const parts = sealed.split(':');
      if (parts.length !== 6 || `${parts[0]}:` !== SEALED_PREFIX)
        throw new SecretKeyError(`not a sealed secret (expected ${SEALED_PREFIX}${VERSION}:…)`);
      const [, version, sealedWith, ivText, ctText, tagText] = parts as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (version !== VERSION)
        throw new SecretKeyError(`sealed secret version ${version} is not supported (${VERSION})`);
      if (sealedWith !== keyId) {
        throw new SecretKeyError(
          `the secret was sealed with key ${sealedWith}, but the key in use is ${keyId}: set SECRETS_KEY to the key used before (or restore ${SECRETS_KEY_FILE} beside the database)`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
        throw new SecretKeyError('sealed secret is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(context));
        decipher.setAuthTag(tag);
        return Buffer.concat([
          decipher.update(Buffer.from(ctText, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch (err) {
        throw new SecretKeyError(
          `sealed secret of ${context} failed authentication: it was altered or belongs elsewhere`,
          { cause: err },
        );
      }
    },
  };
}

/** Where a secrets key came from. */
export type SecretsKeySource = 'config' | 'file' | 'generated' | 'memory';

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** Decodes a base64 key of exactly 32 bytes (`openssl rand -base64 32`), or throws naming `origin`. */
export function decodeSecretsKey(text: string, origin: string): Buffer {
  const t = text.trim();
  if (!BASE64_32_BYTES.test(t))
    throw new SecretKeyError(
      `${origin} must be ${KEY_BYTES} bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`)`,
    );
  return Buffer.from(t, 'base64');
}

/**
 * The secrets key: `configured` (base64) when given; otherwise `secrets.key` beside the
 * database, created with 32 random bytes and mode 0600 when absent (an in-memory database gets
 * a key that lives as long as it does).
 *
 * @example
 * const { key, source } = loadSecretsKey({ configured: undefined, databasePath: './data/sf.db' });
 * // source 'generated' the first time (./data/secrets.key written), 'file' afterwards
 */
export function loadSecretsKey(options: { configured: string | undefined; databasePath: string }): {
  key: Buffer;
  source: SecretsKeySource;
  path?: string;
} {
  if (options.configured !== undefined)
    return { key: decodeSecretsKey(options.configured, 'SECRETS_KEY'), source: 'config' };
  if (options.databasePath === ':memory:' || options.databasePath === '')
    return { key: randomBytes(KEY_BYTES), source: 'memory' };
  const path = join(dirname(options.databasePath), SECRETS_KEY_FILE);
  const read = (): Buffer => {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new SecretKeyError(
        `${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
      );
    return decodeSecretsKey(readFileSync(path, 'utf8'), path);
  };
  try {
    return { key: read(), source: 'file', path };
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new SecretKeyError(`cannot read ${path}`, { cause: err });
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // another process created it first: use that one
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return { key: read(), source: 'file', path };
    throw new SecretKeyError(`cannot write ${path}`, { cause: err });
  }
  return { key, source: 'generated', path };
}
