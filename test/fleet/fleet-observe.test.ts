/**
 * Docks registered, changed and deleted while the service runs: the fleet starts and stops
 * watching them on its own, over real UDP sockets to the simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimFleet, type SimFleet } from '../../firmware-bridge/index';
import { BridgeDispatcher, fleetServiceFor } from '../../src/services/fleet/index';
import { call, createTestApp, type TestApp } from '../support/test-app';
import { closeSimWorlds, cleanups, HOME, waitFor } from './support/sim-world';
import { openFleetStream } from './support/sse-stream';

afterEach(closeSimWorlds);

async function registerDock(
  t: TestApp,
  key: string,
  sim: SimFleet,
  index: number,
): Promise<{ dockId: string; droneId: string }> {
  const simDock = sim.vehicles.filter((v) => v.kind === 'dock')[index]!;
  const dock = await call(t, 'POST', '/v1/docks', {
    key,
    json: {
      name: `sim dock ${index + 1}`,
      position: HOME,
      groundAltM: 100,
      linkUrl: simDock.url,
      systemId: simDock.systemId,
    },
  });
  expect(dock.status, JSON.stringify(dock.body)).toBe(201);
  const drone = await call(t, 'POST', '/v1/drones', {
    key,
    json: {
      dockId: dock.body.id,
      name: `sim ${index + 1}`,
      systemId: simDock.drone!.systemId,
      model: 'sim copter',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 30,
      batteryReservePct: 25,
    },
  });
  expect(drone.status, JSON.stringify(drone.body)).toBe(201);
  return { dockId: dock.body.id as string, droneId: drone.body.id as string };
}

describe('live dock state for docks registered while the service runs', () => {
  it('watches a dock posted after start: its roof, charger and weather reach the snapshot and the stream', async () => {
    const sim = await startSimFleet({
      docks: 2,
      udpBasePort: 0,
      timeScale: 10,
      home: HOME,
      drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0 },
    });
    cleanups.push(() => sim.close());
    const simDocks = sim.vehicles.filter((v) => v.kind === 'dock');
    // The second dock has weather of its own, so its state cannot be the first one's.
    simDocks[1]!.dock!.setWeather({ windMps: 7.5, rain: 1, temperatureC: 31 });

    const t = createTestApp();
    cleanups.push(() => t.close());
    const operator = t.key('utility', 'utility', 'operator');
    const first = await registerDock(t, operator, sim, 0);

    const dispatcher = new BridgeDispatcher({ heartbeatIntervalMs: 100, positionRateHz: 4 });
    cleanups.push(() => dispatcher.close());
    const fleet = fleetServiceFor(t.deps, { tickMs: 200 });
    fleet.useDispatcher(dispatcher);
    cleanups.push(() => fleet.release());
    expect(fleet.observeFleet()).toBe(1);
    fleet.start();

    const stream = await openFleetStream(t, operator);
    cleanups.push(() => stream.close());

    // Registered while the service runs.
    const second = await registerDock(t, operator, sim, 1);
    const state = await waitFor(
      async () => {
        const snapshot = await call(t, 'GET', '/v1/fleet', { key: operator });
        const dock = (snapshot.body.docks as { id: string; state: unknown }[]).find(
          (d) => d.id === second.dockId,
        );
        return dock?.state ?? undefined;
      },
      10_000,
      'the new dock in the snapshot',
    );
    expect(state).toMatchObject({
      live: true,
      roof: 'closed',
      charger: expect.stringMatching(/^(idle|charging|full)$/),
      dronePresent: true,
      windMps: 7.5,
      rain: 'light',
      temperatureC: 31,
    });
    await stream.until(
      (events) =>
        events.some(
          (e) =>
            e.event === 'dock' &&
            e.data.dockId === second.dockId &&
            (e.data.state as { windMps: number }).windMps === 7.5,
        ),
      5_000,
      'the new dock on the stream',
    );
    // Its drone is watched too: positions of the idle drone arrive.
    await stream.until(
      (events) => events.some((e) => e.event === 'telemetry' && e.data.droneId === second.droneId),
      10_000,
      'the new drone on the stream',
    );
    // The first dock kept its own state throughout.
    expect(fleet.dockState(first.dockId)).toMatchObject({ live: true });
    expect(fleet.dockState(first.dockId)?.windMps).not.toBe(7.5);
  }, 30_000);

  it('stops watching a deleted dock and re-watches one whose link changed', async () => {
    const sim = await startSimFleet({
      docks: 3,
      udpBasePort: 0,
      timeScale: 10,
      home: HOME,
      drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0 },
    });
    cleanups.push(() => sim.close());
    const simDocks = sim.vehicles.filter((v) => v.kind === 'dock');
    simDocks[1]!.dock!.setWeather({ windMps: 5 });
    simDocks[2]!.dock!.setWeather({ windMps: 9 });
    const t = createTestApp();
    cleanups.push(() => t.close());
    const operator = t.key('utility', 'utility', 'operator');
    const a = await registerDock(t, operator, sim, 0);
    const b = await registerDock(t, operator, sim, 1);

    const dispatcher = new BridgeDispatcher({ heartbeatIntervalMs: 100 });
    cleanups.push(() => dispatcher.close());
    const fleet = fleetServiceFor(t.deps, { tickMs: 200 });
    fleet.useDispatcher(dispatcher);
    cleanups.push(() => fleet.release());
    expect(fleet.observeFleet()).toBe(2);
    fleet.start();
    await waitFor(() => fleet.dockState(b.dockId), 10_000, 'dock b watched');

    // Dock a now points at the third simulated dock (its link and system id): it is
    // re-watched there, and its state becomes that dock's weather.
    const moved = await call(t, 'PUT', `/v1/docks/${a.dockId}`, {
      key: operator,
      json: {
        name: 'sim dock 1 (moved)',
        position: HOME,
        groundAltM: 100,
        linkUrl: simDocks[2]!.url,
        systemId: simDocks[2]!.systemId,
      },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await waitFor(
      () => (fleet.dockState(a.dockId)?.windMps === 9 ? true : undefined),
      10_000,
      'dock a re-watched on its new link',
    );

    // Dock b goes away (its drone first): no state, no more messages for it.
    expect((await call(t, 'DELETE', `/v1/drones/${b.droneId}`, { key: operator })).status).toBe(
      204,
    );
    expect((await call(t, 'DELETE', `/v1/docks/${b.dockId}`, { key: operator })).status).toBe(204);
    await waitFor(
      () => (fleet.dockState(b.dockId) === undefined ? true : undefined),
      5_000,
      'dock b forgotten',
    );
    const late: string[] = [];
    const unsubscribe = fleet.bus.subscribe((m) => {
      if (m.type === 'dock') late.push(m.dockId);
    });
    await new Promise((r) => setTimeout(r, 1_500));
    unsubscribe();
    expect(late).toContain(a.dockId);
    expect(late).not.toContain(b.dockId);
  }, 30_000);
});
