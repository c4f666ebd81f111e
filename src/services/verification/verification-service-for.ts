import type { AppDeps } from '../../http/app-env';
import type { AlertsService } from '../alerts/alerts-service';
import { fleetServiceFor } from '../fleet/index';
import { VerificationService, type VerificationServiceOptions } from './verification-service';

const services = new WeakMap<AppDeps, VerificationService>();

/**
 * The one VerificationService of an app, listening from its creation: the alerts routes create
 * it with the app's alerts service, so a running app turns every verification request into
 * flight work without more wiring. Later calls return the same instance.
 *
 * @example
 * const verification = verificationServiceFor(deps, alertsServiceFor(deps));
 * await verification.idle(); // requests taken up so far are planned and handed to the fleet
 */
export function verificationServiceFor(
  deps: AppDeps,
  alerts: AlertsService,
  options: VerificationServiceOptions = {},
): VerificationService {
  let service = services.get(deps);
  if (!service) {
    service = new VerificationService({
      store: deps.store,
      repos: deps.repos,
      logger: deps.logger,
      now: deps.now,
      alerts,
      fleet: fleetServiceFor(deps),
      options,
    });
    services.set(deps, service);
    service.attach();
  }
  return service;
}
