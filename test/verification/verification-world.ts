// A Yuhang alerts world (test/alerts/http-setup) with the utility's docks for verification flights:
// a shared IR dock 600 m east of the alert origin, an unshared IR dock of the utility 300 m west,
// and a shared lidar dock 40 km away (beyond any battery).
import { expect } from 'vitest';
import { verificationServiceFor } from '../../src/services/verification/index';
import { at, canopyChange, hotspot } from '../alerts/fixtures';
import { call, createAlertsWorld, ingest, type AlertsWorld } from '../alerts/http-setup';

export interface VerificationWorld extends AlertsWorld {
  docks: { irShared: string; irPrivate: string; lidarFar: string };
  verification: ReturnType<typeof verificationServiceFor>;
}

async function dockWithDrone(
  w: AlertsWorld,
  name: string,
  position: [number, number],
  shared: boolean,
  payload: 'ir' | 'lidar',
  systemId: number,
): Promise<string> {
  const dock = await call(w.t, 'POST', '/v1/docks', {
    key: w.keys.operator,
    json: { name, position, groundAltM: 60, linkUrl: 'udpin://0.0.0.0:14550', systemId, shared },
  });
  expect(dock.status, JSON.stringify(dock.body)).toBe(201);
  const drone = await call(w.t, 'POST', '/v1/drones', {
    key: w.keys.operator,
    json: {
      dockId: dock.body.id,
      name: `${name} drone`,
      systemId: systemId + 1,
      model: payload === 'ir' ? 'M30T' : 'M350 L2',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 30,
      batteryReservePct: 25,
      payloads: [payload === 'ir' ? { kind: 'ir', hfovDeg: 45 } : { kind: 'lidar', hfovDeg: 70 }],
    },
  });
  expect(drone.status, JSON.stringify(drone.body)).toBe(201);
  return dock.body.id as string;
}

export async function createVerificationWorld(): Promise<VerificationWorld> {
  const w = createAlertsWorld();
  const docks = {
    irShared: await dockWithDrone(w, 'Jingshan east', at(600, 0), true, 'ir', 10),
    irPrivate: await dockWithDrone(w, 'Substation west', at(-300, 0), false, 'ir', 20),
    lidarFar: await dockWithDrone(w, 'Pingyao', at(40_000, 0), true, 'lidar', 30),
  };
  const verification = verificationServiceFor(w.t.deps, w.service);
  return { ...w, docks, verification };
}

/** Ingests one detection and returns the alert it made. */
export async function alertFrom(w: AlertsWorld, detection: unknown): Promise<string> {
  const res = await ingest(w, [detection]);
  expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
  const id = res.body.results[0]?.alertId as string | undefined;
  expect(id, JSON.stringify(res.body)).toBeTypeOf('string');
  return id!;
}

/** A medium fire (ΔT 162 °C, a few m²) and a high one (ΔT 382 °C, ~300 m² hot). */
export const mediumFire = () => hotspot();
export const highFire = () => hotspot({ maxTempC: 400, hotPixelCount: 20_000 });
export const loggingPatch = () => canopyChange(200, 200, 60);

export { call };
