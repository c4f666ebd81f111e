import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../support/test-app';

const square = {
  type: 'Polygon',
  coordinates: [
    [
      [119.8, 30.35],
      [119.83, 30.35],
      [119.83, 30.37],
      [119.8, 30.37],
      [119.8, 30.35],
    ],
  ],
};
const dock = (name: string, systemId: number) => ({
  name,
  position: [119.81, 30.38],
  groundAltM: 100,
  linkUrl: `udpin://0.0.0.0:${14550 + systemId}`,
  systemId,
});
const drone = (dockId: string) => ({
  dockId,
  name: 'd',
  systemId: 1,
  model: 'm',
  cruiseSpeedMps: 10,
  maxFlightTimeMin: 30,
  payloads: [],
});

let t: TestApp;
let a: string; // forestry admin
let b: string; // water admin
let ids: { area: string; dock: string; drone: string };
beforeEach(async () => {
  t = createTestApp();
  a = t.key('forestry', 'forestry', 'admin');
  b = t.key('water', 'water', 'admin');
  const area = await call(t, 'POST', '/v1/areas?kind=forest', { key: b, json: square });
  const d = await call(t, 'POST', '/v1/docks', { key: b, json: dock('water dock', 10) });
  const r = await call(t, 'POST', '/v1/drones', { key: b, json: drone(d.body.id) });
  ids = { area: area.body.id, dock: d.body.id, drone: r.body.id };
  expect([area.status, d.status, r.status]).toEqual([201, 201, 201]);
});
afterEach(() => t.close());

describe("an agency never touches another agency's areas, docks or drones", () => {
  it('cannot read them, by id or in lists', async () => {
    for (const path of [
      `/v1/areas/${ids.area}`,
      `/v1/areas/${ids.area}/versions`,
      `/v1/docks/${ids.dock}`,
      `/v1/drones/${ids.drone}`,
    ]) {
      const res = await call(t, 'GET', path, { key: a });
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('water');
    }
    for (const path of ['/v1/areas', '/v1/docks', '/v1/drones', `/v1/drones?dockId=${ids.dock}`]) {
      const res = await call(t, 'GET', path, { key: a });
      expect(res.body.items, path).toEqual([]);
    }
  });

  it('cannot update or delete them', async () => {
    const area = await call(t, 'PUT', `/v1/areas/${ids.area}`, { key: a, json: square });
    const dk = await call(t, 'PUT', `/v1/docks/${ids.dock}`, {
      key: a,
      json: dock('mine now', 11),
    });
    const dr = await call(t, 'PUT', `/v1/drones/${ids.drone}`, { key: a, json: drone(ids.dock) });
    expect([area.status, dk.status, dr.status]).toEqual([404, 404, 404]);
    for (const path of [
      `/v1/areas/${ids.area}`,
      `/v1/drones/${ids.drone}`,
      `/v1/docks/${ids.dock}`,
    ]) {
      expect((await call(t, 'DELETE', path, { key: a })).status, path).toBe(404);
    }
    const still = await call(t, 'GET', `/v1/areas/${ids.area}`, { key: b });
    expect(still.body.version).toBe(1);
    expect((await call(t, 'GET', `/v1/docks/${ids.dock}`, { key: b })).body.name).toBe(
      'water dock',
    );
    expect((await call(t, 'GET', `/v1/drones/${ids.drone}`, { key: b })).status).toBe(200);
  });

  it("cannot put a drone into another agency's dock", async () => {
    const res = await call(t, 'POST', '/v1/drones', {
      key: a,
      json: { ...drone(ids.dock), systemId: 2 },
    });
    expect([res.status, res.body.code]).toEqual([422, 'DOCK_REFERENCE_INVALID']);
  });

  it('answers guessed and malformed ids exactly like missing ones', async () => {
    const guesses = [
      ids.area.slice(0, -1) + (ids.area.endsWith('A') ? 'B' : 'A'),
      'area_000000000000000000',
      '../areas',
      '%00',
      "' or 1=1 --",
    ];
    for (const g of guesses) {
      const res = await call(t, 'GET', `/v1/areas/${encodeURIComponent(g)}`, { key: a });
      expect([404, 400], g).toContain(res.status);
    }
  });

  it("lets the utility's admins see every agency's data, but not other utility roles", async () => {
    const utilityAdmin = t.key('utility', 'utility', 'admin');
    expect((await call(t, 'GET', `/v1/areas/${ids.area}`, { key: utilityAdmin })).status).toBe(200);
    expect((await call(t, 'GET', '/v1/docks', { key: utilityAdmin })).body.items).toHaveLength(1);
    const utilityPlanner = t.key('utility', 'utility', 'planner');
    expect((await call(t, 'GET', `/v1/areas/${ids.area}`, { key: utilityPlanner })).status).toBe(
      404,
    );
  });
});
