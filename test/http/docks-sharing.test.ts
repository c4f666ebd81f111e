import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../support/test-app';

// Shared flights: the utility lends some of its docks to other agencies, read-only.

let t: TestApp;
let utilityOperator: string;
let forestOperator: string;
let forestPlanner: string;
beforeEach(() => {
  t = createTestApp({ env: { PLAN_WAIT_MS: '60000' } });
  utilityOperator = t.key('utility', 'utility', 'operator');
  forestOperator = t.key('forestry', 'forestry', 'operator');
  forestPlanner = t.key('forestry', 'forestry', 'planner');
});
afterEach(() => t.close());

const dockBody = (over: Record<string, unknown> = {}) => ({
  name: 'Jingshan SW',
  position: [119.799, 30.349],
  groundAltM: 60,
  linkUrl: 'udpin://0.0.0.0:14550',
  systemId: 200,
  ...over,
});

async function twoDocks() {
  const shared = await call(t, 'POST', '/v1/docks', {
    key: utilityOperator,
    json: dockBody({ name: 'lent', shared: true }),
  });
  const own = await call(t, 'POST', '/v1/docks', {
    key: utilityOperator,
    json: dockBody({ name: 'kept', systemId: 201, linkUrl: 'udpin://0.0.0.0:14560' }),
  });
  expect([shared.status, own.status]).toEqual([201, 201]);
  expect([shared.body.shared, own.body.shared]).toEqual([true, false]);
  return { sharedId: shared.body.id as string, ownId: own.body.id as string };
}

describe('shared docks', () => {
  it('are listed and read by other agencies without their link; unshared ones stay hidden', async () => {
    const { sharedId, ownId } = await twoDocks();
    const list = await call(t, 'GET', '/v1/docks', { key: forestPlanner });
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([sharedId]);
    expect(list.body.items[0]).toMatchObject({
      id: sharedId,
      agencyId: t.agencyId('utility'),
      shared: true,
      linkUrl: null,
      systemId: null,
    });
    const one = await call(t, 'GET', `/v1/docks/${sharedId}`, { key: forestPlanner });
    expect([one.status, one.body.name, one.body.linkUrl]).toEqual([200, 'lent', null]);
    const hidden = await call(t, 'GET', `/v1/docks/${ownId}`, { key: forestPlanner });
    expect([hidden.status, hidden.body.code]).toEqual([404, 'DOCK_NOT_FOUND']);

    // the owner still sees everything about both
    const owner = await call(t, 'GET', '/v1/docks', { key: utilityOperator });
    expect(owner.body.items.map((d: { linkUrl: string }) => d.linkUrl)).toEqual([
      'udpin://0.0.0.0:14550',
      'udpin://0.0.0.0:14560',
    ]);
  });

  it('cannot be changed, removed or given drones by the agencies they are lent to', async () => {
    const { sharedId, ownId } = await twoDocks();
    const put = await call(t, 'PUT', `/v1/docks/${sharedId}`, {
      key: forestOperator,
      json: dockBody({ name: 'mine now', shared: true }),
    });
    expect([put.status, put.body.code]).toEqual([403, 'DOCK_NOT_OWNED']);
    const del = await call(t, 'DELETE', `/v1/docks/${sharedId}`, { key: forestOperator });
    expect([del.status, del.body.code]).toEqual([403, 'DOCK_NOT_OWNED']);
    const hiddenPut = await call(t, 'PUT', `/v1/docks/${ownId}`, {
      key: forestOperator,
      json: dockBody(),
    });
    expect([hiddenPut.status, hiddenPut.body.code]).toEqual([404, 'DOCK_NOT_FOUND']);
    const drone = await call(t, 'POST', '/v1/drones', {
      key: forestOperator,
      json: {
        dockId: sharedId,
        name: 'intruder',
        systemId: 7,
        model: 'M30T',
        cruiseSpeedMps: 10,
        maxFlightTimeMin: 35,
      },
    });
    expect([drone.status, drone.body.code, drone.body.errors[0].path]).toEqual([
      422,
      'DOCK_REFERENCE_INVALID',
      '/body/dockId',
    ]);
    const still = await call(t, 'GET', `/v1/docks/${sharedId}`, { key: utilityOperator });
    expect([still.body.name, still.body.shared]).toEqual(['lent', true]);
  });

  it('can be planned from by another agency, and unsharing hides the dock again', async () => {
    const { sharedId, ownId } = await twoDocks();
    const area = await call(t, 'POST', '/v1/areas?kind=forest&name=block', {
      key: forestPlanner,
      json: {
        type: 'Polygon',
        coordinates: [
          [
            [119.8, 30.35],
            [119.806, 30.35],
            [119.806, 30.354],
            [119.8, 30.354],
            [119.8, 30.35],
          ],
        ],
      },
    });
    expect(area.status).toBe(201);
    const plan = await call(t, 'POST', '/v1/plans', {
      key: forestPlanner,
      json: { areaIds: [area.body.id], dockIds: [sharedId] },
    });
    expect(plan.status).toBe(201);
    expect(plan.body.sorties[0].dockId).toBe(sharedId);
    const refused = await call(t, 'POST', '/v1/plans', {
      key: forestPlanner,
      json: { areaIds: [area.body.id], dockIds: [ownId] },
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'DOCK_REFERENCE_INVALID']);

    const unshare = await call(t, 'PUT', `/v1/docks/${sharedId}`, {
      key: utilityOperator,
      json: dockBody({ name: 'lent' }),
    });
    expect([unshare.status, unshare.body.shared]).toEqual([200, false]);
    const gone = await call(t, 'GET', `/v1/docks/${sharedId}`, { key: forestPlanner });
    expect(gone.status).toBe(404);
  });
});
