import type { AppDeps, AuthContext } from '../../http/app-env';
import { AlertsService, type Actor } from '../../services/alerts/alerts-service';

const services = new WeakMap<AppDeps, AlertsService>();

/**
 * The one alerts service of an app (its SSE hub, webhook worker and deadline sweeps), created
 * on first use from the app's dependencies.
 */
export function alertsServiceFor(deps: AppDeps): AlertsService {
  let service = services.get(deps);
  if (!service) {
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

export function actorOf(auth: AuthContext): Actor {
  return { agencyId: auth.agencyId, keyId: auth.keyId, seesAll: auth.seesAll };
}
