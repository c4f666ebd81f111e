import { describe, expect, it } from 'vitest';
import {
  createLocalFrame,
  frameForCoordinates,
  MissionInputError,
} from '../../../missions/frame/index';
import { vincentyDistanceM } from './geodesic-oracle';
import { seededRandom as seeded } from '../../../missions/index';

describe('createLocalFrame', () => {
  const centres: [number, number][] = [
    [119.95, 30.4], // Yuhang, Hangzhou
    [-120.3, 38.5], // Amador ranger district
    [-134.5, 57.6], // Admiralty island (high latitude)
    [0, 0],
    [25, -33.9],
  ];

  for (const centre of centres) {
    it(`keeps planar distances within 0.1 % of geodesic ones over 50 km around ${centre.join(',')}`, () => {
      const frame = createLocalFrame(centre);
      const rnd = seeded(42);
      const latScale = 1 / 111_000;
      const lonScale = 1 / (111_000 * Math.cos((centre[1] * Math.PI) / 180));
      let worst = 0;
      for (let i = 0; i < 400; i++) {
        const pick = (): [number, number] => {
          const r = 25_000 * Math.sqrt(rnd());
          const a = rnd() * 2 * Math.PI;
          return [centre[0] + r * Math.cos(a) * lonScale, centre[1] + r * Math.sin(a) * latScale];
        };
        const p = pick();
        const q = pick();
        const geodesicM = vincentyDistanceM(p, q);
        if (geodesicM < 100) continue;
        const [x1, y1] = frame.toLocal(p);
        const [x2, y2] = frame.toLocal(q);
        const planarM = Math.hypot(x2 - x1, y2 - y1);
        worst = Math.max(worst, Math.abs(planarM - geodesicM) / geodesicM);
      }
      expect(worst).toBeLessThan(0.001);
      // The transverse Mercator scale error at 25 km is ~1e-5: the frame is much better than the budget.
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('round-trips [lon, lat] → [xM, yM] → [lon, lat] to a millimetre', () => {
    const frame = createLocalFrame([119.95, 30.4]);
    for (const p of [
      [119.95, 30.4],
      [120.2, 30.1],
      [119.7, 30.65],
    ]) {
      const back = frame.toLonLat(frame.toLocal(p));
      expect(vincentyDistanceM(p, back)).toBeLessThan(0.001);
    }
  });

  it('puts the centre at the origin with x east and y north', () => {
    const frame = createLocalFrame([10, 50]);
    const [x0, y0] = frame.toLocal([10, 50]);
    expect(Math.abs(x0)).toBeLessThan(1e-6);
    expect(Math.abs(y0)).toBeLessThan(1e-6);
    const [xE, yE] = frame.toLocal([10.01, 50]);
    expect(xE).toBeGreaterThan(700);
    expect(Math.abs(yE)).toBeLessThan(10);
    const [xN, yN] = frame.toLocal([10, 50.01]);
    expect(Math.abs(xN)).toBeLessThan(1e-6);
    expect(yN).toBeGreaterThan(1100);
  });

  it('rejects a centre latitude out of range, naming it', () => {
    expect(() => createLocalFrame([10, 95])).toThrowError(MissionInputError);
    expect(() => createLocalFrame([10, 95])).toThrowError(/latitude.*95/);
    expect(() => createLocalFrame([Number.NaN, 10])).toThrowError(/longitude.*NaN/);
  });

  it('centres a frame on the bounding box of nested coordinates', () => {
    const frame = frameForCoordinates([
      [
        [10, 50],
        [12, 50],
        [12, 52],
        [10, 50],
      ],
    ]);
    expect(frame.center).toEqual([11, 51]);
    expect(() => frameForCoordinates([])).toThrowError(/no \[lon, lat\]/);
  });
});
