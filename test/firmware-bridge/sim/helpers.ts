import { minimal } from 'node-mavlink';
import { afterEach } from 'vitest';
import {
  DOCK_MESSAGES,
  MavLink,
  createMessageRegistry,
  startSimFleet,
} from '../../../firmware-bridge/index';
import type {
  Clock,
  LinkEndpoint,
  SimFleet,
  SimFleetOptions,
  SimVehicle,
} from '../../../firmware-bridge/index';

export interface ServiceLink {
  link: MavLink;
  gcs: LinkEndpoint;
  close: () => Promise<void>;
}

/** The service side of a real link to a simulated vehicle, announcing itself as a GCS at 1 Hz. */
export async function connectService(url: string, clock: Clock): Promise<ServiceLink> {
  const link = new MavLink({
    transport: url,
    registry: createMessageRegistry({ extra: DOCK_MESSAGES }),
    clock,
  });
  await link.open();
  const gcs = link.endpoint();
  const beat = (): void => {
    const h = new minimal.Heartbeat();
    h.type = 6; // MAV_TYPE_GCS
    h.autopilot = 8;
    h.baseMode = 0 as minimal.MavModeFlag;
    h.customMode = 0;
    h.systemStatus = 4;
    h.mavlinkVersion = 3;
    gcs.send(h).catch((err: unknown) => process.emitWarning(`test GCS heartbeat: ${String(err)}`));
  };
  beat();
  const timer = setInterval(beat, 100);
  return {
    link,
    gcs,
    close: async () => {
      clearInterval(timer);
      await link.close();
    },
  };
}

export interface SimSession {
  fleet: SimFleet;
  /** The vehicle the service is connected to. */
  vehicle: SimVehicle;
  service: ServiceLink;
}

/**
 * For a test file whose tests each start a simulated fleet and connect the service to one of its
 * vehicles (the first unless `pick` says otherwise): registers an `afterEach` that closes the
 * service's link, then the fleet.
 *
 * @example
 * const startSession = simSessionPerTest();
 * it('…', async () => {
 *   const { fleet, vehicle, service } = await startSession({ drones: 1, udpBasePort: 0 });
 * });
 */
export function simSessionPerTest(): (
  options: SimFleetOptions,
  pick?: (vehicles: SimVehicle[]) => SimVehicle | undefined,
) => Promise<SimSession> {
  let fleet: SimFleet | undefined;
  let service: ServiceLink | undefined;
  afterEach(async () => {
    await service?.close();
    await fleet?.close();
    fleet = undefined;
    service = undefined;
  });
  return async (options, pick = (vehicles) => vehicles[0]) => {
    fleet = await startSimFleet(options);
    const vehicle = pick(fleet.vehicles);
    if (!vehicle) throw new Error(`no vehicle to connect to among ${fleet.vehicles.length}`);
    service = await connectService(vehicle.url, fleet.clock);
    return { fleet, vehicle, service };
  };
}
