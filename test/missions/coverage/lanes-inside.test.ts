import { describe, expect, it } from 'vitest';
import { createLocalFrame, planCoverage, seededRandom } from '../../../missions/index';
import { footprintCoverage } from './footprint-coverage';
import { worstLaneOutsideM } from './lane-outside';
import { CENTRE, fromMetres, starForest } from './shapes';

const frame = createLocalFrame(CENTRE);

describe('planCoverage lanes on concave forests', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`keeps every lane point of random star-shaped forest #${seed} inside the area plus margin, covering ≥ 99.5 %`, () => {
      const rnd = seededRandom(1000 + seed);
      const ring = starForest(rnd);
      const area = fromMetres([ring]);
      const marginM = seed % 3 === 0 ? 20 * rnd() : 0;
      const plan = planCoverage(area, {
        frame,
        altitudeAglM: 80 + 60 * rnd(),
        turnaroundM: 10 * rnd(),
        marginM,
      });
      const { worstM, lanes } = worstLaneOutsideM(plan, ring, frame);
      expect(lanes).toBeGreaterThan(4);
      expect(worstM).toBeLessThanOrEqual(marginM + 0.1);
      const check = footprintCoverage(area, plan.footprints, { samples: 12_000 });
      expect(check.total).toBeGreaterThan(5_000);
      expect(
        check.fraction,
        `missed e.g. ${JSON.stringify(check.missed.slice(0, 3))}`,
      ).toBeGreaterThanOrEqual(0.995);
    });
  }
});
