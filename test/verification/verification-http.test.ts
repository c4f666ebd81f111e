/**
 * Verification flights over HTTP on a real migrated SQLite store: a request becomes a plan, a
 * mission in the fleet from the nearest capable dock, approval (by the dock owner or the standing
 * rule), and its status follows the sortie; unreachable alerts and other agencies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fleetServiceFor } from '../../src/services/fleet/index';
import {
  VERIFICATION_POLICY_ACTOR,
  VerificationService,
} from '../../src/services/verification/index';
import {
  alertFrom,
  call,
  createVerificationWorld,
  highFire,
  loggingPatch,
  mediumFire,
  type VerificationWorld,
} from './verification-world';

let w: VerificationWorld;
beforeEach(async () => {
  w = await createVerificationWorld();
});
afterEach(() => {
  w.verification.detach();
  w.service.stop();
  w.t.close();
});

async function requestVerification(alertId: string, key = w.keys.forestry) {
  const res = await call(w.t, 'POST', `/v1/alerts/${alertId}/verification`, {
    key,
    json: { note: 'close-up please' },
  });
  await w.verification.idle();
  return res;
}

async function verificationsOf(alertId: string, key = w.keys.forestry) {
  return call(w.t, 'GET', `/v1/alerts/${alertId}/verification`, { key });
}

describe('verification flights: happy paths', () => {
  it('plans an IR close-up from the nearest shared dock and asks the fleet for a fire-priority mission that waits for the dock owner', async () => {
    const alertId = await alertFrom(w, mediumFire());
    const started = performance.now();
    const posted = await requestVerification(alertId);
    const tookMs = performance.now() - started;
    expect(posted.status).toBe(201);
    expect(posted.headers.get('location')).toBe(`/v1/alerts/${alertId}/verification`);
    expect(posted.body).toMatchObject({ alertId, status: 'requested', agencyId: w.ids.forestry });
    // The utility's unshared dock is not named to forestry, not even as the nearest one.
    expect(posted.text).not.toContain(w.docks.irPrivate);

    const list = await verificationsOf(alertId);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(w.docks.irPrivate);
    // nor in the alert's history, which every agency that sees the alert reads
    const events = await call(w.t, 'GET', `/v1/alerts/${alertId}/events`, { key: w.keys.forestry });
    expect(events.status).toBe(200);
    expect(events.text).toContain('alert.verification_requested');
    expect(events.text).toContain(w.docks.irShared);
    expect(events.text).not.toContain(w.docks.irPrivate);
    const [v] = list.body.items;
    // The utility's unshared dock is nearer (300 m) but forestry may not fly from it.
    expect(v).toMatchObject({
      status: 'mission_created',
      dockId: w.docks.irShared,
      payload: 'ir',
      purpose: 'forest_fire_patrol',
      approvedBy: null,
      reasonCode: null,
      trackUrl: null,
    });
    expect(v.steps.map((s: { status: string }) => s.status)).toEqual([
      'requested',
      'planned',
      'mission_created',
    ]);
    console.log(`verification: request → mission created in ${tookMs.toFixed(0)} ms (HTTP + plan)`);

    // The plan is stored and visible to the requesting agency: one sortie from the dock.
    const plan = await call(w.t, 'GET', `/v1/plans/${v.planId}`, { key: w.keys.forestry });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ status: 'ready', dockIds: [w.docks.irShared] });
    expect(plan.body.sorties).toHaveLength(1);
    expect(plan.body.statistics.inspectionPoints).toBe(5);

    // The mission: requested by forestry, fire priority, the plan's route with close-up actions.
    const mission = await call(w.t, 'GET', `/v1/missions/${v.missionId}`, {
      key: w.keys.forestry,
    });
    expect(mission.body).toMatchObject({
      agencyId: w.ids.forestry,
      dockId: w.docks.irShared,
      planId: v.planId,
      purpose: 'forest_fire_patrol',
      priority: 50,
      status: 'requested',
    });
    const items = w.t.deps.repos.missions.findMission(v.missionId)!.route.mission;
    const commands = items.map((i) => i.command);
    expect(commands[0]).toBe(22); // take-off at the dock
    expect(commands.at(-1)).toBe(21); // land at the dock
    expect(commands.filter((c) => c === 2000)).toHaveLength(5); // a photo at every point
    expect(commands.filter((c) => c === 1000)).toHaveLength(5); // gimbal pitch at every point
    const hovers = items.filter((i) => i.command === 16 && i.param1 > 0);
    expect(hovers.map((i) => i.param1)).toEqual(expect.arrayContaining([10, 4]));
    expect(Math.max(...items.filter((i) => i.command === 16).map((i) => i.altM))).toBe(60);

    // The dock owner approves: the verification is scheduled, approved by that person's key.
    const approved = await call(w.t, 'POST', `/v1/missions/${v.missionId}/approve`, {
      key: w.keys.operator,
      json: {},
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const after = (await verificationsOf(alertId)).body.items[0];
    expect(after.status).toBe('scheduled');
    expect(after.approvedBy).toMatch(/^key:/);
  });

  it('auto-approves a high-severity verification by the standing rule, recorded as a transition by the policy actor', async () => {
    const alertId = await alertFrom(w, highFire());
    const alert = await call(w.t, 'GET', `/v1/alerts/${alertId}`, { key: w.keys.forestry });
    expect(['high', 'critical']).toContain(alert.body.severity);
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(v).toMatchObject({ status: 'scheduled', approvedBy: VERIFICATION_POLICY_ACTOR });
    const sortie = await call(w.t, 'GET', `/v1/missions/${v.missionId}/sorties/${v.sortieId}`, {
      key: w.keys.forestry,
    });
    const approval = sortie.body.transitions.find((t: { to: string }) => t.to === 'approved');
    expect(approval.actor).toBe(VERIFICATION_POLICY_ACTOR);
    expect(approval.reason).toContain('standing approval');
  });

  it('follows the sortie to done and puts the outcome with the flown track on the alert timeline and audit chain', async () => {
    const alertId = await alertFrom(w, highFire());
    const fleet = fleetServiceFor(w.t.deps);
    expect(fleet.bus.size).toBe(0); // nothing to follow, no listener on the fleet bus
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(fleet.bus.size).toBe(1);
    // The fleet's own transitions, as a dispatch would make them (the flight itself is flown
    // over UDP in verification-sim.test.ts).
    for (const to of [
      'queued',
      'preflight',
      'launching',
      'in_flight',
      'returning',
      'landed',
    ] as const) {
      fleet.transition(v.sortieId, to, { actor: 'dispatch', reasonCode: null, reason: null });
      if (to === 'in_flight')
        expect((await verificationsOf(alertId)).body.items[0].status).toBe('flying');
    }
    fleet.transition(v.sortieId, 'done', { actor: 'dispatch', reasonCode: null, reason: null });
    const done = (await verificationsOf(alertId)).body.items[0];
    expect(fleet.bus.size).toBe(0);
    const track = `/v1/missions/${v.missionId}/sorties/${v.sortieId}/track`;
    expect(done).toMatchObject({ status: 'done', trackUrl: track });
    expect(done.completedAt).not.toBeNull();
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual([
      'requested',
      'planned',
      'mission_created',
      'scheduled',
      'flying',
      'done',
    ]);
    const history = await call(w.t, 'GET', `/v1/alerts/${alertId}/events`, {
      key: w.keys.forestry,
    });
    expect(history.status, history.text).toBe(200);
    const events = (history.body.items ?? history.body.events) as {
      type: string;
      data: Record<string, unknown>;
    }[];
    const ev = events.find((e) => e.type === 'alert.verification_done');
    expect(ev?.data).toMatchObject({ verificationId: v.id, trackUrl: track });
    const audit = w.service.verifyAudit();
    expect(audit.ok).toBe(true);
    const entries = w.t.deps.store.sqlite
      .prepare("select action, subject from audit_log where action = 'alert.verification_done'")
      .all();
    expect(entries).toEqual([{ action: 'alert.verification_done', subject: `alert:${alertId}` }]);
    // The track the link names answers for the requesting agency.
    const trackRes = await call(w.t, 'GET', track, { key: w.keys.forestry });
    expect(trackRes.status).toBe(200);
  });

  it('marks the verification failed with the reason when the dock owner rejects the mission', async () => {
    const alertId = await alertFrom(w, mediumFire());
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    const rejected = await call(w.t, 'POST', `/v1/missions/${v.missionId}/reject`, {
      key: w.keys.operator,
      json: { reason: 'drone kept for line inspection' },
    });
    expect(rejected.status).toBe(200);
    const after = (await verificationsOf(alertId)).body.items[0];
    expect(after).toMatchObject({ status: 'failed', reasonCode: 'REJECTED' });
    expect(after.reason).toContain('drone kept for line inspection');
  });
});

describe('verification flights: the fleet’s rules still apply', () => {
  it('fails with QUOTA_EXCEEDED, not a 500, when the requesting agency has no sortie left today', async () => {
    w.t.deps.repos.missions.putQuota({
      agencyId: w.ids.forestry,
      period: 'day',
      maxSorties: 0,
      maxFlightMin: null,
      updatedBy: 'test',
      updatedAt: new Date(w.clock.ms),
    });
    const alertId = await alertFrom(w, highFire());
    const posted = await requestVerification(alertId);
    expect(posted.status).toBe(201);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(v).toMatchObject({ status: 'failed', reasonCode: 'QUOTA_EXCEEDED', missionId: null });
    expect(v.planId).not.toBeNull();
    const events = (
      await call(w.t, 'GET', `/v1/alerts/${alertId}/events`, { key: w.keys.forestry })
    ).body.items as { type: string; data: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'alert.verification_failed')?.data).toMatchObject({
      verificationId: v.id,
      reasonCode: 'QUOTA_EXCEEDED',
      trackUrl: null,
    });
  });
});

describe('verification flights: a closed alert', () => {
  it('cancels a verification not yet in the air when the alert is closed as a false alarm, aborting its sortie before launch', async () => {
    const alertId = await alertFrom(w, mediumFire());
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(v.status).toBe('mission_created');
    const closed = await call(w.t, 'POST', `/v1/alerts/${alertId}/false-alarm`, {
      key: w.keys.forestry,
      json: { note: 'a barbecue' },
    });
    expect(closed.status, closed.text).toBe(200);
    await w.verification.idle();
    const [after] = (await verificationsOf(alertId)).body.items;
    expect(after).toMatchObject({ status: 'cancelled', reasonCode: 'ALERT_CLOSED' });
    expect(after.reason).toContain('false_alarm');
    const sortie = w.t.deps.repos.missions.getSortie(v.sortieId)!;
    expect(sortie.state).toBe('aborted');
    const events = (
      await call(w.t, 'GET', `/v1/alerts/${alertId}/events`, { key: w.keys.forestry })
    ).body.items as { type: string }[];
    expect(events.map((e) => e.type)).toContain('alert.verification_cancelled');
  });

  it('leaves a verification already flying alone: it flies on and reports done', async () => {
    const alertId = await alertFrom(w, highFire());
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    const fleet = fleetServiceFor(w.t.deps);
    const step = (
      to: 'queued' | 'preflight' | 'launching' | 'in_flight' | 'returning' | 'landed' | 'done',
    ) => fleet.transition(v.sortieId, to, { actor: 'dispatch', reasonCode: null, reason: null });
    for (const to of ['queued', 'preflight', 'launching', 'in_flight'] as const) step(to);
    await call(w.t, 'POST', `/v1/alerts/${alertId}/false-alarm`, {
      key: w.keys.forestry,
      json: {},
    });
    await w.verification.idle();
    expect((await verificationsOf(alertId)).body.items[0].status).toBe('flying');
    for (const to of ['returning', 'landed', 'done'] as const) step(to);
    expect((await verificationsOf(alertId)).body.items[0].status).toBe('done');
  });
});

describe('verification flights: the contract', () => {
  it('documents the verification with its statuses in the OpenAPI document', async () => {
    const res = await w.t.app.request('/openapi.json');
    const spec = (await res.json()) as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(spec.paths['/v1/alerts/{id}/verification'] ?? {}).sort()).toEqual([
      'get',
      'post',
    ]);
    expect(spec.components.schemas['Verification']?.properties['status']?.enum).toEqual([
      'requested',
      'planned',
      'mission_created',
      'scheduled',
      'flying',
      'done',
      'failed',
      'no_capable_dock',
      'cancelled',
    ]);
  });
});

describe('verification flights: no capable dock', () => {
  it('marks a logging alert beyond the only lidar drone’s range as no_capable_dock with the energy model’s reason, not a 500', async () => {
    const alertId = await alertFrom(w, loggingPatch());
    const posted = await requestVerification(alertId);
    expect(posted.status).toBe(201);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(v).toMatchObject({
      status: 'no_capable_dock',
      reasonCode: 'DOCK_UNREACHABLE',
      payload: 'lidar',
      missionId: null,
    });
    expect(v.reason).toMatch(
      /alert is 39\.\d km from dock dock_\S+: out, around and back needs 79\.\d km, the drone.s usable range is 9\.4 km/,
    );
    expect(w.t.deps.repos.missions.sortiesInStates(['requested', 'scheduled'])).toHaveLength(0);
  });

  it('marks it no_capable_dock when no visible dock houses a drone with the payload', async () => {
    // Water's pollution alert needs IR; make the only shared IR dock private.
    w.t.deps.store.sqlite.prepare('update docks set shared = 0 where id = ?').run(w.docks.irShared);
    const alertId = await alertFrom(w, mediumFire());
    await requestVerification(alertId);
    const [v] = (await verificationsOf(alertId)).body.items;
    expect(v).toMatchObject({ status: 'no_capable_dock', reasonCode: 'NO_DOCK_WITH_PAYLOAD' });
  });
});

describe('verification flights: other agencies', () => {
  it('lets no agency that does not see the alert request or list its verification (404, existence hidden)', async () => {
    const alertId = await alertFrom(w, mediumFire());
    await requestVerification(alertId);
    const posted = await call(w.t, 'POST', `/v1/alerts/${alertId}/verification`, {
      key: w.keys.elsewhere,
      json: {},
    });
    expect(posted.status).toBe(404);
    expect(posted.body.code).toBe('ALERT_NOT_FOUND');
    const listed = await verificationsOf(alertId, w.keys.elsewhere);
    expect(listed.status).toBe(404);
    expect(listed.text).not.toContain(w.docks.irShared);
    // Nothing was planned or requested for them.
    const items = (await verificationsOf(alertId)).body.items;
    expect(items).toHaveLength(1);
    // Analysts of the agency that sees it may list but not request.
    expect((await verificationsOf(alertId, w.keys.forestryAnalyst)).status).toBe(200);
    const byAnalyst = await call(w.t, 'POST', `/v1/alerts/${alertId}/verification`, {
      key: w.keys.forestryAnalyst,
      json: {},
    });
    expect(byAnalyst.status).toBe(403);
  });
});

describe('verification flights: restarts', () => {
  const restarted = () => {
    w.verification.detach();
    const next = new VerificationService({
      store: w.t.deps.store,
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
      alerts: w.service,
      fleet: fleetServiceFor(w.t.deps),
    });
    return next;
  };

  it('takes up a request stored while no service listened, and catches up with sortie states changed meanwhile', async () => {
    const fire = await alertFrom(w, highFire());
    await requestVerification(fire);
    const [flown] = (await verificationsOf(fire)).body.items;
    expect(flown.status).toBe('scheduled');
    w.verification.detach();
    // While nobody listens: a new request, and the first verification's sortie moves on.
    w.clock.ms += 60_000;
    const second = await call(w.t, 'POST', `/v1/alerts/${fire}/verification`, {
      key: w.keys.forestry,
      json: {},
    });
    const fleet = fleetServiceFor(w.t.deps);
    for (const to of ['queued', 'preflight', 'launching', 'in_flight'] as const)
      fleet.transition(flown.sortieId, to, { actor: 'dispatch', reasonCode: null, reason: null });
    let items = (await verificationsOf(fire)).body.items;
    expect(items.map((v: { status: string }) => v.status)).toEqual(['scheduled', 'requested']);

    const next = restarted();
    try {
      expect(next.reconcile()).toEqual({ retaken: 1, synced: 1 });
      await next.idle();
      items = (await verificationsOf(fire)).body.items;
      expect(items.map((v: { status: string }) => v.status)).toEqual(['flying', 'scheduled']);
      expect(items[1].id).toBe(second.body.id);
    } finally {
      next.detach();
    }
  });

  it('never asks the fleet twice for one verification: a stop between the fleet’s commit and ours finds the mission by its plan', async () => {
    const fire = await alertFrom(w, mediumFire());
    await requestVerification(fire);
    const [v] = (await verificationsOf(fire)).body.items;
    expect(v.status).toBe('mission_created');
    // As if the process stopped right after the fleet stored the mission.
    const db = w.t.deps.store.sqlite;
    db.prepare("update verification_requests set status = 'planned' where id = ?").run(v.id);
    db.prepare(
      'update verification_flights set mission_id = null, sortie_id = null where verification_id = ?',
    ).run(v.id);
    const next = restarted();
    try {
      next.attach();
      await next.idle();
      const [after] = (await verificationsOf(fire)).body.items;
      expect(after).toMatchObject({
        status: 'mission_created',
        missionId: v.missionId,
        sortieId: v.sortieId,
      });
      const missions = db
        .prepare('select count(*) as n from missions where plan_id = ?')
        .get(v.planId) as { n: number };
      expect(missions.n).toBe(1);
    } finally {
      next.detach();
    }
  });
});
