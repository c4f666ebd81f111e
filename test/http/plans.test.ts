import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseQgcPlan, parseWpl } from '../../missions/index';
import { call, createTestApp, type TestApp } from '../support/test-app';

// About 1.1 km × 0.9 km of forest on the Jingshan hills, and a dock at its south-west corner.
const forest = {
  type: 'Polygon',
  coordinates: [
    [
      [119.8, 30.35],
      [119.8115, 30.35],
      [119.8115, 30.358],
      [119.8, 30.358],
      [119.8, 30.35],
    ],
  ],
};
const dockBody = (over: Record<string, unknown> = {}) => ({
  name: 'Jingshan SW',
  position: [119.799, 30.349],
  groundAltM: 60,
  linkUrl: 'udpin://0.0.0.0:14550',
  systemId: 200,
  ...over,
});

let t: TestApp;
let planner: string;
let operator: string;
beforeEach(() => {
  t = createTestApp({ env: { PLAN_WAIT_MS: '60000' } });
  planner = t.key('utility', 'utility', 'planner');
  operator = t.key('utility', 'utility', 'operator');
});
afterEach(() => t.close());

async function setup() {
  const area = await call(t, 'POST', '/v1/areas?kind=forest&name=block', {
    key: planner,
    json: forest,
  });
  const dock = await call(t, 'POST', '/v1/docks', { key: operator, json: dockBody() });
  const drone = await call(t, 'POST', '/v1/drones', {
    key: operator,
    json: {
      dockId: dock.body.id,
      name: 'd1',
      systemId: 1,
      model: 'M30T',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 35,
      batteryReservePct: 25,
      payloads: [
        {
          kind: 'rgb',
          sensorWidthMm: 13.2,
          sensorHeightMm: 8.8,
          focalLengthMm: 8.8,
          imageWidthPx: 5472,
          imageHeightPx: 3648,
        },
      ],
    },
  });
  expect([area.status, dock.status, drone.status]).toEqual([201, 201, 201]);
  return {
    areaId: area.body.id as string,
    dockId: dock.body.id as string,
    droneId: drone.body.id as string,
  };
}

describe('plans: happy paths', () => {
  it('plans a forest from a dock with a registered drone and exports every format', async () => {
    const { areaId, dockId, droneId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId], droneId, options: { altitudeAglM: 100 } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/plans/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'ready',
      progress: 1,
      areaIds: [areaId],
      dockIds: [dockId],
      altitudeReference: 'dock',
    });
    const stats = res.body.statistics;
    expect(stats.coveragePct).toBeGreaterThanOrEqual(99.5);
    expect(stats.sorties).toBeGreaterThanOrEqual(1);
    expect(stats.lengthM).toBeGreaterThan(stats.lowerBoundM);
    expect(res.body.sorties[0]).toMatchObject({ dockId });
    expect(res.body.sorties[0].batteryUsedPct).toBeLessThanOrEqual(75);

    const got = await call(t, 'GET', `/v1/plans/${res.body.id}`, { key: planner });
    expect(got.body.statistics).toEqual(stats);

    const qgc = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=qgc-plan`, {
      key: planner,
    });
    expect(qgc.headers.get('content-disposition')).toContain('.plan');
    const parsed = parseQgcPlan(qgc.text);
    expect(parsed.mission.length).toBe(res.body.sorties[0].missionItems);
    expect(parsed.fence.length).toBeGreaterThan(0);
    expect(parsed.rally.length).toBeGreaterThan(0);

    const wpl = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=wpl`, {
      key: planner,
    });
    expect(wpl.text.startsWith('QGC WPL 110')).toBe(true);
    expect(parseWpl(wpl.text).mission.length).toBe(res.body.sorties[0].missionItems);

    const geo = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=geojson`, {
      key: planner,
    });
    expect(JSON.parse(geo.text).type).toBe('FeatureCollection');
    const kml = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=kml`, {
      key: planner,
    });
    expect(kml.text).toContain('<kml');
    const mav = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=mavlink-json`, {
      key: planner,
    });
    expect(Array.isArray(JSON.parse(mav.text).sorties ?? JSON.parse(mav.text))).toBe(true);
  });

  it('answers 202 while planning and reports progress until the plan is ready, serving other requests meanwhile', async () => {
    t.close();
    t = createTestApp({ env: { PLAN_WAIT_MS: '0' } });
    planner = t.key('utility', 'utility', 'planner');
    operator = t.key('utility', 'utility', 'operator');
    const { areaId, dockId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    expect((await call(t, 'GET', '/healthz')).status).toBe(200);
    let plan = res.body;
    for (let i = 0; i < 600 && plan.status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      plan = (await call(t, 'GET', `/v1/plans/${res.body.id}`, { key: planner })).body;
      expect(plan.progress).toBeGreaterThanOrEqual(0);
    }
    expect(plan.status).toBe('ready');
    expect(plan.statistics.coveragePct).toBeGreaterThanOrEqual(99.5);
  });

  it('keeps an area a plan uses from being deleted', async () => {
    const { areaId, dockId } = await setup();
    await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    const del = await call(t, 'DELETE', `/v1/areas/${areaId}`, { key: planner });
    expect([del.status, del.body.code]).toEqual([409, 'AREA_IN_USE']);
  });
});

describe('plans: no-fly zones with time windows', () => {
  it('crosses a zone closed only outside the flight window, and keeps the safe reading without one', async () => {
    const { areaId, dockId } = await setup();
    const school = await call(t, 'POST', '/v1/areas?kind=no_fly&name=school', {
      key: planner,
      json: {
        type: 'Feature',
        properties: {
          validFrom: '2026-05-01T07:00:00+08:00',
          validTo: '2026-05-01T12:00:00+08:00',
        },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [119.805, 30.3485],
              [119.806, 30.3485],
              [119.806, 30.3595],
              [119.805, 30.3595],
              [119.805, 30.3485],
            ],
          ],
        },
      },
    });
    expect(school.status).toBe(201);
    const plan = async (options: Record<string, unknown>) =>
      call(t, 'POST', '/v1/plans', {
        key: planner,
        json: { areaIds: [areaId, school.body.id], dockIds: [dockId], options },
      });
    const afternoon = await plan({
      altitudeAglM: 100,
      flightWindow: { from: '2026-05-01T14:00:00+08:00', to: '2026-05-01T16:00:00+08:00' },
    });
    expect([afternoon.status, afternoon.body.status]).toEqual([201, 'ready']);
    expect(afternoon.body.warnings.join('\n')).toMatch(
      /no-fly zone '.*' does not apply: .*outside the flight window/,
    );
    const unknown = await plan({ altitudeAglM: 100 });
    expect([unknown.status, unknown.body.status]).toEqual([201, 'ready']);
    expect(unknown.body.warnings.join('\n')).toMatch(
      /without a flight window \(options\.flightWindow\) it is treated as always active/,
    );
    // Avoided, the zone is an exclusion fence (MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION 5002).
    const exclusionVertices = async (id: string) => {
      const mav = await call(t, 'GET', `/v1/plans/${id}/export?format=mavlink-json`, {
        key: planner,
      });
      return (mav.text.match(/"command":\s*5002\b/g) ?? []).length;
    };
    expect(await exclusionVertices(afternoon.body.id)).toBe(0);
    expect(await exclusionVertices(unknown.body.id)).toBeGreaterThan(0);
  });

  it('answers 400 naming a flight window that ends before it starts', async () => {
    const { areaId, dockId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: {
        areaIds: [areaId],
        dockIds: [dockId],
        options: { flightWindow: { from: '2026-05-01T14:00:00Z', to: '2026-05-01T13:00:00Z' } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(
      '/body/options/flightWindow/to',
    );
  });
});

describe('plans become missions', () => {
  it('creates a mission that flies the plan’s sortie from its dock', async () => {
    const { areaId, dockId } = await setup();
    const plan = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    const mission = await call(t, 'POST', '/v1/missions', {
      key: operator,
      json: {
        name: 'fire patrol',
        purpose: 'forest_fire_patrol',
        areaIds: [areaId],
        dockId,
        planId: plan.body.id,
        schedule: { kind: 'immediate' },
      },
    });
    expect(mission.status).toBe(201);
    expect(mission.body.planId).toBe(plan.body.id);
    expect(mission.body.routeItems).toEqual({
      mission: plan.body.sorties[0].missionItems,
      fence: plan.body.sorties[0].fenceItems,
      rally: plan.body.sorties[0].rallyItems,
    });
    // the service rounds minutes to two decimals
    expect(mission.body.estimatedFlightMin).toBeCloseTo(plan.body.sorties[0].timeS / 60, 1);
  });

  it('refuses a plan with no sortie from the mission’s dock', async () => {
    const { areaId, dockId } = await setup();
    const plan = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    const other = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: dockBody({ name: 'other', systemId: 201, linkUrl: 'udpin://0.0.0.0:14560' }),
    });
    await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: {
        dockId: other.body.id,
        name: 'd2',
        systemId: 2,
        model: 'M30T',
        cruiseSpeedMps: 10,
        maxFlightTimeMin: 35,
      },
    });
    const res = await call(t, 'POST', '/v1/missions', {
      key: operator,
      json: {
        name: 'x',
        purpose: 'forest_fire_patrol',
        areaIds: [areaId],
        dockId: other.body.id,
        planId: plan.body.id,
        schedule: { kind: 'immediate' },
      },
    });
    expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([
      422,
      'PLAN_REFERENCE_INVALID',
      '/body/dockId',
    ]);
  });
});

describe('plans: errors', () => {
  it('says which references are unknown', async () => {
    const { dockId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: ['area_nope'], dockIds: [dockId] },
    });
    expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([
      422,
      'AREA_REFERENCE_INVALID',
      '/body/areaIds/0',
    ]);
    const bad = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [], dockIds: [dockId], options: { altitudeAglM: -5 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/body/areaIds', '/body/options/altitudeAglM']),
    );
  });

  it('answers 422 PLAN_INFEASIBLE naming the part no dock can reach', async () => {
    const { areaId } = await setup();
    const far = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: dockBody({ name: 'far away', position: [120.6, 30.9], systemId: 201 }),
    });
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [far.body.id], drone: { enduranceS: 1200 } },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PLAN_INFEASIBLE');
    expect(res.body.detail).toMatch(/dock|reach/i);
  });

  it('refuses to export a plan in an unknown format', async () => {
    const { areaId, dockId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    const bad = await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=docx`, {
      key: planner,
    });
    expect([bad.status, bad.body.errors[0].path]).toEqual([400, '/query/format']);
  });
});

describe('plans: security', () => {
  it("never shows another agency's plan and never plans over its areas or docks", async () => {
    const { areaId, dockId } = await setup();
    const res = await call(t, 'POST', '/v1/plans', {
      key: planner,
      json: { areaIds: [areaId], dockIds: [dockId] },
    });
    const other = t.key('water', 'water', 'planner');
    expect((await call(t, 'GET', `/v1/plans/${res.body.id}`, { key: other })).status).toBe(404);
    expect(
      (await call(t, 'GET', `/v1/plans/${res.body.id}/export?format=kml`, { key: other })).status,
    ).toBe(404);
    expect(
      (
        await call(t, 'POST', '/v1/plans', {
          key: other,
          json: { areaIds: [areaId], dockIds: [dockId] },
        })
      ).status,
    ).toBe(422);
    const analyst = t.key('utility', 'utility', 'analyst');
    expect(
      (
        await call(t, 'POST', '/v1/plans', {
          key: analyst,
          json: { areaIds: [areaId], dockIds: [dockId] },
        })
      ).status,
    ).toBe(403);
  });
});

describe('plans: restart safety', () => {
  it('finishes a plan that a previous process left pending', async () => {
    const { areaId, dockId } = await setup();
    const area = t.deps.repos.areas.get(areaId, { agencyId: '', seesAll: true })!;
    const dock = t.deps.repos.fleet.getDock(dockId, { agencyId: '', seesAll: true })!;
    const input = {
      areas: [{ id: area.id, kind: area.kind, geojson: area.geojson }],
      docks: [
        {
          id: dock.id,
          position: [dock.lon, dock.lat] as [number, number],
          groundAltM: dock.groundAltM,
        },
      ],
    };
    const record = t.deps.repos.plans.create(
      {
        agencyId: t.agencyId('utility'),
        createdBy: 'previous run',
        request: { areaIds: [areaId], dockIds: [dockId], input },
        areaRefs: [{ areaId, version: 1 }],
      },
      new Date(),
    );
    const { PlanRunner } = await import('../../src/services/plans/plan-runner');
    const runner = new PlanRunner({
      repos: t.deps.repos,
      logger: t.deps.logger,
      now: () => new Date(),
      maxConcurrent: 1,
    });
    expect(runner.resumePending()).toBe(1);
    expect(await runner.waitFor(record.id, 60_000)).toBe(true);
    const got = await call(t, 'GET', `/v1/plans/${record.id}`, { key: planner });
    expect(got.body.status).toBe('ready');
    expect(got.body.statistics.coveragePct).toBeGreaterThanOrEqual(99.5);
  });
});
