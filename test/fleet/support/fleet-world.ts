import { expect } from 'vitest';
import { fleetServiceFor, type FleetService } from '../../../src/services/fleet/index';
import { call, createTestApp, type TestApp } from '../../support/test-app';
import { FakeDispatcher, sampleRoute } from './fake-dispatcher';
import { ManualClock } from './manual-clock';

/** 2026-06-01 09:55 Hangzhou time: five minutes before the first fire-season patrol. */
export const T0 = Date.parse('2026-06-01T01:55:00Z');

export const forestSquare = {
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

/**
 * A utility with a dock and drone, a forestry bureau with a forest area, and a water bureau
 * that must see none of the forestry's flights. Time is a ManualClock.
 */
export interface FleetWorld {
  t: TestApp;
  clock: ManualClock;
  fleet: FleetService;
  vehicle: FakeDispatcher;
  keys: {
    utilityAdmin: string;
    utilityOperator: string;
    forestPlanner: string;
    forestOperator: string;
    forestAnalyst: string;
    waterAdmin: string;
  };
  ids: { dock: string; drone: string; area: string; waterArea: string };
}

export async function createFleetWorld(
  options: { dispatcher?: boolean } = {},
): Promise<FleetWorld> {
  const clock = new ManualClock(T0);
  const t = createTestApp({ now: () => new Date(clock.now()) });
  const keys = {
    utilityAdmin: t.key('utility', 'utility', 'admin'),
    utilityOperator: t.key('utility', 'utility', 'operator'),
    forestPlanner: t.key('forestry', 'forestry', 'planner'),
    forestOperator: t.key('forestry', 'forestry', 'operator'),
    forestAnalyst: t.key('forestry', 'forestry', 'analyst'),
    waterAdmin: t.key('water', 'water', 'admin'),
  };
  const dock = await call(t, 'POST', '/v1/docks', {
    key: keys.utilityOperator,
    json: {
      name: 'Jingshan north',
      position: [119.81, 30.38],
      groundAltM: 142,
      linkUrl: 'udpin://0.0.0.0:14550',
      systemId: 200,
      // lent to the other agencies: they request sorties here
      shared: true,
    },
  });
  const drone = await call(t, 'POST', '/v1/drones', {
    key: keys.utilityOperator,
    json: {
      dockId: dock.body.id,
      name: 'M30T-1',
      systemId: 1,
      model: 'M30T',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 38,
      batteryReservePct: 25,
      maxWindMps: 12,
    },
  });
  const area = await call(t, 'POST', '/v1/areas?kind=forest', {
    key: keys.forestPlanner,
    json: forestSquare,
  });
  const waterArea = await call(t, 'POST', '/v1/areas?kind=forest', {
    key: keys.waterAdmin,
    json: forestSquare,
  });
  expect([dock.status, drone.status, area.status, waterArea.status]).toEqual([201, 201, 201, 201]);
  const fleet = fleetServiceFor(t.deps);
  const vehicle = new FakeDispatcher(clock);
  if (options.dispatcher) fleet.useDispatcher(vehicle, clock);
  return {
    t,
    clock,
    fleet,
    vehicle,
    keys,
    ids: {
      dock: dock.body.id,
      drone: drone.body.id,
      area: area.body.id,
      waterArea: waterArea.body.id,
    },
  };
}

export function missionBody(w: FleetWorld, over: Record<string, unknown> = {}) {
  return {
    name: 'Changle fire patrol',
    purpose: 'forest_fire_patrol',
    areaIds: [w.ids.area],
    dockId: w.ids.dock,
    route: sampleRoute(5),
    schedule: { kind: 'immediate' },
    windowMin: 30,
    ...over,
  };
}

/** Requests a mission as the forestry planner and approves it as the utility operator. */
export async function approvedMission(w: FleetWorld, over: Record<string, unknown> = {}) {
  const created = await call(w.t, 'POST', '/v1/missions', {
    key: w.keys.forestPlanner,
    json: missionBody(w, over),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const approved = await call(w.t, 'POST', `/v1/missions/${created.body.id}/approve`, {
    key: w.keys.utilityOperator,
    json: {},
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return approved.body;
}
