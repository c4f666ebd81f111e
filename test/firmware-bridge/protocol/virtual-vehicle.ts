/**
 * A simulated vehicle for protocol tests on virtual time: a `ManualClock`, an in-memory link
 * through the real codec (`memory-link.ts`) and the simulator's `MissionServer` on the vehicle's
 * side; plus upload and download runs against it that return the protocol's outcome.
 */
import { MissionDownload, MissionUpload } from '../../../firmware-bridge/protocol/index';
import type {
  DownloadReport,
  MissionDownloadOptions,
  MissionUploadOptions,
  Outcome,
  UploadReport,
} from '../../../firmware-bridge/protocol/index';
import { ManualClock, MissionServer } from '../../../firmware-bridge/sim/index';
import type { MissionServerOptions } from '../../../firmware-bridge/sim/index';
import type { MavEndpoint, MissionItem } from '../../../firmware-bridge/index';
import { createMemoryLink } from './memory-link';
import type { MemoryEndpoint, MemoryLinkOptions } from './memory-link';

/** Our side: a ground station (system 255, component 190). */
export const GCS = { systemId: 255, componentId: 190 };
/** The vehicle's autopilot. */
export const VEHICLE = { systemId: 1, componentId: 1 };

export interface VirtualVehicleOptions extends Omit<MemoryLinkOptions, 'clock'> {
  /** The mission server's behaviour (failure mode, ArduPilot profile, plan ids…). */
  server?: Omit<MissionServerOptions, 'endpoint' | 'clock'>;
  /** Stands between the link and the mission server: a vehicle that answers some frames itself. */
  wrap?: (vehicle: MavEndpoint, clock: ManualClock) => MavEndpoint;
}

export interface VirtualVehicle {
  clock: ManualClock;
  /** Our endpoint: what the protocols under test send on. */
  gcs: MemoryEndpoint;
  /** The vehicle's end of the link. */
  vehicle: MemoryEndpoint;
  server: MissionServer;
}

/**
 * @example
 * const v = virtualVehicle({ latencyMs: 5, server: { failureMode: 'write-count-no-response' } });
 * const outcome = await uploadTo(v, sampleMission(6));
 */
export function virtualVehicle(options: VirtualVehicleOptions = {}): VirtualVehicle {
  const { server: serverOptions, wrap, ...link } = options;
  const clock = new ManualClock();
  const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, ...link });
  const endpoint = wrap ? wrap(vehicle, clock) : vehicle;
  const server = new MissionServer({ endpoint, clock, ...serverOptions });
  return { clock, gcs, vehicle, server };
}

/** What every transfer against `v` starts from: our endpoint, its clock, the vehicle, `mission`. */
function transferTo(v: VirtualVehicle) {
  return { endpoint: v.gcs, clock: v.clock, target: VEHICLE, missionType: 'mission' as const };
}

/** Uploads `items` to the vehicle (as a `mission` unless `options` say otherwise) on virtual time. */
export function uploadTo(
  v: VirtualVehicle,
  items: readonly MissionItem[],
  options: Partial<MissionUploadOptions> = {},
): Promise<Outcome<UploadReport>> {
  return v.clock.run(new MissionUpload({ ...transferTo(v), items, ...options }).run());
}

/** Downloads the vehicle's `mission` (unless `options` say otherwise) on virtual time. */
export function downloadFrom(
  v: VirtualVehicle,
  options: Partial<MissionDownloadOptions> = {},
): Promise<Outcome<DownloadReport>> {
  return v.clock.run(new MissionDownload({ ...transferTo(v), ...options }).run());
}
