/**
 * A simulated dock and drone on real UDP (optionally behind a relay that can cut the link), a
 * test app with the dock, drone and a forest area registered, and the fleet service flying over a
 * recording BridgeDispatcher. Each test file calls `closeSimWorlds` in its afterEach.
 */
import { expect } from 'vitest';
import {
  startSimFleet,
  type FailureMode,
  type MissionItem,
  type SimFleet,
  type SimVehicle,
} from '../../../firmware-bridge/index';
import { BridgeDispatcher } from '../../../src/services/fleet/bridge-dispatcher';
import {
  fleetServiceFor,
  type DispatchOutcome,
  type DispatchTarget,
  type FleetServiceOptions,
  type UploadKind,
} from '../../../src/services/fleet/index';
import { call, createTestApp, type TestApp } from '../../support/test-app';
import { forestSquare } from './fleet-world';
import { startUdpCutRelay } from './udp-cut-relay';

export const HOME: [number, number] = [119.81, 30.38];
export const cleanups: (() => Promise<unknown> | unknown)[] = [];

export async function closeSimWorlds(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const item = (
  command: number,
  position: [number, number] | null,
  altM: number,
  p1 = 0,
): MissionItem => ({
  command,
  frame: 3,
  param1: p1,
  param2: 0,
  param3: 0,
  param4: 0,
  position,
  altM,
  autocontinue: true,
});
const east = (m: number, north = 0): [number, number] => [
  HOME[0] + m / (111_320 * Math.cos((HOME[1] * Math.PI) / 180)),
  HOME[1] + north / 110_540,
];

/** One dispatcher call over the real bridge, with what the simulator held when it ended. */
export interface BridgeCall {
  method: string;
  startMs: number;
  endMs: number;
  ok: boolean;
  /** The simulated dock's roof and the drone's stores when the call was made. */
  roofAtStart: string;
  missionItemsAtStart: number;
  fenceItemsAtStart: number;
}

/** The real BridgeDispatcher, recording when each preflight call starts and ends. */
export class RecordingBridgeDispatcher extends BridgeDispatcher {
  readonly calls: BridgeCall[] = [];
  simDock: SimVehicle | undefined;

  private async record<T>(
    method: string,
    run: () => Promise<DispatchOutcome<T>>,
  ): Promise<DispatchOutcome<T>> {
    const drone = this.simDock?.drone;
    const entry: BridgeCall = {
      method,
      startMs: Date.now(),
      endMs: Number.NaN,
      ok: false,
      roofAtStart: this.simDock?.dock?.roof ?? 'unknown',
      missionItemsAtStart: drone?.missions.stored('mission').items.length ?? -1,
      fenceItemsAtStart: drone?.missions.stored('fence').items.length ?? -1,
    };
    this.calls.push(entry);
    const out = await run();
    entry.endMs = Date.now();
    entry.ok = out.ok;
    return out;
  }

  override openRoof(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.record('openRoof', () => super.openRoof(target));
  }
  override uploadAndVerify(
    target: DispatchTarget,
    kind: UploadKind,
    items: readonly MissionItem[],
    signal: AbortSignal,
  ): Promise<DispatchOutcome<{ count: number }>> {
    return this.record(`upload ${kind}`, () => super.uploadAndVerify(target, kind, items, signal));
  }
  override arm(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.record('arm', () => super.arm(target));
  }
  override closeRoof(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.record('closeRoof', () => super.closeRoof(target));
  }
}

export async function simWorld(
  options: {
    /** Full roof travel in simulated ms (the simulator runs 10× faster). Default 3 s. */
    roofTravelMs?: number;
    failureMode?: FailureMode;
    fleetOptions?: FleetServiceOptions;
    weatherWindMps?: number;
    drone?: { batteryPct?: number; enduranceS?: number };
    batteryReservePct?: number;
    /** Put a relay that can cut the link between the service and the dock. */
    relay?: boolean;
    waypoints?: number;
  } = {},
) {
  const sim: SimFleet = await startSimFleet({
    docks: 1,
    udpBasePort: 0,
    timeScale: 10,
    home: HOME,
    roofTravelMs: options.roofTravelMs ?? 3_000,
    ...(options.failureMode ? { failureMode: options.failureMode } : {}),
    drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0, ...options.drone },
  });
  cleanups.push(() => sim.close());
  const simDock = sim.vehicles.find((v) => v.kind === 'dock')!;
  const droneSystemId = simDock.drone!.systemId;

  const relay = options.relay ? await startUdpCutRelay(simDock.url) : null;
  if (relay) cleanups.push(() => relay.close());
  const linkUrl = relay?.url ?? simDock.url;
  const t: TestApp = createTestApp();
  cleanups.push(() => t.close());
  const operator = t.key('utility', 'utility', 'operator');
  const dock = await call(t, 'POST', '/v1/docks', {
    key: operator,
    json: {
      name: 'sim dock',
      position: HOME,
      groundAltM: 100,
      linkUrl,
      systemId: simDock.systemId,
      shared: true,
    },
  });
  expect(dock.status, JSON.stringify(dock.body)).toBe(201);
  const drone = await call(t, 'POST', '/v1/drones', {
    key: operator,
    json: {
      dockId: dock.body.id,
      name: 'sim',
      systemId: droneSystemId,
      model: 'sim copter',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 30,
      batteryReservePct: options.batteryReservePct ?? 25,
    },
  });
  expect(drone.status, JSON.stringify(drone.body)).toBe(201);
  const admin = t.key('utility', 'utility', 'admin');
  const area = await call(t, 'POST', '/v1/areas?kind=forest', { key: admin, json: forestSquare });
  expect(area.status).toBe(201);

  const dispatcher = new RecordingBridgeDispatcher({
    heartbeatIntervalMs: 100,
    lostAfterMs: 1_000,
    armWaitReadyMs: 10_000,
  });
  dispatcher.simDock = simDock;
  cleanups.push(() => dispatcher.close());
  const fleet = fleetServiceFor(t.deps, options.fleetOptions ?? {});
  fleet.useDispatcher(dispatcher);
  expect(fleet.observeFleet()).toBe(1);
  cleanups.push(() => fleet.release());
  const target: DispatchTarget = {
    sortieId: 'warm-up',
    dockId: dock.body.id,
    droneId: drone.body.id,
    linkUrl,
    dockSystemId: simDock.systemId,
    droneSystemId,
  };
  // The link is up and both systems heard before anything is requested.
  await waitFor(
    async () => {
      const s = await dispatcher.dockStatus(target, new AbortController().signal);
      return s.ok && s.value.linkHealthy ? s.value : undefined;
    },
    10_000,
    'dock and drone heard',
  );

  const route = {
    mission: options.waypoints
      ? [
          item(22, null, 20),
          ...Array.from({ length: options.waypoints }, (_, i) =>
            item(16, east(40 * ((i % 2) + 1), 40 * Math.floor(i / 2)), 20),
          ),
        ]
      : [
          item(22, null, 20),
          item(16, east(40), 20),
          item(16, east(40, 40), 20),
          item(16, east(0, 40), 20),
        ],
    fence: [east(-200, -200), east(200, -200), east(200, 200), east(-200, 200)].map((p) =>
      item(5001, p, 0, 4),
    ),
    rally: [item(5100, east(-20), 20)],
  };
  if (options.weatherWindMps !== undefined) {
    const windMps = options.weatherWindMps;
    simDock.dock!.setWeather({ windMps });
    await waitFor(
      async () => {
        const s = await dispatcher.dockStatus(target, new AbortController().signal);
        return s.ok && s.value.windMps === windMps ? true : undefined;
      },
      5_000,
      'the dock reports the wind',
    );
  }
  const request = async () => {
    const requested = await call(t, 'POST', '/v1/missions', {
      key: operator,
      json: {
        name: 'sim patrol',
        purpose: 'forest_fire_patrol',
        areaIds: [area.body.id],
        dockId: dock.body.id,
        route,
        schedule: { kind: 'immediate' },
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    return {
      missionId: requested.body.id as string,
      sortieId: requested.body.sorties[0].id as string,
    };
  };
  const sortie = async (ids: { missionId: string; sortieId: string }) =>
    (
      await call(t, 'GET', `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}`, {
        key: operator,
      })
    ).body;
  return {
    sim,
    simDock,
    relay,
    t,
    operator,
    dock,
    drone,
    dispatcher,
    fleet,
    target,
    request,
    sortie,
  };
}

export const FLOW = [
  'requested',
  'approved',
  'scheduled',
  'queued',
  'preflight',
  'launching',
  'in_flight',
];

export async function until(
  w: Awaited<ReturnType<typeof simWorld>>,
  ids: { missionId: string; sortieId: string },
  states: string[],
  timeoutMs = 45_000,
) {
  let last: { state?: string; reasonCode?: string; transitions?: unknown[] } = {};
  try {
    return await waitFor(
      async () => {
        const s = await w.sortie(ids);
        last = s;
        return states.includes(s.state) ? s : undefined;
      },
      timeoutMs,
      `sortie in ${states.join(' / ')}`,
    );
  } catch (err) {
    const events = w.t.deps.repos.fleetOps.recentEvents({ agencyId: '', seesAll: true }, 5);
    throw new Error(
      `${String(err)}; last ${JSON.stringify({ state: last.state, reasonCode: last.reasonCode, transitions: last.transitions?.slice(-2), events: events.map((e) => `${e.kind}: ${e.detail}`) })}`,
      { cause: err },
    );
  }
}
