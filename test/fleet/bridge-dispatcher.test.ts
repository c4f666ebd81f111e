/**
 * The fleet service flying a sortie over a real UDP socket against the bridge's simulated dock
 * and drone: request → approve → queue → dispatch (dock status, uploads read back, roof, arm,
 * AUTO) → progress → RTL → landing → roof closed → charging → done.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimFleet,
  type FailureMode,
  type MissionItem,
  type SimFleet,
  type SimVehicle,
} from '../../firmware-bridge/index';
import { BridgeDispatcher } from '../../src/services/fleet/bridge-dispatcher';
import {
  fleetServiceFor,
  type DispatchOutcome,
  type FleetServiceOptions,
  type DispatchTarget,
  type UploadKind,
} from '../../src/services/fleet/index';
import { call, createTestApp, type TestApp } from '../support/test-app';
import { forestSquare } from './support/fleet-world';
import { startUdpCutRelay } from './support/udp-cut-relay';

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

/** One dispatcher call over the real bridge, with what the simulator held when it ended. */
interface BridgeCall {
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
class RecordingBridgeDispatcher extends BridgeDispatcher {
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

async function simWorld(
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

const FLOW = [
  'requested',
  'approved',
  'scheduled',
  'queued',
  'preflight',
  'launching',
  'in_flight',
];

async function until(
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

describe('BridgeDispatcher over real UDP with the simulator', () => {
  it('flies a shared sortie from request to done and stores its track', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.transitions.map((x: { to: string }) => x.to)).toEqual([
      ...FLOW,
      'returning',
      'landed',
      'done',
    ]);
    expect(final.progress.lastReachedItem).toBe(3);
    expect(w.simDock.dock!.roof).toBe('closed');
    const track = await call(
      w.t,
      'GET',
      `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}/track`,
      { key: w.operator },
    );
    expect(track.body.properties.sampleCount).toBeGreaterThan(1);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(1);
  }, 60_000);

  it('uploads while the roof opens and arms only with the roof open and every upload verified', async () => {
    // 20 s of roof travel (2 s real): the transfers end long before the roof does.
    const w = await simWorld({ roofTravelMs: 20_000 });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    const calls = w.dispatcher.calls;
    const at = (method: string) => calls.find((c) => c.method === method)!;
    expect(calls.slice(0, 5).map((c) => c.method)).toEqual([
      'openRoof',
      'upload fence',
      'upload rally',
      'upload mission',
      'arm',
    ]);
    // The uploads ran while the roof travelled …
    expect(at('upload fence').startMs).toBeLessThan(at('openRoof').endMs);
    expect(at('upload mission').endMs).toBeLessThan(at('openRoof').endMs);
    // … and the drone was armed only once the roof stood open and held the verified route
    // (ArduPilot keeps home in slot 0: four route items are five on the vehicle).
    expect(at('arm').startMs).toBeGreaterThanOrEqual(at('openRoof').endMs);
    expect(at('arm')).toMatchObject({ roofAtStart: 'open', missionItemsAtStart: 5 });
    expect(at('arm').fenceItemsAtStart).toBe(4);
  }, 60_000);

  it('fails a sortie whose fence the vehicle rejects: roof closed again, drone never armed', async () => {
    const w = await simWorld({ failureMode: 'write-final-ack-error-ack' });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final).toMatchObject({ state: 'failed', reasonCode: 'UPLOAD_FENCE_FAILED' });
    expect(final.reasonDetail).toMatch(/rejected/);
    expect(w.dispatcher.calls.map((c) => c.method)).toEqual([
      'openRoof',
      'upload fence',
      'closeRoof',
    ]);
    expect(w.simDock.drone!.commandsReceived.map((c) => c.command)).not.toContain(400);
    expect(w.simDock.drone!.armed).toBe(false);
    await waitFor(
      () => (w.simDock.dock!.roof === 'closed' ? true : undefined),
      5_000,
      'roof closed',
    );
  }, 60_000);

  it('resumes an interrupted sortie at its last reached item: DO_SET_MISSION_CURRENT k, nothing before k flown again', async () => {
    // Flights longer than 4.5 s (45 s simulated) are cut short: the drone is sent home, lands,
    // and the sortie is queued again to resume from the last item it reached.
    const w = await simWorld({ waypoints: 10, fleetOptions: { timeouts: { flightMaxMs: 4_500 } } });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted'], 90_000);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    type T = { from: string; to: string; reasonCode: string | null; reason: string | null };
    const transitions = final.transitions as T[];
    const requeues = transitions.filter((x) => x.reasonCode === 'INTERRUPTED_FLIGHT_TIMEOUT');
    const resumes = transitions.filter((x) => x.to === 'in_flight' && x.reasonCode === 'RESUMED');
    expect(
      requeues.length,
      JSON.stringify(transitions.map((x) => [x.to, x.reasonCode, x.reason])),
    ).toBeGreaterThanOrEqual(1);
    expect(resumes).toHaveLength(requeues.length);
    const k = Number(/resumes from item (\d+)/.exec(requeues[0]!.reason ?? '')?.[1]);
    expect(k).toBeGreaterThan(0);
    expect(resumes[0]!.reason).toBe(`resumed from item ${k}`);

    const drone = w.simDock.drone!;
    // The vehicle was pointed at route item k (vehicle seq k + 1: home holds slot 0) …
    const setCurrent = drone.commandsReceived.filter((c) => c.command === 224);
    expect(setCurrent).toHaveLength(resumes.length);
    expect(setCurrent[0]!.params[0]).toBe(k + 1);
    // … and each later flight reached its resume item first and nothing before it.
    const flight = (n: number) =>
      drone.itemsReached.filter((r) => r.flight === n).map((r) => r.seq);
    expect(Math.max(...flight(1))).toBe(k + 1);
    requeues.forEach((requeue, i) => {
      const from = Number(/resumes from item (\d+)/.exec(requeue.reason ?? '')?.[1]);
      expect(setCurrent[i]!.params[0]).toBe(from + 1);
      expect(flight(i + 2)[0]).toBe(from + 1);
      expect(Math.min(...flight(i + 2))).toBe(from + 1);
    });
    // Every item was reached over the flights, the last one at the end.
    const all = new Set(drone.itemsReached.map((r) => r.seq));
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(final.progress.lastReachedItem).toBe(10);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(requeues.length + 1);
  }, 120_000);

  it('holds the launch while the dock reports wind over the drone’s limit, roof never opened', async () => {
    const w = await simWorld({ weatherWindMps: 15 });
    const ids = await w.request();
    w.fleet.tick();
    const held = await until(
      w,
      ids,
      ['queued'].filter(() => true),
      10_000,
    ).then(async () =>
      waitFor(
        async () => {
          const s = await w.sortie(ids);
          return s.reasonCode ? s : undefined;
        },
        10_000,
        'held',
      ),
    );
    expect(held).toMatchObject({ state: 'queued', reasonCode: 'GATE_WIND' });
    // The live picture shows the dock's weather and roof, and the idle drone's position.
    const messages: string[] = [];
    const unsubscribe = w.fleet.bus.subscribe((m) => messages.push(m.type));
    await waitFor(
      () => (messages.includes('dock') && messages.includes('telemetry') ? true : undefined),
      10_000,
      'dock and drone on the stream',
    );
    unsubscribe();
    const snapshot = await call(w.t, 'GET', '/v1/fleet', { key: w.operator });
    expect(snapshot.body.docks[0].state).toMatchObject({
      live: true,
      roof: 'closed',
      windMps: 15,
      dronePresent: true,
    });
    expect(snapshot.body.docks[0].drones[0].position).not.toBeNull();
    expect(held.reasonDetail).toContain('wind 15 m/s');
    expect(w.simDock.dock!.roof).toBe('closed');
  }, 30_000);

  it('aborts mid-flight: the drone is sent home over the link and the sortie ends aborted', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    const abort = await call(
      w.t,
      'POST',
      `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}/abort`,
      {
        key: w.operator,
        json: { reason: 'test abort' },
      },
    );
    expect(abort.body).toMatchObject({ state: 'returning', abortRequested: true });
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('aborted');
    expect(final.progress.lastReachedItem).toBeLessThan(3);
    expect(w.simDock.dock!.roof).toBe('closed');
  }, 60_000);

  it('restarts mid-flight: a new service re-attaches over a new link and finishes without dispatching again', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    // The old process goes away (its link closes); the vehicle flies on in AUTO.
    await w.fleet.release();
    await w.dispatcher.close();
    const { FleetService } = await import('../../src/services/fleet/index');
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    const relinked = new BridgeDispatcher({ heartbeatIntervalMs: 100, lostAfterMs: 3_000 });
    cleanups.push(() => relinked.close());
    restarted.useDispatcher(relinked);
    cleanups.push(() => restarted.release());
    expect(restarted.recover()).toEqual({ requeued: 0, reattached: 1, unattached: 0 });
    restarted.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.transitions.filter((x: { to: string }) => x.to === 'preflight')).toHaveLength(1);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(1);
  }, 60_000);

  it('never overrides a vehicle failsafe: the sortie waits landed for an operator', async () => {
    // The drone's own battery failsafe (25 %) comes before the service's reserve (10 %).
    const w = await simWorld({ drone: { batteryPct: 40, enduranceS: 120 }, batteryReservePct: 10 });
    const ids = await w.request();
    w.fleet.start();
    const held = await until(w, ids, ['landed', 'done', 'failed', 'aborted']);
    const events = w.t.deps.repos.fleetOps
      .recentEvents({ agencyId: '', seesAll: true }, 20)
      .map((e) => `${e.kind}: ${e.detail}`);
    expect(held.state, events.join('\n')).toBe('landed');
    const failsafe = held.transitions.find(
      (x: { reasonCode: string | null }) => x.reasonCode === 'VEHICLE_FAILSAFE',
    );
    expect(failsafe).toMatchObject({ from: 'in_flight', to: 'returning', actor: 'vehicle' });
    expect(events.join('\n')).toMatch(/VEHICLE_FAILSAFE: .*Battery Failsafe/);
    await waitFor(
      async () => ((await w.sortie(ids)).failsafeHold ? true : undefined),
      5_000,
      'hold',
    );
    const base = `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}`;
    const pause = await call(w.t, 'POST', `${base}/pause`, { key: w.operator, json: {} });
    expect([pause.status, pause.body.code]).toEqual([409, 'FAILSAFE_HOLD']);
    await waitFor(
      async () => (w.simDock.dock!.roof === 'closed' ? true : undefined),
      10_000,
      'roof closed',
    );
    const ack = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.operator,
      json: { action: 'acknowledge_failsafe' },
    });
    expect(ack.body.failsafeHold, JSON.stringify(ack.body)).toBe(false);
    const end = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.operator,
      json: { action: 'end_after_failsafe' },
    });
    expect(end.body).toMatchObject({ state: 'failed', reasonCode: 'VEHICLE_FAILSAFE' });
  }, 60_000);

  it('reports link loss at once and its recovery, and the sortie still completes', async () => {
    const w = await simWorld({ relay: true, waypoints: 10 });
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    const kinds: string[] = [];
    const unsubscribe = w.fleet.bus.subscribe((m) => {
      if (m.type === 'event') kinds.push(m.kind);
    });
    w.relay!.cut();
    await waitFor(() => (kinds.includes('LINK_LOST') ? true : undefined), 5_000, 'LINK_LOST');
    expect((await w.sortie(ids)).state).toBe('in_flight'); // the vehicle flies on; nothing fails
    w.relay!.restore();
    await waitFor(
      () => (kinds.includes('LINK_RESTORED') ? true : undefined),
      5_000,
      'LINK_RESTORED',
    );
    unsubscribe();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.progress.lastReachedItem).toBe(10);
  }, 60_000);
});
