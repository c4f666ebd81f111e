import { describe, expect, it } from 'vitest';
import { createLocalFrame, planCoverage, seededRandom } from '../../../missions/index';
import type { CoveragePlan } from '../../../missions/index';
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

/**
 * Hand-made areas whose slanted edges run close to the lanes: a thin triangle (one long side
 * 8.5° off the other), a parallelogram whose ends lean 18° off its long sides, and a strip whose
 * upper edge is a saw of shallow teeth (9° off the lanes, tips between lane lines).
 */
const SLANTED: Record<string, XY[]> = {
  'thin triangle': [
    [0, 0],
    [2000, 150],
    [0, 300],
  ],
  'leaning parallelogram': [
    [0, 0],
    [2000, 0],
    [3500, 500],
    [1500, 500],
  ],
  'saw-toothed strip': [
    [0, 0],
    [2400, 0],
    [2400, 520],
    ...Array.from({ length: 6 }, (_, i) => {
      const x = 2400 - 400 * i;
      return [
        [x - 200, 460],
        [x - 400, 520],
      ] as XY[];
    }).flat(),
  ],
};

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

/** The farthest any photographing path (lane) of the plan strays outside the ring, metres. */
function worstLaneOutsideM(plan: CoveragePlan, ring: readonly XY[]): number {
  let worstM = 0;
  for (const w of plan.workPaths) {
    if (w.kind !== 'lane') continue;
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
  return worstM;
}

function expectCovered(ring: XY[], plan: CoveragePlan): void {
  const area = fromMetres([ring]);
  const check = footprintCoverage(area, plan.footprints, { samples: 12_000 });
  expect(check.total).toBeGreaterThan(5_000);
  expect(
    check.fraction,
    `missed e.g. ${JSON.stringify(check.missed.slice(0, 3).map((p) => frame.toLocal(p)))}`,
  ).toBeGreaterThanOrEqual(0.995);
  // Photographs are taken from over the area: no lane strays outside it.
  expect(worstLaneOutsideM(plan, ring)).toBeLessThanOrEqual(0.1);
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
