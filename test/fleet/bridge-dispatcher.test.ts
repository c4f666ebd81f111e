/**
 * The fleet service flying a sortie over a real UDP socket against the bridge's simulated dock
 * and drone: request → approve → queue → dispatch (dock status, uploads read back, roof, arm,
 * AUTO) → progress → RTL → landing → roof closed → charging → done.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimFleet, type MissionItem, type SimFleet } from '../../firmware-bridge/index';
import { BridgeDispatcher } from '../../src/services/fleet/bridge-dispatcher';
import { fleetServiceFor, type DispatchTarget } from '../../src/services/fleet/index';
import { call, createTestApp, type TestApp } from '../support/test-app';
import { forestSquare } from './support/fleet-world';

const HOME: [number, number] = [119.81, 30.38];
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor<T>(
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

describe('BridgeDispatcher over real UDP with the simulator', () => {
  it('flies a shared sortie from request to done and stores its track', async () => {
    const sim: SimFleet = await startSimFleet({
      docks: 1,
      udpBasePort: 0,
      timeScale: 10,
      home: HOME,
      roofTravelMs: 3_000,
      drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0 },
    });
    cleanups.push(() => sim.close());
    const simDock = sim.vehicles.find((v) => v.kind === 'dock')!;
    const droneSystemId = simDock.drone!.systemId;

    const t: TestApp = createTestApp();
    cleanups.push(() => t.close());
    const operator = t.key('utility', 'utility', 'operator');
    const dock = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: {
        name: 'sim dock',
        position: HOME,
        groundAltM: 100,
        linkUrl: simDock.url,
        systemId: simDock.systemId,
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
      },
    });
    expect(drone.status, JSON.stringify(drone.body)).toBe(201);
    const admin = t.key('utility', 'utility', 'admin');
    const area = await call(t, 'POST', '/v1/areas?kind=forest', { key: admin, json: forestSquare });
    expect(area.status).toBe(201);

    const dispatcher = new BridgeDispatcher({
      heartbeatIntervalMs: 100,
      lostAfterMs: 3_000,
      armWaitReadyMs: 10_000,
    });
    cleanups.push(() => dispatcher.close());
    const fleet = fleetServiceFor(t.deps);
    fleet.useDispatcher(dispatcher);
    cleanups.push(async () => {
      fleet.stop();
      await fleet.settled();
    });
    const target: DispatchTarget = {
      sortieId: 'warm-up',
      dockId: dock.body.id,
      droneId: drone.body.id,
      linkUrl: simDock.url,
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
      mission: [
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
    const missionId = requested.body.id;
    const sortieId = requested.body.sorties[0].id;
    fleet.start();

    const seen = new Set<string>();
    const final = await waitFor(
      async () => {
        const s = await call(t, 'GET', `/v1/missions/${missionId}/sorties/${sortieId}`, {
          key: operator,
        });
        seen.add(s.body.state);
        return ['done', 'failed', 'aborted'].includes(s.body.state) ? s.body : undefined;
      },
      45_000,
      'sortie over',
    );
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.transitions.map((x: { to: string }) => x.to)).toEqual([
      'requested',
      'approved',
      'scheduled',
      'queued',
      'preflight',
      'launching',
      'in_flight',
      'returning',
      'landed',
      'done',
    ]);
    expect(final.progress.lastReachedItem).toBe(3);
    expect(simDock.dock!.roof).toBe('closed');
    const track = await call(t, 'GET', `/v1/missions/${missionId}/sorties/${sortieId}/track`, {
      key: operator,
    });
    expect(track.body.properties.sampleCount).toBeGreaterThan(1);
    expect(t.deps.repos.fleetOps.dispatchesOf(sortieId)).toHaveLength(1);
  }, 60_000);
});
