import { describe, expect, it } from 'vitest';
import { createLocalFrame, planCoverage, seededRandom } from '../../../missions/index';
import type { XY } from '../../../missions/types/index';
import { footprintCoverage } from './footprint-coverage';
import { CENTRE, fromMetres } from './shapes';

const frame = createLocalFrame(CENTRE);

/** A star-shaped (concave) forest ring: 7–16 corners, 0.5–1.4 km, radii 35–110 %, stretched. */
function starForest(rnd: () => number): XY[] {
  const corners = 7 + Math.floor(rnd() * 10);
  const radiusM = 500 + rnd() * 900;
  const stretch = 0.6 + rnd() * 0.9;
  return Array.from({ length: corners }, (_, i) => {
    const a = (2 * Math.PI * i) / corners;
    const r = radiusM * (0.35 + 0.75 * rnd());
    return [r * Math.cos(a) * stretch, r * Math.sin(a)] as XY;
  });
}

/** Distance from `p` to the ring's area, metres: 0 inside (even-odd), else to the nearest edge. */
function outsideM(p: XY, ring: readonly XY[]): number {
  let inside = false;
  let nearestM = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!;
    const b = ring[i]!;
    if (
      a[1] > p[1] !== b[1] > p[1] &&
      p[0] < a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1])
    )
      inside = !inside;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const t = Math.max(
      0,
      Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)),
    );
    nearestM = Math.min(nearestM, Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy));
  }
  return inside ? 0 : nearestM;
}

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
      let worstM = 0;
      let lanes = 0;
      for (const w of plan.workPaths) {
        if (w.kind !== 'lane') continue;
        lanes++;
        const pts = w.coordinates.map((c) => frame.toLocal(c));
        for (let i = 1; i < pts.length; i++) {
          const a = pts[i - 1]!;
          const b = pts[i]!;
          const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 2));
          for (let k = 0; k <= n; k++) {
            const p: XY = [a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n];
            worstM = Math.max(worstM, outsideM(p, ring));
          }
        }
      }
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
