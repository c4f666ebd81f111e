import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetService, type FleetMessage } from '../../src/services/fleet/index';
import { call } from '../support/test-app';
import { approvedMission, createFleetWorld, T0, type FleetWorld } from './support/fleet-world';
import { FakeDispatcher } from './support/fake-dispatcher';

let w: FleetWorld;
let messages: FleetMessage[];
beforeEach(async () => {
  w = await createFleetWorld({ dispatcher: true });
  messages = [];
  w.fleet.bus.subscribe((m) => messages.push(m));
});
afterEach(async () => {
  w.fleet.stop();
  await w.clock.advance(3 * 3_600_000);
  await w.fleet.settled();
  w.t.close();
});

const position = (w: FleetWorld, i: number, batteryPct = 80) => ({
  type: 'position' as const,
  lon: 119.8 + i * 0.0001,
  lat: 30.36,
  altM: 60,
  groundSpeedMps: 10,
  batteryPct,
  mode: 'AUTO',
  atMs: w.clock.now(),
});

/** Lets the dispatch run until the drone is in flight. */
async function launch(w: FleetWorld) {
  w.fleet.tick();
  await w.clock.advance(2_000);
}

async function sortieOf(w: FleetWorld, missionId: string, sortieId: string) {
  const res = await call(w.t, 'GET', `/v1/missions/${missionId}/sorties/${sortieId}`, {
    key: w.keys.forestPlanner,
  });
  return res.body;
}

describe('dispatch through the fleet service (fake time, in-test dispatcher)', () => {
  it('flies a requested sortie to done, with progress, a 1 Hz track and accounting', async () => {
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    await launch(w);
    expect((await sortieOf(w, mission.id, sortieId)).state).toBe('in_flight');

    // 5 Hz positions for 10 s: stored at about 1 Hz.
    for (let i = 0; i < 50; i++) {
      w.vehicle.emit(position(w, i));
      if (i % 8 === 0) w.vehicle.emit({ type: 'progress', reachedItem: 1 + i / 8, totalItems: 7 });
      await w.clock.advance(200);
    }
    const mid = await sortieOf(w, mission.id, sortieId);
    expect(mid.progress.lastReachedItem).toBe(7);
    w.vehicle.emit({ type: 'mission_complete' });
    await w.clock.advance(1_000);
    w.vehicle.emit({ type: 'landed', inDock: true });
    await w.clock.advance(2_000);
    await w.fleet.settled();

    const done = await sortieOf(w, mission.id, sortieId);
    expect(done.state).toBe('done');
    expect(done.transitions.map((x: { to: string }) => x.to)).toEqual([
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
    expect(done.flownMin).toBeGreaterThan(0.15);
    expect(done.droneId).toBe(w.ids.drone);

    const track = await call(w.t, 'GET', `/v1/missions/${mission.id}/sorties/${sortieId}/track`, {
      key: w.keys.forestPlanner,
    });
    expect(track.headers.get('content-type')).toContain('application/geo+json');
    expect(track.body.geometry.type).toBe('LineString');
    expect(track.body.properties.sampleCount).toBeGreaterThanOrEqual(10);
    expect(track.body.properties.sampleCount).toBeLessThanOrEqual(11);
    const times: number[] = track.body.properties.times;
    expect(new Set(times).size).toBe(times.length);
    expect(track.body.geometry.coordinates[0]).toEqual([119.8, 30.36, 60]);

    const accounting = await call(w.t, 'GET', '/v1/fleet/accounting', { key: w.keys.utilityAdmin });
    expect(accounting.body.rows).toEqual([
      expect.objectContaining({
        agencyId: w.t.agencyId('forestry'),
        ownerAgencyId: w.t.agencyId('utility'),
        purpose: 'forest_fire_patrol',
        sorties: 1,
        done: 1,
        flownMin: done.flownMin,
      }),
    ]);
    expect(
      (await call(w.t, 'GET', '/v1/fleet/accounting', { key: w.keys.waterAdmin })).body.rows,
    ).toEqual([]);

    const live = messages.flatMap((m) =>
      m.type === 'sortie' && m.sortieId === sortieId ? [m.to] : [],
    );
    expect(live).toEqual([
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
    expect(messages.some((m) => m.type === 'telemetry')).toBe(true);
    expect(messages.some((m) => m.type === 'progress')).toBe(true);
  });

  it('holds a sortie on a failing gate with the reason shown, then flies once the wind drops', async () => {
    w.vehicle.status.windMps = 15;
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    w.fleet.tick();
    await w.clock.advance(1_000);
    await w.fleet.settled();
    const held = await sortieOf(w, mission.id, sortieId);
    expect(held).toMatchObject({ state: 'queued', reasonCode: 'GATE_WIND' });
    expect(held.reasonDetail).toContain('wind 15 m/s ≥ limit 12 m/s');
    w.fleet.tick(); // too early: held sorties wait before the next try
    await w.clock.advance(1_000);
    expect(w.vehicle.methods().filter((m) => m === 'dockStatus')).toHaveLength(1);

    w.vehicle.status.windMps = 4;
    await w.clock.advance(60_000);
    w.fleet.tick();
    await w.clock.advance(2_000);
    expect((await sortieOf(w, mission.id, sortieId)).state).toBe('in_flight');
    expect((await sortieOf(w, mission.id, sortieId)).attempt).toBe(2);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(sortieId).map((d) => d.status)).toEqual([
      'finished',
      'started',
    ]);
  });

  it('aborts mid-flight over HTTP: RTL commanded, ends aborted', async () => {
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    await launch(w);
    const res = await call(w.t, 'POST', `/v1/missions/${mission.id}/sorties/${sortieId}/abort`, {
      key: w.keys.forestOperator,
      json: { reason: 'fire already reported' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      state: 'returning',
      abortRequested: true,
      reasonCode: 'ABORTED',
    });
    await w.clock.advance(500);
    expect(w.vehicle.methods().at(-1)).toBe('returnToLaunch');
    w.vehicle.emit({ type: 'landed', inDock: true });
    await w.clock.advance(2_000);
    await w.fleet.settled();
    expect((await sortieOf(w, mission.id, sortieId)).state).toBe('aborted');
  });

  it('pauses and resumes over HTTP, only for the dock owner', async () => {
    const mission = await approvedMission(w);
    const base = `/v1/missions/${mission.id}/sorties/${mission.sorties[0].id}`;
    await launch(w);
    const denied = await call(w.t, 'POST', `${base}/pause`, {
      key: w.keys.forestOperator,
      json: {},
    });
    expect(denied.status).toBe(403);
    const paused = call(w.t, 'POST', `${base}/pause`, { key: w.keys.utilityOperator, json: {} });
    await w.clock.advance(500);
    expect((await paused).body.state).toBe('paused');
    const resumed = call(w.t, 'POST', `${base}/resume`, { key: w.keys.utilityOperator, json: {} });
    await w.clock.advance(500);
    expect((await resumed).body.state).toBe('in_flight');
  });

  it('answers 502 when the vehicle refuses a pause', async () => {
    const mission = await approvedMission(w);
    const base = `/v1/missions/${mission.id}/sorties/${mission.sorties[0].id}`;
    await launch(w);
    w.vehicle.failures.set('hold', {
      ok: false,
      kind: 'unsupported',
      reason: 'BRAKE not available',
    });
    const paused = call(w.t, 'POST', `${base}/pause`, { key: w.keys.utilityOperator, json: {} });
    await w.clock.advance(500);
    const res = await paused;
    expect([res.status, res.body.code]).toEqual([502, 'SORTIE_COMMAND_FAILED']);
    expect(res.body.detail).toContain('BRAKE not available');
  });

  it('keeps a failsafe vehicle uncommanded until an operator acknowledges, then resumes it from its last item', async () => {
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    const base = `/v1/missions/${mission.id}/sorties/${sortieId}`;
    await launch(w);
    w.vehicle.emit({ type: 'progress', reachedItem: 3, totalItems: 7 });
    await w.clock.advance(100);
    w.vehicle.emit({ type: 'failsafe', cause: 'GCS link lost', mode: 'RTL' });
    await w.clock.advance(100);
    const commandsAt = w.vehicle.calls.length;
    const held = await sortieOf(w, mission.id, sortieId);
    expect(held).toMatchObject({
      state: 'returning',
      failsafeHold: true,
      reasonCode: 'VEHICLE_FAILSAFE',
    });
    expect(held.transitions.at(-1).actor).toBe('vehicle');

    const pause = await call(w.t, 'POST', `${base}/pause`, {
      key: w.keys.utilityOperator,
      json: {},
    });
    expect([pause.status, pause.body.code]).toEqual([409, 'FAILSAFE_HOLD']);
    const abort = await call(w.t, 'POST', `${base}/abort`, {
      key: w.keys.utilityOperator,
      json: {},
    });
    expect(abort.status).toBe(200);
    expect(abort.body).toMatchObject({ state: 'returning', abortRequested: true });
    w.vehicle.emit({ type: 'landed', inDock: true });
    await w.clock.advance(2_000);
    expect(w.vehicle.calls.slice(commandsAt).map((c) => c.method)).toEqual([
      'closeRoof',
      'startCharging',
    ]);
    const events = await call(w.t, 'GET', '/v1/fleet', { key: w.keys.utilityOperator });
    expect(events.body.events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining([
        'VEHICLE_FAILSAFE',
        'COMMAND_WITHHELD',
        'FAILSAFE_AWAITING_OPERATOR',
      ]),
    );

    const early = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'end_after_failsafe' },
    });
    expect([early.status, early.body.code]).toEqual([409, 'FAILSAFE_HOLD']);
    const ack = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'acknowledge_failsafe' },
    });
    expect(ack.body.failsafeHold).toBe(false);
    // The operator aborted while in failsafe: the sortie cannot be resumed, only ended.
    const resume = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'resume_after_failsafe' },
    });
    expect([resume.status, resume.body.code]).toEqual([409, 'SORTIE_TRANSITION_INVALID']);
    const end = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'end_after_failsafe' },
    });
    expect(end.body).toMatchObject({ state: 'failed', reasonCode: 'VEHICLE_FAILSAFE' });
  });

  it('resumes a failsafe sortie from its last reached item after acknowledgement', async () => {
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    const base = `/v1/missions/${mission.id}/sorties/${sortieId}`;
    await launch(w);
    w.vehicle.emit({ type: 'progress', reachedItem: 4, totalItems: 7 });
    w.vehicle.emit({ type: 'failsafe', cause: 'battery', mode: 'RTL' });
    await w.clock.advance(100);
    w.vehicle.emit({ type: 'landed', inDock: true });
    await w.clock.advance(2_000);
    await w.fleet.settled();
    await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'acknowledge_failsafe' },
    });
    const resumed = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'resume_after_failsafe' },
    });
    expect(resumed.body).toMatchObject({
      state: 'queued',
      attempt: 2,
      reasonCode: 'RESUMED_BY_OPERATOR',
    });
    w.fleet.tick();
    await w.clock.advance(2_000);
    expect(w.vehicle.calls.filter((c) => c.method === 'startMission').map((c) => c.detail)).toEqual(
      ['from 0', 'from 4'],
    );
    expect(w.t.deps.repos.fleetOps.dispatchesOf(sortieId).map((d) => d.key)).toEqual([
      `${sortieId}#1`,
      `${sortieId}#2`,
    ]);
  });

  it('surfaces low battery and link loss to the live stream at once', async () => {
    const mission = await approvedMission(w);
    await launch(w);
    w.vehicle.emit({ type: 'link', healthy: false });
    w.vehicle.emit({ type: 'battery', pct: 20 });
    await w.clock.advance(10);
    const kinds = messages.flatMap((m) => (m.type === 'event' ? [m.kind] : []));
    expect(kinds).toEqual(expect.arrayContaining(['LINK_LOST', 'LOW_BATTERY']));
    const low = messages.find((m) => m.type === 'event' && m.kind === 'LOW_BATTERY');
    expect(low).toMatchObject({ severity: 'critical', sortieId: mission.sorties[0].id });
  });
});

describe('restart safety', () => {
  it('never dispatches a sortie twice, even with two services over one store', async () => {
    const mission = await approvedMission(w);
    const other = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    const otherVehicle = new FakeDispatcher(w.clock);
    other.useDispatcher(otherVehicle, w.clock);
    w.fleet.tick();
    other.tick();
    await w.clock.advance(2_000);
    expect(w.vehicle.methods().filter((m) => m === 'arm')).toHaveLength(1);
    expect(otherVehicle.calls).toEqual([]);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(mission.sorties[0].id)).toHaveLength(1);
  });

  it('recovers an in-flight sortie after a restart: re-attaches without re-sending, finishes it', async () => {
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    await launch(w);
    w.vehicle.emit({ type: 'progress', reachedItem: 2, totalItems: 7 });
    await w.clock.advance(100);
    const before = w.vehicle.calls.length;

    // "Restart": the old service lets go, a fresh one over the same store and a fresh link.
    await w.fleet.release();
    expect(w.vehicle.calls.length).toBe(before); // releasing commands nothing
    expect((await sortieOf(w, mission.id, sortieId)).state).toBe('in_flight');
    expect(w.t.deps.repos.fleetOps.dispatchesOf(sortieId)[0]?.status).toBe('started');
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    const relinked = new FakeDispatcher(w.clock);
    restarted.useDispatcher(relinked, w.clock);
    expect(restarted.recover()).toEqual({ requeued: 0, reattached: 1, unattached: 0 });
    restarted.tick();
    await w.clock.advance(1_000);
    expect(relinked.calls).toEqual([]); // nothing re-sent: no upload, no arm, no take-off

    relinked.emit({ type: 'progress', reachedItem: 6, totalItems: 7 });
    relinked.emit({ type: 'mission_complete' });
    await w.clock.advance(500);
    relinked.emit({ type: 'landed', inDock: true });
    await w.clock.advance(2_000);
    await restarted.settled();
    const done = await sortieOf(w, mission.id, sortieId);
    expect(done.state).toBe('done');
    expect(relinked.methods()).toEqual(['returnToLaunch', 'closeRoof', 'startCharging']);
    expect(w.vehicle.calls.length).toBeGreaterThanOrEqual(before);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(sortieId)).toHaveLength(1);
  });

  it('queues a sortie caught in preflight again as a new attempt', async () => {
    w.vehicle.hangs.add('uploadAndVerify');
    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    w.fleet.tick();
    await w.clock.advance(500);
    expect((await sortieOf(w, mission.id, sortieId)).state).toBe('preflight');
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    expect(restarted.recover()).toEqual({ requeued: 1, reattached: 0, unattached: 0 });
    const after = await sortieOf(w, mission.id, sortieId);
    expect(after).toMatchObject({ state: 'queued', attempt: 2, reasonCode: 'RECOVERED' });
  });

  it('reports an airborne sortie it cannot re-attach to', async () => {
    const mission = await approvedMission(w);
    await launch(w);
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    expect(restarted.recover()).toEqual({ requeued: 0, reattached: 0, unattached: 1 });
    const snapshot = await call(w.t, 'GET', '/v1/fleet', { key: w.keys.utilityOperator });
    expect(snapshot.body.events[0]).toMatchObject({
      kind: 'RECOVERY_UNATTACHED',
      sortieId: mission.sorties[0].id,
    });
  });
});

describe('telemetry retention', () => {
  it('prunes samples older than the retention setting on each tick', async () => {
    const short = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
      options: { telemetryRetentionMs: 60_000 },
    });
    const sample = (i: number) => ({ ...position(w, i), atMs: w.clock.now() });
    expect(short.recordTelemetry(w.ids.drone, null, sample(0))).toBe(true);
    expect(short.recordTelemetry(w.ids.drone, null, sample(1))).toBe(false); // same second
    await w.clock.advance(1_000);
    expect(short.recordTelemetry(w.ids.drone, null, sample(2))).toBe(true);
    await w.clock.advance(120_000);
    expect(short.recordTelemetry(w.ids.drone, null, sample(3))).toBe(true);
    expect(short.flushTelemetry()).toBe(3);
    short.tick();
    expect(w.t.deps.repos.fleetOps.latestSample(w.ids.drone)?.atS).toBe(
      Math.floor(w.clock.now() / 1000),
    );
    expect(
      w.t.deps.store.sqlite.prepare('select count(*) as n from telemetry_samples').get(),
    ).toEqual({ n: 1 });
    void T0;
  });
});
