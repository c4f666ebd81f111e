import type { AppDeps } from '../../http/app-env';
import { FleetService, type FleetServiceOptions } from './fleet-service';

const services = new WeakMap<AppDeps, FleetService>();

/**
 * The one FleetService of an app (its routes, the scheduler loop and the dispatcher share it).
 * Created on first use from the app's dependencies.
 *
 * @example
 * const fleet = fleetServiceFor(deps);
 * fleet.useDispatcher(bridgeDispatcher);
 * fleet.recover();
 * fleet.start();
 */
export function fleetServiceFor(deps: AppDeps, options: FleetServiceOptions = {}): FleetService {
  let service = services.get(deps);
  if (!service) {
    service = new FleetService({
      repos: deps.repos,
      logger: deps.logger,
      now: deps.now,
      options,
    });
    services.set(deps, service);
  }
  return service;
}
