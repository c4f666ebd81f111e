import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let operator: string;
beforeEach(() => {
  t = createTestApp();
  operator = t.key('utility', 'utility', 'operator');
});
afterEach(() => t.close());

const dock = (over: Record<string, unknown> = {}) => ({
  name: 'Jingshan north',
  position: [119.81, 30.38],
  groundAltM: 142,
  linkUrl: 'serial:///dev/ttyUSB0:57600',
  systemId: 200,
  ...over,
});

const drone = (dockId: string, over: Record<string, unknown> = {}) => ({
  dockId,
  name: 'M30T-1',
  systemId: 1,
  model: 'DJI M30T',
  cruiseSpeedMps: 12,
  maxFlightTimeMin: 38,
  batteryReservePct: 25,
  payloads: [
    {
      kind: 'ir',
      sensorWidthMm: 7.68,
      sensorHeightMm: 6.14,
      focalLengthMm: 9.1,
      imageWidthPx: 640,
      imageHeightPx: 512,
    },
    { kind: 'lidar', hfovDeg: 70.4, vfovDeg: 4.5 },
  ],
  ...over,
});

describe('docks and drones: happy paths', () => {
  it('registers a dock and a drone, reads, lists, replaces and deletes them', async () => {
    const d = await call(t, 'POST', '/v1/docks', { key: operator, json: dock() });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({
      name: 'Jingshan north',
      position: [119.81, 30.38],
      groundAltM: 142,
      systemId: 200,
    });

    const r = await call(t, 'POST', '/v1/drones', { key: operator, json: drone(d.body.id) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      dockId: d.body.id,
      systemId: 1,
      maxWindMps: 12,
      batteryReservePct: 25,
    });
    expect(r.body.payloads).toHaveLength(2);

    const listed = await call(t, 'GET', `/v1/drones?dockId=${d.body.id}`, { key: operator });
    expect(listed.body.items.map((x: { id: string }) => x.id)).toEqual([r.body.id]);

    const moved = await call(t, 'PUT', `/v1/docks/${d.body.id}`, {
      key: operator,
      json: dock({ name: 'Jingshan N', linkUrl: 'udpin://0.0.0.0:14550' }),
    });
    expect(moved.body).toMatchObject({ name: 'Jingshan N', linkUrl: 'udpin://0.0.0.0:14550' });

    const refused = await call(t, 'DELETE', `/v1/docks/${d.body.id}`, { key: operator });
    expect([refused.status, refused.body.code]).toEqual([409, 'DOCK_IN_USE']);
    expect((await call(t, 'DELETE', `/v1/drones/${r.body.id}`, { key: operator })).status).toBe(
      204,
    );
    expect((await call(t, 'DELETE', `/v1/docks/${d.body.id}`, { key: operator })).status).toBe(204);
    expect((await call(t, 'GET', `/v1/docks/${d.body.id}`, { key: operator })).status).toBe(404);
  });
});

describe('docks and drones: errors', () => {
  it('names every bad field with its unit', async () => {
    const res = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: dock({
        position: [190, 30],
        groundAltM: 'high',
        linkUrl: 'http://example.org',
        systemId: 300,
      }),
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/body/position/0',
        '/body/groundAltM',
        '/body/linkUrl',
        '/body/systemId',
      ]),
    );
    expect(
      res.body.errors.find((e: { path: string }) => e.path === '/body/linkUrl').message,
    ).toContain('udpin://');
  });

  it('refuses a payload without geometry, a negative speed and an unknown field', async () => {
    const d = await call(t, 'POST', '/v1/docks', { key: operator, json: dock() });
    const res = await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: drone(d.body.id, { cruiseSpeedMps: -3, payloads: [{ kind: 'ir' }], colour: 'red' }),
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/body/cruiseSpeedMps', '/body/payloads/0', '/body']),
    );
  });

  it('keeps MAVLink system ids unique on one link', async () => {
    const a = await call(t, 'POST', '/v1/docks', { key: operator, json: dock() });
    const clashDock = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: dock({ name: 'other' }),
    });
    expect([clashDock.status, clashDock.body.code]).toEqual([409, 'SYSTEM_ID_TAKEN']);
    await call(t, 'POST', '/v1/drones', { key: operator, json: drone(a.body.id) });
    const twin = await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: drone(a.body.id, { name: 'twin' }),
    });
    expect([twin.status, twin.body.code]).toEqual([409, 'SYSTEM_ID_TAKEN']);
    const asDock = await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: drone(a.body.id, { name: 'x', systemId: 200 }),
    });
    expect(asDock.status).toBe(409);
    const b = await call(t, 'POST', '/v1/docks', {
      key: operator,
      json: dock({ name: 'south', linkUrl: 'tcp://127.0.0.1:5760' }),
    });
    expect(
      (await call(t, 'POST', '/v1/drones', { key: operator, json: drone(b.body.id) })).status,
    ).toBe(201);
  });

  it('answers 422 for a drone in a dock that does not exist', async () => {
    const res = await call(t, 'POST', '/v1/drones', {
      key: operator,
      json: drone('dock_doesnotexist'),
    });
    expect([res.status, res.body.code]).toEqual([422, 'DOCK_REFERENCE_INVALID']);
  });
});

describe('docks and drones: security', () => {
  it('lets analysts and planners read but not write', async () => {
    const analyst = t.key('utility', 'utility', 'analyst');
    const d = await call(t, 'POST', '/v1/docks', { key: operator, json: dock() });
    expect((await call(t, 'GET', `/v1/docks/${d.body.id}`, { key: analyst })).status).toBe(200);
    const denied = await call(t, 'POST', '/v1/docks', {
      key: analyst,
      json: dock({ systemId: 201 }),
    });
    expect([denied.status, denied.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(
      (
        await call(t, 'DELETE', `/v1/docks/${d.body.id}`, {
          key: t.key('utility', 'utility', 'planner'),
        })
      ).status,
    ).toBe(403);
  });
});
