import { booleanPointInPolygon, buffer } from '@turf/turf';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { createLocalFrame, planCoverage } from '../../../missions/index';
import { footprintCoverage } from './footprint-coverage';
import { CENTRE, fromMetres, regularPolygon } from './shapes';
import { seededRandom as seeded } from '../../../missions/index';
import { pointsAlongPaths } from '../path-samples';

/** A random star-shaped ring around (cx, cy): radius varies between rMin and rMax over n vertices. */
function blob(
  rnd: () => number,
  cx: number,
  cy: number,
  rMin: number,
  rMax: number,
  n: number,
): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    const r = rMin + (rMax - rMin) * rnd();
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as [number, number];
  });
}

const frame = createLocalFrame(CENTRE);

describe('planCoverage on seeded random shapes', () => {
  for (let seed = 1; seed <= 8; seed++) {
    it(`covers random forest #${seed} with a hole and a no-fly zone, lanes never entering it`, () => {
      const rnd = seeded(seed);
      const outer = blob(rnd, 0, 0, 700, 1600, 9 + Math.floor(rnd() * 10));
      const hole = blob(rnd, -200 + 400 * rnd(), -200 + 400 * rnd(), 80, 220, 7).reverse();
      const area = fromMetres([outer, hole]);
      const zone: Polygon = fromMetres([
        regularPolygon(500 * (rnd() - 0.5), 500 * (rnd() - 0.5) + 600, 150, 8),
      ]);
      const angle = rnd() * 180;
      const plan = planCoverage(area, {
        frame,
        noFlyZones: [zone],
        altitudeAglM: 80 + 40 * rnd(),
        turnaroundM: 10 * rnd(),
        startLonLat: frame.toLonLat([2000 * Math.cos(angle), 2000 * Math.sin(angle)]),
      });
      const check = footprintCoverage(area, plan.footprints, {
        noFlyZones: [zone],
        samples: 12_000,
      });
      expect(
        check.fraction,
        `missed e.g. ${JSON.stringify(check.missed.slice(0, 3))}`,
      ).toBeGreaterThanOrEqual(0.995);
      const inflated = buffer(zone, 9, { units: 'meters' })!;
      for (const p of pointsAlongPaths(plan.workPaths, frame))
        expect(booleanPointInPolygon(p, inflated)).toBe(false);
    });
  }
});
