import type { AppDeps, AuthContext } from '../../http/app-env';
import { AlertsService, type Actor } from '../../services/alerts/alerts-service';
import { isMemoryDatabase, loadSecretBox } from '../../services/alerts/secret-box';
import { rotateWebhookSecrets } from '../../services/alerts/secrets-key-rotation';

const services = new WeakMap<AppDeps, AlertsService>();

/**
 * The one alerts service of an app (its SSE hub, webhook worker and deadline sweeps), created
 * on first use from the app's dependencies, after the stored webhook secrets were brought under
 * the current key ({@link prepareWebhookSecrets}).
 */
export function alertsServiceFor(deps: AppDeps): AlertsService {
  let service = services.get(deps);
  if (!service) {
    prepareWebhookSecrets(deps);
    service = new AlertsService({
      store: deps.store,
      now: () => deps.now(),
      logger: deps.logger,
      secretsKey: deps.config.SECRETS_KEY,
      maxPendingDetections: deps.config.INGEST_MAX_PENDING,
    });
    services.set(deps, service);
  }
  return service;
}

/**
 * Key rotation at start: every webhook secret sealed under a previous key (`SECRETS_KEY_PREVIOUS`,
 * `secrets.key.previous`) or stored in plaintext is sealed under the current key in one
 * transaction, and the counts are logged. Throws a `SecretKeyError` naming the key id when a
 * stored secret opens with none of the keys given (nothing is changed then).
 */
export function prepareWebhookSecrets(deps: AppDeps): void {
  const { config, store, logger } = deps;
  const databasePath = store.sqlite.name;
  // an in-memory store starts empty: nothing to rotate, and its key lives in the service alone
  if (config.SECRETS_KEY === undefined && isMemoryDatabase(databasePath)) return;
  let previousFile: string | undefined;
  const r = rotateWebhookSecrets(store, () => {
    const loaded = loadSecretBox({
      configured: config.SECRETS_KEY,
      previous: config.SECRETS_KEY_PREVIOUS,
      databasePath,
    });
    if (loaded.source === 'generated')
      logger.info({ file: loaded.path }, 'created the key that seals webhook secrets');
    previousFile = loaded.previousPath;
    return loaded.box;
  });
  if (r.plaintextSealed > 0)
    logger.info({ endpoints: r.plaintextSealed }, 'sealed webhook secrets stored in plaintext');
  if (r.resealed > 0)
    logger.info(
      {
        endpoints: r.resealedEndpoints,
        secrets: r.resealed,
        keyId: r.keyId,
        fromKeyIds: r.fromKeyIds,
      },
      're-sealed webhook secrets under the current key',
    );
  if (config.SECRETS_KEY_PREVIOUS !== undefined || previousFile !== undefined)
    logger.info(
      { keyId: r.keyId, endpoints: r.endpoints, previousKeyFile: previousFile ?? null },
      'every webhook secret is sealed under the current key: SECRETS_KEY_PREVIOUS (and secrets.key.previous) can be removed',
    );
}

export function actorOf(auth: AuthContext): Actor {
  return { agencyId: auth.agencyId, keyId: auth.keyId, seesAll: auth.seesAll };
}
