/**
 * A verification sortie flown over real UDP against the bridge's simulated dock and drone, at a
 * speed-up: fire alert → request → plan → mission (standing approval) → dispatch → inspection
 * tour → landing → done → the alert's timeline names the flown track.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimFleet, type SimFleet } from '../../firmware-bridge/index';
import {
  BridgeDispatcher,
  fleetServiceFor,
  type DispatchTarget,
} from '../../src/services/fleet/index';
import { alertsServiceFor } from '../../src/routes/alerts/alerts-context';
import { verificationServiceFor } from '../../src/services/verification/index';
import { call, createTestApp, type TestApp } from '../support/test-app';
import { at, hotspot, square } from '../alerts/fixtures';
import { cleanups, closeSimWorlds, waitFor } from '../fleet/support/sim-world';

afterEach(closeSimWorlds);

describe('a verification sortie over real UDP with the simulator', () => {
  it('flies the close-up of a high fire alert from request to done and links the flown track on the alert', async () => {
    const started = Date.now();
    // The dock stands 300 m east of the fire, on the edge of the forest farm.
    const home = at(300, 0);
    const sim: SimFleet = await startSimFleet({
      docks: 1,
      udpBasePort: 0,
      timeScale: 20,
      home,
      roofTravelMs: 3_000,
      drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0 },
    });
    cleanups.push(() => sim.close());
    const simDock = sim.vehicles.find((v) => v.kind === 'dock')!;

    const t: TestApp = createTestApp();
    cleanups.push(() => t.close());
    const operator = t.key('State Grid Yuhang', 'utility', 'operator');
    const forestry = t.key('Yuhang Forestry', 'forestry', 'operator');
    t.deps.repos.agencies.update(
      t.agencyId('Yuhang Forestry'),
      { jurisdiction: { type: 'Polygon', coordinates: [square(-3000, -3000, 6000)] } },
      new Date(),
    );
    const dock = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: {
        name: 'Jingshan east',
        position: home,
        groundAltM: 60,
        linkUrl: simDock.url,
        systemId: simDock.systemId,
        shared: true,
      },
    });
    expect(dock.status, JSON.stringify(dock.body)).toBe(201);
    const drone = await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: {
        dockId: dock.body.id,
        name: 'M30T sim',
        systemId: simDock.drone!.systemId,
        model: 'sim copter',
        cruiseSpeedMps: 10,
        maxFlightTimeMin: 30,
        batteryReservePct: 25,
        payloads: [{ kind: 'ir', hfovDeg: 45 }],
      },
    });
    expect(drone.status, JSON.stringify(drone.body)).toBe(201);

    const dispatcher = new BridgeDispatcher({
      heartbeatIntervalMs: 100,
      lostAfterMs: 1_000,
      armWaitReadyMs: 10_000,
    });
    cleanups.push(() => dispatcher.close());
    const fleet = fleetServiceFor(t.deps);
    fleet.useDispatcher(dispatcher);
    expect(fleet.observeFleet()).toBe(1);
    cleanups.push(() => fleet.release());
    // The link is up and both systems heard before anything flies (a launch gate would
    // otherwise hold the first attempt for the fleet's hold-retry minute).
    const target: DispatchTarget = {
      sortieId: 'warm-up',
      dockId: dock.body.id,
      droneId: drone.body.id,
      linkUrl: simDock.url,
      dockSystemId: simDock.systemId,
      droneSystemId: simDock.drone!.systemId,
    };
    await waitFor(
      async () => {
        const s = await dispatcher.dockStatus(target, new AbortController().signal);
        return s.ok && s.value.linkHealthy ? s.value : undefined;
      },
      10_000,
      'dock and drone heard',
    );
    const verification = verificationServiceFor(t.deps, alertsServiceFor(t.deps));
    cleanups.push(() => verification.detach());
    cleanups.push(() => alertsServiceFor(t.deps).stop());

    // A hot, large fire: high severity, so the standing rule approves the flight.
    const ingested = await call(t, 'POST', '/v1/detections', {
      key: operator,
      json: { detections: [hotspot({ maxTempC: 400, hotPixelCount: 20_000, atMs: Date.now() })] },
    });
    expect([200, 202], JSON.stringify(ingested.body)).toContain(ingested.status);
    const alertId = await waitFor(
      async () => {
        const list = await call(t, 'GET', '/v1/alerts', { key: forestry });
        return list.body.items?.[0]?.id as string | undefined;
      },
      10_000,
      'the fire alert',
    );

    const requestedAt = Date.now();
    const posted = await call(t, 'POST', `/v1/alerts/${alertId}/verification`, {
      key: forestry,
      json: { note: 'is it spreading?' },
    });
    expect(posted.status).toBe(201);
    const scheduled = await waitFor(
      async () => {
        const v = (await call(t, 'GET', `/v1/alerts/${alertId}/verification`, { key: forestry }))
          .body.items[0];
        return v?.status === 'scheduled' ? v : undefined;
      },
      10_000,
      'verification scheduled',
    );
    const toMissionMs = Date.now() - requestedAt;
    expect(scheduled.approvedBy).toBe('policy:verification-auto-approve');

    fleet.start();
    let last: { status?: string; steps?: unknown[] } = {};
    const done = await waitFor(
      async () => {
        const v = (await call(t, 'GET', `/v1/alerts/${alertId}/verification`, { key: forestry }))
          .body.items[0];
        last = v;
        return v.status === 'done' || v.status === 'failed' ? v : undefined;
      },
      90_000,
      'verification flown',
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last ${JSON.stringify(last)}`, { cause: err });
    });
    expect(done.status, JSON.stringify(done.steps.slice(-2))).toBe('done');
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual([
      'requested',
      'planned',
      'mission_created',
      'scheduled',
      'flying',
      'done',
    ]);

    // The sortie flew every item of the tour and is back in the closed dock.
    const sortie = await call(t, 'GET', `/v1/missions/${done.missionId}/sorties/${done.sortieId}`, {
      key: forestry,
    });
    expect(sortie.body.state).toBe('done');
    expect(sortie.body.progress.lastReachedItem).toBeGreaterThanOrEqual(
      sortie.body.progress.totalItems - 1,
    );
    expect(simDock.dock!.roof).toBe('closed');

    // The alert's timeline names the track; the track holds the flown samples near the fire.
    const events = await call(t, 'GET', `/v1/alerts/${alertId}/events`, { key: forestry });
    const flown = events.body.items.find(
      (e: { type: string }) => e.type === 'alert.verification_done',
    );
    expect(flown.data).toMatchObject({ verificationId: done.id, trackUrl: done.trackUrl });
    const track = await call(t, 'GET', done.trackUrl, { key: forestry });
    expect(track.status).toBe(200);
    expect(track.body.properties.sampleCount).toBeGreaterThan(3);
    const coords = track.body.geometry.coordinates as [number, number][];
    const nearest = Math.min(
      ...coords.map(([lon, lat]) =>
        Math.hypot((lon - at(0, 0)[0]) * 96_000, (lat - at(0, 0)[1]) * 111_000),
      ),
    );
    expect(nearest).toBeLessThan(60);
    const stepAt = (status: string) =>
      Date.parse(done.steps.find((s: { status: string }) => s.status === status).at);
    console.log(
      `verification e2e: stored request → mission created ${stepAt('mission_created') - stepAt('requested')} ms (service steps); POST → scheduled seen by polling ${toMissionMs} ms; request → done ${Date.now() - requestedAt} ms; whole test ${Date.now() - started} ms (sim ×20)`,
    );
  }, 120_000);
});
