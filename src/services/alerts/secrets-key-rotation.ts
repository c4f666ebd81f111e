/**
 * Rotation of the key that seals webhook secrets at rest: every stored secret (an endpoint's
 * current one, and the previous one a secret rotation keeps for its overlap) sealed under a
 * previous key (or left in plaintext by an older version) is opened and sealed again under the
 * current key, all in one transaction. Run at start by the service and by
 * `npm run secrets:rotate`; see the alerts README, "Webhook secrets at rest".
 */
import { AlertsWebhooksRepository, type Database_, type StoredSecret } from '../../../db/index';
import { isSealed, SecretKeyError, sealedKeyId, type SecretBox } from './secret-box';

/** What a rotation did (key ids only: never a key or a secret). */
export interface SecretsRotation {
  /** The key every stored secret is sealed under now (undefined: no endpoint, no key loaded). */
  keyId: string | undefined;
  /**
   * Secrets sealed under a previous key and now under `keyId`: current secrets and the previous
   * ones that secret rotations keep for their overlap.
   */
  resealed: number;
  /** Endpoints with at least one of `resealed`. */
  resealedEndpoints: number;
  /** How many of `resealed` each previous key had sealed. */
  fromKeyIds: Record<string, number>;
  /** Secrets an older version stored in plaintext, now sealed. */
  plaintextSealed: number;
  /** Endpoints stored. */
  endpoints: number;
}

/**
 * Seals every webhook secret (each endpoint's current one, and the previous one a secret
 * rotation keeps during its overlap) under the current key of `box`, opening those sealed under
 * one of its previous keys, in one IMMEDIATE transaction: a crash or an error leaves every row as
 * it was. Before writing anything, throws a {@link SecretKeyError} naming every key id that none
 * of the given keys matches (and how many endpoints it sealed for), so a missing previous key
 * stops the start instead of losing secrets. `box` may be a function: it is called only when an
 * endpoint is stored (no key file is created for an empty store).
 *
 * @example
 * const box = createSecretBox(newKey, { previousKeys: [oldKey] });
 * rotateWebhookSecrets(store, box); // { keyId: '1a2b3c4d', resealed: 3, fromKeyIds: { '9f8e7d6c': 3 }, … }
 */
export function rotateWebhookSecrets(
  store: Database_,
  box: SecretBox | (() => SecretBox),
): SecretsRotation {
  let opened: SecretBox | undefined = typeof box === 'function' ? undefined : box;
  const keys = (): SecretBox => (opened ??= (box as () => SecretBox)());
  const webhooks = new AlertsWebhooksRepository(store.db, store.sqlite, {
    seal: (plaintext, context) => keys().seal(plaintext, context),
    open: (sealed, context) => keys().open(sealed, context),
    isSealed,
  });
  const result: SecretsRotation = {
    keyId: opened?.keyId,
    resealed: 0,
    resealedEndpoints: 0,
    fromKeyIds: {},
    plaintextSealed: 0,
    endpoints: 0,
  };
  const endpoints = new Set<string>();
  const resealedEndpoints = new Set<string>();
  webhooks.rewriteSecrets((row) => {
    const b = keys();
    result.keyId = b.keyId;
    endpoints.add(row.id);
    if (!b.needsReseal(row.secret)) return undefined;
    if (!isSealed(row.secret)) {
      result.plaintextSealed += 1;
      return b.seal(row.secret, row.id);
    }
    const from = sealedKeyId(row.secret) ?? '';
    if (!b.previousKeyIds.includes(from)) throw unknownKeys(webhooks.storedSecrets(), b);
    result.resealed += 1;
    resealedEndpoints.add(row.id);
    result.fromKeyIds[from] = (result.fromKeyIds[from] ?? 0) + 1;
    return b.seal(b.open(row.secret, row.id), row.id);
  });
  result.endpoints = endpoints.size;
  result.resealedEndpoints = resealedEndpoints.size;
  return result;
}

/** One error naming every key id no given key matches, with its endpoint count. */
function unknownKeys(stored: StoredSecret[], box: SecretBox): SecretKeyError {
  const known = new Set([box.keyId, ...box.previousKeyIds]);
  const counts = new Map<string, { endpoints: Set<string>; first: string }>();
  for (const r of stored) {
    const id = sealedKeyId(r.secret);
    if (id === undefined || known.has(id)) continue;
    const c = counts.get(id);
    if (c) c.endpoints.add(r.id);
    else counts.set(id, { endpoints: new Set([r.id]), first: r.id });
  }
  const [firstId] = counts.keys();
  const named = [...counts]
    .map(([id, c]) => {
      const n = c.endpoints.size;
      return `key ${id} (${n} endpoint${n === 1 ? '' : 's'}, e.g. ${c.first})`;
    })
    .join(', ');
  const previous = box.previousKeyIds.length > 0 ? box.previousKeyIds.join(', ') : 'none';
  return new SecretKeyError(
    `webhook secrets are sealed with ${named}, which is neither the key in use (${box.keyId}) nor a previous key given (${previous}): add the key that sealed them to SECRETS_KEY_PREVIOUS (comma-separated) and start again; nothing was changed`,
    firstId === undefined ? {} : { keyId: firstId },
  );
}
