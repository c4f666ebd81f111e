import { describe, expect, it } from 'vitest';
import { createLocalFrame, planCoverage, seededRandom } from '../../../missions/index';
import type { CoveragePlan } from '../../../missions/index';
import type { XY } from '../../../missions/types/index';
import { footprintCoverage } from './footprint-coverage';
import { worstLaneOutsideM } from './lane-outside';
import { CENTRE, fromMetres, SLANTED, starForest } from './shapes';

const frame = createLocalFrame(CENTRE);

function expectCovered(ring: XY[], plan: CoveragePlan): void {
  const area = fromMetres([ring]);
  const check = footprintCoverage(area, plan.footprints, { samples: 12_000 });
  expect(check.total).toBeGreaterThan(5_000);
  expect(
    check.fraction,
    `missed e.g. ${JSON.stringify(check.missed.slice(0, 3).map((p) => frame.toLocal(p)))}`,
  ).toBeGreaterThanOrEqual(0.995);
  // Photographs are taken from over the area: no lane strays outside it.
  expect(worstLaneOutsideM(plan, ring, frame).worstM).toBeLessThanOrEqual(0.1);
}

describe('planCoverage photographs the corners beyond slanted edges at low side overlap', () => {
  for (const sideOverlapPct of [0, 10, 30]) {
    for (let seed = 1; seed <= 8; seed++) {
      it(`covers ≥ 99.5 % of random star-shaped forest #${seed} at ${sideOverlapPct} % side overlap, lanes over the area`, () => {
        const rnd = seededRandom(1000 + seed);
        const ring = starForest(rnd);
        const plan = planCoverage(fromMetres([ring]), {
          frame,
          altitudeAglM: 80 + 60 * rnd(),
          turnaroundM: 10 * rnd(),
          sideOverlapPct,
          frontOverlapPct: 50,
        });
        expectCovered(ring, plan);
      });
    }
    for (const [name, ring] of Object.entries(SLANTED)) {
      it(`covers ≥ 99.5 % of the ${name} at ${sideOverlapPct} % side overlap, lanes over the area`, () => {
        const plan = planCoverage(fromMetres([ring]), {
          frame,
          altitudeAglM: 100,
          sideOverlapPct,
          frontOverlapPct: 50,
        });
        expectCovered(ring, plan);
      });
    }
  }
});
