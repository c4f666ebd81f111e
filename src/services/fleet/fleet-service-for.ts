import type { AppDeps } from '../../http/app-env';
import { FleetService, type FleetServiceOptions } from './fleet-service';

const services = new WeakMap<AppDeps, FleetService>();

/**
 * The one FleetService of an app (its routes, the scheduler loop and the dispatcher share it).
 * Created on first use from the app's dependencies; settings given on a later call are applied
 * to the existing service (routes may create it before `main.ts` configures it).
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
  } else if (Object.keys(options).length > 0) {
    service.configure(options);
  }
  return service;
}
