/**
 * Secrets at rest (webhook signing secrets): Standard Webhooks signs with the secret itself, so
 * it cannot be hashed; it is sealed with AES-256-GCM under a 32-byte key from `SECRETS_KEY` or,
 * when that is unset, from `secrets.key` beside the database (created on first use, mode 0600).
 *
 * Sealed text: `sfsec:v1:<keyId>:<iv>:<ciphertext>:<tag>` (base64url parts; `keyId` = 8 hex of
 * HMAC-SHA256(key, "shared-flights secrets key id"), so a wrong key is named, not guessed at).
 * The authenticated data binds the text to its version, key id and a context (the endpoint id):
 * a sealed secret copied onto another row does not open.
 *
 * Rotation: a box may also hold previous keys (`SECRETS_KEY_PREVIOUS`, and `secrets.key.previous`
 * beside the database); it opens what they sealed and seals only under the current key, so
 * {@link SecretBox.needsReseal} says which stored texts to write again (see
 * `secrets-key-rotation.ts`).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  type BinaryLike,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const SEALED_PREFIX = 'sfsec:';
const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The key file's name, beside the database. */
export const SECRETS_KEY_FILE = 'secrets.key';
/** Previous keys kept beside the database by `npm run secrets:rotate -- --new-key`, one a line. */
export const SECRETS_PREVIOUS_KEY_FILE = 'secrets.key.previous';

/** A key that is missing, malformed or not the one a secret was sealed with. */
export class SecretKeyError extends Error {
  /** The key id a sealed secret names when no key given opens it. */
  readonly keyId: string | undefined;

  constructor(message: string, options?: { cause?: unknown; keyId?: string }) {
    super(message, options);
    this.name = 'SecretKeyError';
    this.keyId = options?.keyId;
  }
}

export interface SecretBox {
  /** Names the current key without revealing it (8 hex digits). */
  readonly keyId: string;
  /** The ids of the previous keys this box still opens with (none unless given). */
  readonly previousKeyIds: readonly string[];
  /** Seals `plaintext` for `context` (e.g. the row id it belongs to), always under the current key. */
  seal(plaintext: string, context: string): string;
  /**
   * Opens a sealed text under the current or a previous key; throws {@link SecretKeyError} for
   * an unknown key (naming its id), another context or altered data.
   */
  open(sealed: string, context: string): string;
  /** Whether a stored value should be written again: plaintext, or sealed under a previous key. */
  needsReseal(stored: string): boolean;
}

/** Whether a stored value is sealed (rather than a plaintext left by an older version). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The key id a sealed text names, or undefined for plaintext. */
export function sealedKeyId(stored: string): string | undefined {
  return isSealed(stored) ? stored.split(':')[2] : undefined;
}

/** The id (8 hex digits) that names a key in the texts it seals, without revealing it. */
export function keyIdOf(key: BinaryLike): string {
  return createHmac('sha256', key)
    .update('shared-flights secrets key id')
    .digest('hex')
    .slice(0, 8);
}

/**
 * An AES-256-GCM box over a 32-byte key, opening also what `previousKeys` sealed (rotation).
 *
 * @example
 * const box = createSecretBox(randomBytes(32));
 * const sealed = box.seal('whsec_…', 'whk_1'); // 'sfsec:v1:1a2b3c4d:…'
 * box.open(sealed, 'whk_1'); // 'whsec_…'
 * const next = createSecretBox(randomBytes(32), { previousKeys: [oldKey] });
 * next.needsReseal(sealed); // true: sealed under a previous key
 * next.seal(next.open(sealed, 'whk_1'), 'whk_1'); // now under the new key
 */
export function createSecretBox(
  key: Uint8Array,
  options: { previousKeys?: readonly Uint8Array[] } = {},
): SecretBox {
  const checkLength = (k: Uint8Array, what: string) => {
    if (k.length !== KEY_BYTES)
      throw new SecretKeyError(`${what} has ${KEY_BYTES} bytes, got ${k.length}`);
  };
  checkLength(key, 'a secrets key');
  const keyId = keyIdOf(key);
  const keys = new Map<string, Uint8Array>([[keyId, key]]);
  for (const [i, previous] of (options.previousKeys ?? []).entries()) {
    checkLength(previous, `previous secrets key ${i + 1}`);
    const id = keyIdOf(previous);
    if (!keys.has(id)) keys.set(id, previous);
  }
  const previousKeyIds = [...keys.keys()].filter((id) => id !== keyId);
  const aad = (id: string, context: string) =>
    Buffer.from(`${SEALED_PREFIX}${VERSION}:${id}:${context}`);
  return {
    keyId,
    previousKeyIds,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(keyId, context));
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
      const sealingKey = keys.get(sealedWith);
      if (!sealingKey) {
        const previous = previousKeyIds.length > 0 ? previousKeyIds.join(', ') : 'none';
        throw new SecretKeyError(
          `the secret of ${context} was sealed with key ${sealedWith}, but the key in use is ${keyId}: set SECRETS_KEY to the key used before (or restore ${SECRETS_KEY_FILE} beside the database), or add that key to SECRETS_KEY_PREVIOUS to rotate away from it (previous keys given: ${previous})`,
          { keyId: sealedWith },
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
        throw new SecretKeyError('sealed secret is truncated', { keyId: sealedWith });
      try {
        const decipher = createDecipheriv('aes-256-gcm', sealingKey, iv, {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(aad(sealedWith, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([
          decipher.update(Buffer.from(ctText, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch (err) {
        throw new SecretKeyError(
          `sealed secret of ${context} failed authentication under key ${sealedWith}: it was altered or belongs elsewhere`,
          { cause: err, keyId: sealedWith },
        );
      }
    },
    needsReseal(stored) {
      return !isSealed(stored) || sealedKeyId(stored) !== keyId;
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

/** Reads a key file, refusing one that others can read. */
function readKeyFile(path: string): string {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new SecretKeyError(
      `${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
    );
  return readFileSync(path, 'utf8');
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
  if (isMemoryDatabase(options.databasePath))
    return { key: randomBytes(KEY_BYTES), source: 'memory' };
  const path = join(dirname(options.databasePath), SECRETS_KEY_FILE);
  const read = (): Buffer => decodeSecretsKey(readKeyFile(path), path);
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

/** Whether `databasePath` names no file (so no key file can live beside it). */
export function isMemoryDatabase(databasePath: string): boolean {
  return databasePath === ':memory:' || databasePath === '';
}

/**
 * Decodes a list of keys separated by commas or line breaks (`SECRETS_KEY_PREVIOUS`, the lines
 * of `secrets.key.previous`), naming the position of a bad one (never its text).
 *
 * @example
 * decodeSecretsKeyList(`${oldKey}, ${olderKey}`, 'SECRETS_KEY_PREVIOUS'); // [Buffer(32), Buffer(32)]
 */
export function decodeSecretsKeyList(text: string, origin: string): Buffer[] {
  const entries = text
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return entries.map((t, i) =>
    decodeSecretsKey(
      t,
      entries.length === 1 ? origin : `${origin} (entry ${i + 1} of ${entries.length})`,
    ),
  );
}

/**
 * The previous secrets keys, newest first: `configured` (`SECRETS_KEY_PREVIOUS`, comma-separated)
 * and then, for a database file, the lines of `secrets.key.previous` beside it (mode 0600; the
 * newest key last, as `npm run secrets:rotate -- --new-key` appends them).
 *
 * @example
 * loadPreviousSecretsKeys({ configured: process.env.SECRETS_KEY_PREVIOUS, databasePath: './data/sf.db' });
 * // { keys: [Buffer(32)], path: './data/secrets.key.previous' } when that file exists
 */
export function loadPreviousSecretsKeys(options: {
  configured: string | undefined;
  databasePath: string;
}): { keys: Buffer[]; path?: string } {
  const keys =
    options.configured === undefined
      ? []
      : decodeSecretsKeyList(options.configured, 'SECRETS_KEY_PREVIOUS');
  if (isMemoryDatabase(options.databasePath)) return { keys };
  const path = join(dirname(options.databasePath), SECRETS_PREVIOUS_KEY_FILE);
  let text: string;
  try {
    text = readKeyFile(path);
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { keys };
    throw new SecretKeyError(`cannot read ${path}`, { cause: err });
  }
  return { keys: [...keys, ...decodeSecretsKeyList(text, path).reverse()], path };
}

/**
 * The box the service seals with: the current key ({@link loadSecretsKey}) and every previous
 * key ({@link loadPreviousSecretsKeys}) to open what they sealed.
 *
 * @example
 * const { box } = loadSecretBox({ configured: cfg.SECRETS_KEY, previous: cfg.SECRETS_KEY_PREVIOUS, databasePath });
 * box.previousKeyIds; // ['9f8e7d6c'] while a rotation is under way
 */
export function loadSecretBox(options: {
  configured: string | undefined;
  previous: string | undefined;
  databasePath: string;
}): { box: SecretBox; source: SecretsKeySource; path?: string; previousPath?: string } {
  const current = loadSecretsKey(options);
  const previous = loadPreviousSecretsKeys({
    configured: options.previous,
    databasePath: options.databasePath,
  });
  return {
    box: createSecretBox(current.key, { previousKeys: previous.keys }),
    source: current.source,
    ...(current.path === undefined ? {} : { path: current.path }),
    ...(previous.path === undefined ? {} : { previousPath: previous.path }),
  };
}

/** Writes `text` to `path` and flushes it to disk (mode 0600 when created). */
function writeDurably(path: string, text: string, flag: 'wx' | 'a'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `secrets.key` beside the database with 32 new random bytes, after appending the old
 * key to `secrets.key.previous` (0600) so that what it sealed still opens until it is re-sealed
 * ({@link loadSecretBox} reads both). Each step is flushed before the next: after a crash at any
 * point the current key and the previous file together still open everything.
 *
 * @example
 * const { keyId, previousKeyId } = replaceSecretsKeyFile('./data/sf.db');
 * // then rotateWebhookSecrets(store, loadSecretBox({ … }).box) seals everything under keyId
 */
export function replaceSecretsKeyFile(databasePath: string): {
  keyId: string;
  previousKeyId: string | undefined;
  path: string;
  previousPath: string;
} {
  if (isMemoryDatabase(databasePath))
    throw new SecretKeyError('an in-memory database has no key file to replace');
  const dir = dirname(databasePath);
  const path = join(dir, SECRETS_KEY_FILE);
  const previousPath = join(dir, SECRETS_PREVIOUS_KEY_FILE);
  let old: Buffer | undefined;
  try {
    old = decodeSecretsKey(readKeyFile(path), path);
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new SecretKeyError(`cannot read ${path}`, { cause: err });
  }
  try {
    if (old) {
      // refuses a previous-key file that others can read before adding to it
      loadPreviousSecretsKeys({ configured: undefined, databasePath });
      writeDurably(previousPath, `${old.toString('base64')}\n`, 'a');
    }
    const key = randomBytes(KEY_BYTES);
    const next = `${path}.next`;
    // a `.next` left by a crash was never the key in use: the rename below is the switch
    rmSync(next, { force: true });
    writeDurably(next, `${key.toString('base64')}\n`, 'wx');
    renameSync(next, path);
    fsyncDirectory(dir);
    return { keyId: keyIdOf(key), previousKeyId: old && keyIdOf(old), path, previousPath };
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    throw new SecretKeyError(`cannot replace ${path}`, { cause: err });
  }
}

/**
 * Removes `secrets.key.previous` beside the database (answers whether there was one). Call it
 * only when nothing is sealed under those keys any more (after {@link loadSecretBox} and a
 * rotation found nothing to re-seal): `npm run secrets:rotate -- --forget-previous` does.
 */
export function removePreviousSecretsKeyFile(databasePath: string): string | undefined {
  if (isMemoryDatabase(databasePath)) return undefined;
  const path = join(dirname(databasePath), SECRETS_PREVIOUS_KEY_FILE);
  try {
    rmSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretKeyError(`cannot remove ${path}`, { cause: err });
  }
  fsyncDirectory(dirname(path));
  return path;
}
