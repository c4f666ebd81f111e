/**
 * Runs simulated drones and docks on real sockets: each vehicle gets a real MAVLink link
 * (`udpin://` on loopback, or a real pseudo-terminal pair for the serial path). A dock carries its
 * drone: the drone talks to the dock over an in-process radio, and the dock forwards the drone's
 * frames onto its own line and routes incoming frames to the drone by target system id — so the
 * service sees two systems (dock, drone) on one link.
 */
import type { Clock } from '../link/types';
import { systemClock } from '../link/types';
import { MavLink } from '../link/mav-link';
import type { ReceivedFrame } from '../link/types';
import { createMessageRegistry } from '../codec/message-registry';
import { DOCK_MESSAGES } from '../dock/dock-messages';
import type { MissionItem } from '../mission-item';
import { openPtyPair } from '../transport/pty-pair';
import type { PtyPair } from '../transport/pty-pair';
import { createTransport } from '../transport/create-transport';
import { UdpTransport } from '../transport/udp-transport';
import type { Transport } from '../transport/transport';
import type { FailureMode } from './failure-modes';
import type { LossOptions, LossStats } from './lossy-channel';
import { lossyTransport } from './lossy-transport';
import { createPipePair } from './pipe-transport';
import { scaledClock } from './scaled-clock';
import { SimDock } from './sim-dock';
import type { Weather } from './sim-dock';
import { SimDrone } from './sim-drone';
import type { DroneProfile } from './sim-drone';

/** What ArduPilot prints on its console port at boot, before any MAVLink. */
export const ARDUPILOT_BOOT_TEXT =
  'ArduCopter V4.5.7 (sim)\r\nInit ArduCopter\r\nFrame: QUAD/X\r\n';

export interface SimFleetOptions {
  /** Docks, each with its drone. Default 0. */
  docks?: number;
  /** Drones without a dock, each on its own UDP port. Default 1 when `docks` is 0. */
  drones?: number;
  /** Loopback address to bind. Default 127.0.0.1. */
  host?: string;
  /** First UDP port (one per vehicle line, counting up); 0 picks free ports. Default 14550. */
  udpBasePort?: number;
  /** Put docks on pseudo-terminal pairs (serial path) instead of UDP. */
  serial?: boolean;
  /** Baud rate named in serial URLs (the pty ignores it; use `loss.bytesPerSecond` to model it). */
  baudRate?: number;
  /** Applied on the simulator's side, to both directions. */
  loss?: LossOptions;
  seed?: number;
  failureMode?: FailureMode;
  profile?: DroneProfile;
  /** Simulated time runs this many times faster than real time. Default 1. */
  timeScale?: number;
  /** `[lon, lat]` of the first dock / drone; the others are spaced 200 m east. */
  home?: [number, number];
  weather?: Partial<Weather>;
  /** Extra drone options (battery, speeds, failsafe timings, EKF/arming delays…). */
  drone?: {
    batteryPct?: number;
    cruiseSpeedMps?: number;
    enduranceS?: number;
    gcsFailsafeTimeoutMs?: number;
    ekfConvergeMs?: number;
    armingReadyMs?: number;
  };
  roofTravelMs?: number;
  /** Clock for the vehicles (overrides `timeScale`). */
  clock?: Clock;
  /**
   * Added to every system id (drones from 1 + offset, docks from 101 + offset), so that two
   * fleets seen by one service keep distinct ids. Default 0.
   */
  systemIdOffset?: number;
}

export interface SimVehicle {
  kind: 'drone' | 'dock';
  systemId: number;
  /** The URL the service connects to. */
  url: string;
  drone?: SimDrone;
  dock?: SimDock;
  /** Loss statistics of this vehicle's line (simulator side). */
  loss: { outbound: LossStats; inbound: LossStats };
}

export interface SimFleet {
  readonly vehicles: SimVehicle[];
  readonly clock: Clock;
  /** Preloads a mission (as if uploaded earlier) on every drone. */
  preloadMission(items: MissionItem[]): void;
  close(): Promise<void>;
}

const DRONE_COMPONENT = 1;
const DOCK_SYSTEM_BASE = 100;

function offsetEast(home: [number, number], meters: number): [number, number] {
  return [home[0] + meters / (111_320 * Math.cos((home[1] * Math.PI) / 180)), home[1]];
}

/**
 * @example
 * const fleet = await startSimFleet({ docks: 1, udpBasePort: 0 });
 * console.log(fleet.vehicles.map((v) => `${v.kind} ${v.systemId}: ${v.url}`));
 * await fleet.close();
 */
export async function startSimFleet(options: SimFleetOptions = {}): Promise<SimFleet> {
  const clock =
    options.clock ??
    (options.timeScale && options.timeScale !== 1 ? scaledClock(options.timeScale) : systemClock);
  const host = options.host ?? '127.0.0.1';
  const base = options.udpBasePort ?? 14550;
  const docks = options.docks ?? 0;
  const loneDrones = options.drones ?? (docks === 0 ? 1 : 0);
  const home = options.home ?? [119.9, 30.3];
  const registry = createMessageRegistry({ extra: DOCK_MESSAGES });
  const closers: (() => Promise<void> | void)[] = [];
  const vehicles: SimVehicle[] = [];
  const drones: SimDrone[] = [];
  let lineIndex = 0;
  const state = { closing: false };
  const idOffset = options.systemIdOffset ?? 0;
  let seed = options.seed ?? 1;

  const droneOptions = (systemId: number, position: [number, number]) => ({
    clock,
    home: position,
    profile: options.profile ?? 'textbook',
    failureMode: options.failureMode ?? 'none',
    seed: seed + systemId,
    ...options.drone,
  });

  const openLine = async (): Promise<{
    transport: Transport;
    url: string;
    loss: SimVehicle['loss'];
  }> => {
    const idx = lineIndex++;
    let inner: Transport;
    let url: string;
    if (options.serial) {
      const pair: PtyPair = await openPtyPair();
      closers.push(() => pair.close());
      const baud = options.baudRate ?? 57600;
      inner = createTransport(`serial://${pair.pathA}:${baud}`);
      url = `serial://${pair.pathB}:${baud}`;
    } else {
      const port = base === 0 ? 0 : base + idx;
      const udp = new UdpTransport(`udpin://${host}:${port}`, 'udpin', host, port);
      await udp.open();
      const bound = udp.localAddress;
      if (!bound) throw new Error(`udpin://${host}:${port} did not bind`);
      inner = udp;
      url = `udpout://${host}:${bound.port}`;
    }
    const lossy = lossyTransport(inner, {
      outbound: options.loss ?? {},
      inbound: options.loss ?? {},
      seed: seed++,
      clock,
    });
    await lossy.open();
    return { transport: lossy, url, loss: lossy.loss };
  };

  const bootText = (link: MavLink): void => {
    if (options.profile !== 'ardupilot') return;
    // Real ArduPilot prints text on its console before and between MAVLink frames.
    for (const delayMs of [0, 700, 1400]) {
      clock.setTimeout(() => {
        link.sendRaw(Buffer.from(ARDUPILOT_BOOT_TEXT, 'latin1')).catch((err: unknown) => {
          process.emitWarning(
            `sim boot text not sent: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
      }, delayMs);
    }
  };

  try {
    for (let i = 0; i < loneDrones; i++) {
      const systemId = idOffset + i + 1;
      const line = await openLine();
      const link = new MavLink({ transport: line.transport, registry, clock });
      closers.push(() => link.close());
      const position = offsetEast(home, 200 * (docks + i));
      const drone = new SimDrone({
        endpoint: link.endpoint({ systemId, componentId: DRONE_COMPONENT }),
        ...droneOptions(systemId, position),
      });
      closers.push(() => drone.close());
      drones.push(drone);
      bootText(link);
      vehicles.push({ kind: 'drone', systemId, url: line.url, drone, loss: line.loss });
    }
    for (let i = 0; i < docks; i++) {
      const droneSystemId = idOffset + loneDrones + i + 1;
      const dockSystemId = DOCK_SYSTEM_BASE + idOffset + i + 1;
      const line = await openLine();
      const dockLink = new MavLink({ transport: line.transport, registry, clock });
      closers.push(() => dockLink.close());
      const position = offsetEast(home, 200 * i);
      // The drone's radio to its dock, inside this process.
      const [droneRadio, dockRadio] = createPipePair(`dock-${dockSystemId}`);
      await droneRadio.open();
      await dockRadio.open();
      const droneLink = new MavLink({ transport: droneRadio, registry, clock });
      closers.push(() => droneLink.close());
      const drone = new SimDrone({
        endpoint: droneLink.endpoint({ systemId: droneSystemId, componentId: DRONE_COMPONENT }),
        ...droneOptions(droneSystemId, position),
      });
      closers.push(() => drone.close());
      drones.push(drone);
      bootText(droneLink);
      // Forwarding: drone → line unchanged; line → drone when addressed to it or broadcast.
      // While the fleet closes, frames still in the radio meet closed links: expected, not
      // worth a warning (a frame lost as on a radio that is switched off).
      dockRadio.onData((chunk) => {
        if (state.closing) return;
        dockLink.sendRaw(chunk).catch((err: unknown) => {
          if (state.closing) return;
          process.emitWarning(
            `dock ${dockSystemId}: forward to line failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
      });
      dockLink.subscribe((frame: ReceivedFrame) => {
        if (state.closing) return;
        const target = (frame.message as { targetSystem?: number }).targetSystem ?? 0;
        if (target !== 0 && target !== droneSystemId) return;
        dockRadio.write(frame.raw).catch((err: unknown) => {
          if (state.closing) return;
          process.emitWarning(
            `dock ${dockSystemId}: forward to drone failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
      });
      const dock = new SimDock({
        endpoint: dockLink.endpoint({ systemId: dockSystemId, componentId: 1 }),
        clock,
        position,
        drone,
        ...(options.roofTravelMs !== undefined ? { roofTravelMs: options.roofTravelMs } : {}),
        ...(options.weather ? { weather: options.weather } : {}),
      });
      closers.push(() => dock.close());
      vehicles.push({
        kind: 'dock',
        systemId: dockSystemId,
        url: line.url,
        dock,
        drone,
        loss: line.loss,
      });
    }
  } catch (err) {
    await closeAll(closers);
    throw new Error('starting the simulated fleet failed', { cause: err });
  }

  return {
    vehicles,
    clock,
    preloadMission: (items) => {
      for (const d of drones) d.missions.preload('mission', items);
    },
    close: () => {
      state.closing = true;
      return closeAll(closers);
    },
  };
}

async function closeAll(closers: (() => Promise<void> | void)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of closers.reverse()) {
    try {
      await c();
    } catch (err) {
      errors.push(err);
    }
  }
  closers.length = 0;
  if (errors.length > 0) throw new AggregateError(errors, 'closing the simulated fleet failed');
}
