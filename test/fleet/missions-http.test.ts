import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetService } from '../../src/services/fleet/index';
import { call } from '../support/test-app';
import {
  approvedMission,
  createFleetWorld,
  forestSquare,
  missionBody,
  T0,
  type FleetWorld,
} from './support/fleet-world';

let w: FleetWorld;
beforeEach(async () => {
  w = await createFleetWorld();
});
afterEach(() => w.t.close());

const fireSeason = {
  kind: 'recurring',
  rule: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
  startsAt: '2026-04-01T00:00:00+08:00',
  endsAt: '2026-07-01T00:00:00+08:00',
  timeZone: 'Asia/Shanghai',
};

describe('missions: happy paths', () => {
  it('records a request, the owner’s approval and every sortie transition with its actor', async () => {
    const created = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      purpose: 'forest_fire_patrol',
      priority: 50,
      status: 'requested',
      agencyId: w.t.agencyId('forestry'),
      ownerAgencyId: w.t.agencyId('utility'),
      routeItems: { mission: 7, fence: 4, rally: 1 },
    });
    expect(created.body.estimatedFlightMin).toBeGreaterThan(2);
    const sortie = created.body.sorties[0];
    expect(sortie).toMatchObject({
      state: 'requested',
      priority: 50,
      occurrenceAt: new Date(T0).toISOString(),
    });

    const approved = await call(w.t, 'POST', `/v1/missions/${created.body.id}/approve`, {
      key: w.keys.utilityOperator,
      json: { reason: 'fire danger level 4' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    expect(approved.body.sorties[0].state).toBe('scheduled');

    const detail = await call(w.t, 'GET', `/v1/missions/${created.body.id}/sorties/${sortie.id}`, {
      key: w.keys.forestPlanner,
    });
    expect(
      detail.body.transitions.map((x: { from: string | null; to: string }) => `${x.from}→${x.to}`),
    ).toEqual(['null→requested', 'requested→approved', 'approved→scheduled']);
    expect(detail.body.transitions[0].actor).toMatch(/^key:key_/);
    expect(detail.body.transitions[1]).toMatchObject({ reason: 'fire danger level 4' });
    expect(detail.body.transitions[2].actor).toBe('scheduler');
  });

  it('derives priority from purpose and approves the owner’s own requests at once', async () => {
    const area = await call(w.t, 'POST', '/v1/areas?kind=forest', {
      key: w.keys.utilityAdmin,
      json: forestSquare,
    });
    const line = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.utilityOperator,
      json: { ...missionBody(w), purpose: 'line_inspection', areaIds: [area.body.id] },
    });
    expect(line.status).toBe(201);
    expect(line.body).toMatchObject({ priority: 10, status: 'approved' });
    expect(line.body.sorties[0].state).toBe('scheduled');
  });

  it('rejects a mission with a reason; its sorties end rejected', async () => {
    const created = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    const rejected = await call(w.t, 'POST', `/v1/missions/${created.body.id}/reject`, {
      key: w.keys.utilityAdmin,
      json: { reason: 'dock under maintenance' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      statusReason: 'dock under maintenance',
    });
    expect(rejected.body.sorties[0]).toMatchObject({ state: 'rejected', reasonCode: 'REJECTED' });
    const again = await call(w.t, 'POST', `/v1/missions/${created.body.id}/approve`, {
      key: w.keys.utilityAdmin,
      json: {},
    });
    expect([again.status, again.body.code]).toEqual([409, 'MISSION_ALREADY_DECIDED']);
  });

  it('materialises a fire-season rule into sorties once, across ticks and restarts', async () => {
    const mission = await approvedMission(w, { schedule: fireSeason });
    expect(mission.sorties).toEqual([]);
    w.fleet.tick();
    w.fleet.tick();
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    restarted.tick();
    const got = await call(w.t, 'GET', `/v1/missions/${mission.id}`, { key: w.keys.forestPlanner });
    // 24 h look-ahead from 09:55 local: today 10:00 and 14:00, tomorrow 10:00 and 14:00 is past it.
    expect(got.body.sorties.map((s: { occurrenceAt: string }) => s.occurrenceAt)).toEqual(
      [
        '2026-06-01T02:00:00.000Z',
        '2026-06-01T06:00:00.000Z',
        '2026-06-02T02:00:00.000Z',
        '2026-06-02T06:00:00.000Z',
      ].filter((iso) => Date.parse(iso) < T0 + 86_400_000),
    );
    expect(got.body.sorties.every((s: { state: string }) => s.state === 'scheduled')).toBe(true);

    await w.clock.advance(6 * 60_000); // 10:01 local: the first is due
    restarted.tick();
    w.fleet.tick();
    const after = await call(w.t, 'GET', `/v1/missions/${mission.id}`, {
      key: w.keys.forestPlanner,
    });
    expect(after.body.sorties.map((s: { state: string }) => s.state)).toEqual([
      'queued',
      'scheduled',
      'scheduled',
    ]);
  });

  it('fails a sortie whose launch window closed before it could fly', async () => {
    const mission = await approvedMission(w);
    await w.clock.advance(31 * 60_000);
    w.fleet.tick();
    const got = await call(w.t, 'GET', `/v1/missions/${mission.id}`, { key: w.keys.forestPlanner });
    expect(got.body.sorties[0]).toMatchObject({ state: 'failed', reasonCode: 'WINDOW_MISSED' });
  });

  it('preempts a queued line inspection when an emergency rescue is queued on the same dock', async () => {
    const ownArea = await call(w.t, 'POST', '/v1/areas?kind=forest', {
      key: w.keys.utilityAdmin,
      json: forestSquare,
    });
    const line = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.utilityOperator,
      json: { ...missionBody(w), purpose: 'line_inspection', areaIds: [ownArea.body.id] },
    });
    w.fleet.tick();
    const lineSortie = line.body.sorties[0].id;
    expect(w.t.deps.repos.missions.getSortie(lineSortie)?.state).toBe('queued');

    await w.clock.advance(60_000);
    const rescue = await approvedMission(w, { purpose: 'emergency_rescue', name: 'missing hiker' });
    w.fleet.tick();
    const rescued = w.t.deps.repos.missions.getSortie(rescue.sorties[0].id)!;
    const bumped = w.t.deps.repos.missions.getSortie(lineSortie)!;
    expect(rescued.state).toBe('queued');
    expect(bumped).toMatchObject({ state: 'scheduled', reasonCode: 'PREEMPTED' });
    expect(bumped.reasonDetail).toContain(rescued.id);
    expect(bumped.dueAt.getTime()).toBeGreaterThan(w.clock.now());

    // An equal-priority newcomer does not preempt.
    const fire1 = await approvedMission(w, { name: 'fire 1' });
    w.fleet.tick();
    const fire2 = await approvedMission(w, { name: 'fire 2' });
    await w.clock.advance(1_000);
    w.fleet.tick();
    expect(w.t.deps.repos.missions.getSortie(fire1.sorties[0].id)?.state).toBe('queued');
    expect(w.t.deps.repos.missions.getSortie(fire2.sorties[0].id)?.state).toBe('queued');
  });

  it('aborts a sortie before take-off without any approval, and refuses to abort it again', async () => {
    const created = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    const sortie = created.body.sorties[0].id;
    const aborted = await call(
      w.t,
      'POST',
      `/v1/missions/${created.body.id}/sorties/${sortie}/abort`,
      {
        key: w.keys.forestOperator,
        json: { reason: 'rain front coming' },
      },
    );
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({
      state: 'aborted',
      reasonCode: 'ABORTED',
      reasonDetail: 'rain front coming',
    });
    const again = await call(
      w.t,
      'POST',
      `/v1/missions/${created.body.id}/sorties/${sortie}/abort`,
      {
        key: w.keys.forestOperator,
        json: {},
      },
    );
    expect([again.status, again.body.code]).toEqual([409, 'SORTIE_TRANSITION_INVALID']);
    expect(again.body.detail).toContain('aborted');
  });
});

describe('quotas and accounting', () => {
  it('lets only the utility’s admins set quotas, and enforces them at request and approval', async () => {
    const forestry = w.t.agencyId('forestry');
    const denied = await call(w.t, 'PUT', `/v1/fleet/quotas/${forestry}/day`, {
      key: w.keys.waterAdmin,
      json: { maxSorties: 1, maxFlightMin: null },
    });
    expect([denied.status, denied.body.code]).toEqual([403, 'FORBIDDEN']);
    const byOperator = await call(w.t, 'PUT', `/v1/fleet/quotas/${forestry}/day`, {
      key: w.keys.utilityOperator,
      json: { maxSorties: 1, maxFlightMin: null },
    });
    expect(byOperator.status).toBe(403);
    const set = await call(w.t, 'PUT', `/v1/fleet/quotas/${forestry}/day`, {
      key: w.keys.utilityAdmin,
      json: { maxSorties: 1, maxFlightMin: null },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ period: 'day', maxSorties: 1, used: { sorties: 0 } });

    const first = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    expect(first.status).toBe(201);
    const second = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    expect([second.status, second.body.code]).toEqual([409, 'QUOTA_EXCEEDED']);
    expect(second.body.detail).toContain('sorties: 1 used + 1 requested > 1 per day');

    const mine = await call(w.t, 'GET', '/v1/fleet/quotas', { key: w.keys.forestPlanner });
    expect(mine.body.items).toEqual([
      expect.objectContaining({
        agencyId: forestry,
        used: { sorties: 1, flightMin: expect.any(Number) },
      }),
    ]);
    expect(
      (await call(w.t, 'GET', '/v1/fleet/quotas', { key: w.keys.waterAdmin })).body.items,
    ).toEqual([]);

    // Tightening the quota after the request is caught at approval.
    await call(w.t, 'PUT', `/v1/fleet/quotas/${forestry}/day`, {
      key: w.keys.utilityAdmin,
      json: { maxSorties: 5, maxFlightMin: 1 },
    });
    const approve = await call(w.t, 'POST', `/v1/missions/${first.body.id}/approve`, {
      key: w.keys.utilityOperator,
      json: {},
    });
    expect([approve.status, approve.body.code]).toEqual([409, 'QUOTA_EXCEEDED']);
    expect(approve.body.detail).toContain('flight minutes');
    const removed = await call(w.t, 'DELETE', `/v1/fleet/quotas/${forestry}/day`, {
      key: w.keys.utilityAdmin,
    });
    expect(removed.status).toBe(204);
  });

  it('rejects recurring occurrences over quota at materialisation, with the reason', async () => {
    await call(w.t, 'PUT', `/v1/fleet/quotas/${w.t.agencyId('forestry')}/day`, {
      key: w.keys.utilityAdmin,
      json: { maxSorties: 1, maxFlightMin: null },
    });
    const mission = await approvedMission(w, { schedule: fireSeason });
    w.fleet.tick();
    const got = await call(w.t, 'GET', `/v1/missions/${mission.id}`, { key: w.keys.forestPlanner });
    expect(got.body.sorties.map((s: { state: string }) => s.state)).toEqual([
      'scheduled',
      'rejected',
    ]);
    expect(got.body.sorties[1].reasonCode).toBe('QUOTA_EXCEEDED');
  });
});

describe('missions: errors', () => {
  it.each([
    [{ purpose: 'sightseeing' }, 400, 'VALIDATION_FAILED'],
    [{ areaIds: [] }, 400, 'VALIDATION_FAILED'],
    [{ dockId: 'dock_nope' }, 422, 'DOCK_REFERENCE_INVALID'],
    [{ schedule: { ...fireSeason, rule: 'FREQ=SECONDLY' } }, 422, 'SCHEDULE_INVALID'],
    [{ schedule: { kind: 'at', at: '2020-01-01T00:00:00Z' } }, 422, 'SCHEDULE_INVALID'],
    [{ route: { mission: [] }, estimatedFlightMin: null }, 400, 'VALIDATION_FAILED'],
  ])('answers %j with %i %s', async (over, status, code) => {
    const res = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w, over),
    });
    expect([res.status, res.body.code]).toEqual([status, code]);
  });

  it('refuses areas of another agency as unknown', async () => {
    const res = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w, { areaIds: [w.ids.waterArea] }),
    });
    expect([res.status, res.body.code]).toEqual([422, 'AREA_REFERENCE_INVALID']);
    expect(res.body.errors[0].path).toBe('/body/areaIds/0');
    expect(res.text).not.toContain('water');
  });

  it('takes requests at shared docks only: another agency’s unshared dock is unknown', async () => {
    const kept = await call(w.t, 'POST', '/v1/docks', {
      key: w.keys.utilityOperator,
      json: {
        name: 'kept',
        position: [119.82, 30.38],
        groundAltM: 140,
        linkUrl: 'udpin://0.0.0.0:14551',
        systemId: 201,
      },
    });
    expect([kept.status, kept.body.shared]).toEqual([201, false]);
    const res = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w, { dockId: kept.body.id }),
    });
    expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([
      422,
      'DOCK_REFERENCE_INVALID',
      '/body/dockId',
    ]);
    const own = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.utilityOperator,
      json: missionBody(w, { dockId: kept.body.id }),
    });
    // the owner passes the dock check (the dock is checked first) and is stopped at the
    // forestry area, which is not its own
    expect([own.status, own.body.code, own.body.errors[0].path]).toEqual([
      422,
      'AREA_REFERENCE_INVALID',
      '/body/areaIds/0',
    ]);
  });

  it('lets no analyst request and no requester approve', async () => {
    const analyst = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestAnalyst,
      json: missionBody(w),
    });
    expect([analyst.status, analyst.body.code]).toEqual([403, 'FORBIDDEN']);
    const created = await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.forestPlanner,
      json: missionBody(w),
    });
    const selfApprove = await call(w.t, 'POST', `/v1/missions/${created.body.id}/approve`, {
      key: w.keys.forestOperator,
      json: {},
    });
    expect([selfApprove.status, selfApprove.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('answers 409 for commands that do not fit the sortie’s state', async () => {
    const mission = await approvedMission(w);
    const sortie = mission.sorties[0].id;
    const base = `/v1/missions/${mission.id}/sorties/${sortie}`;
    const pause = await call(w.t, 'POST', `${base}/pause`, {
      key: w.keys.utilityOperator,
      json: {},
    });
    expect([pause.status, pause.body.code]).toEqual([409, 'SORTIE_NOT_DISPATCHED']);
    const ack = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'acknowledge_failsafe' },
    });
    expect([ack.status, ack.body.code]).toEqual([409, 'SORTIE_TRANSITION_INVALID']);
    const resume = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.keys.utilityOperator,
      json: { action: 'resume_after_failsafe' },
    });
    expect([resume.status, resume.body.code]).toEqual([409, 'SORTIE_TRANSITION_INVALID']);
    expect(resume.body.detail).toContain('scheduled');
  });
});

describe('missions: security', () => {
  it('never shows another agency’s missions, sorties, tracks or fleet', async () => {
    const mission = await approvedMission(w);
    const sortie = mission.sorties[0].id;
    for (const path of [
      `/v1/missions/${mission.id}`,
      `/v1/missions/${mission.id}/sorties/${sortie}`,
      `/v1/missions/${mission.id}/sorties/${sortie}/track`,
    ]) {
      const res = await call(w.t, 'GET', path, { key: w.keys.waterAdmin });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('forestry');
    }
    expect((await call(w.t, 'GET', '/v1/missions', { key: w.keys.waterAdmin })).body.items).toEqual(
      [],
    );
    const snapshot = await call(w.t, 'GET', '/v1/fleet', { key: w.keys.waterAdmin });
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.sorties).toEqual([]);
    // the utility's shared dock is visible (to request sorties there), its drones are not
    expect(snapshot.body.docks.map((d: { id: string }) => d.id)).toEqual([w.ids.dock]);
    expect(snapshot.body.docks[0].drones).toEqual([]);
    for (const [path, json] of [
      [`/v1/missions/${mission.id}/sorties/${sortie}/abort`, {}],
      [`/v1/missions/${mission.id}/approve`, {}],
      [`/v1/missions/${mission.id}/sorties`, {}],
    ] as const) {
      const res = await call(w.t, 'POST', path, { key: w.keys.waterAdmin, json });
      expect(res.status, path).toBe(404);
    }
    // The requester and the dock owner both see it.
    expect(
      (await call(w.t, 'GET', '/v1/fleet', { key: w.keys.forestPlanner })).body.sorties,
    ).toHaveLength(1);
    expect(
      (await call(w.t, 'GET', '/v1/fleet', { key: w.keys.utilityOperator })).body.sorties,
    ).toHaveLength(1);
  });

  it('answers guessed ids and a sortie under the wrong mission as not found', async () => {
    const a = await approvedMission(w);
    const b = await approvedMission(w, { name: 'second' });
    const guessed = a.id.slice(0, -1) + (a.id.endsWith('A') ? 'B' : 'A');
    for (const path of [
      `/v1/missions/${guessed}`,
      `/v1/missions/${a.id}/sorties/${b.sorties[0].id}`,
      `/v1/missions/${a.id}/sorties/srt_nope/track`,
    ]) {
      const res = await call(w.t, 'GET', path, { key: w.keys.forestPlanner });
      expect(res.status, path).toBe(404);
      expect(['MISSION_NOT_FOUND', 'SORTIE_NOT_FOUND']).toContain(res.body.code);
    }
  });

  it('requires a key', async () => {
    expect((await call(w.t, 'GET', '/v1/missions')).status).toBe(401);
    expect((await call(w.t, 'GET', '/v1/fleet/stream')).status).toBe(401);
  });
});
