import { booleanPointInPolygon, buffer } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import {
  createLocalFrame,
  decomposeSweep,
  mergeCells,
  orderCells,
  planCoverage,
  seededRandom,
  sweepLanes,
  type CellEnds,
  type CoveragePlan,
  type MultiPolygonXY,
} from '../../../missions/index';
import type { XY } from '../../../missions/types/index';
import { footprintCoverage } from './footprint-coverage';
import { holedCases } from './holed-cases';
import { CENTRE, fromMetres, HOLED } from './shapes';
import { pointsAlongPaths } from '../path-samples';

const frame = createLocalFrame(CENTRE);
const synthetic = holedCases().filter((c) => c.options.frame !== undefined && c.group === 'holes');

function laneSegments(plan: CoveragePlan): [XY, XY][] {
  return plan.workPaths
    .filter((w) => w.kind === 'lane')
    .map((w) => [frame.toLocal(w.coordinates[0]!), frame.toLocal(w.coordinates[1]!)]);
}

describe('planCoverage against the single-direction (scanline) baseline on areas with holes', () => {
  for (const c of synthetic) {
    it(`flies ${c.name} shorter and cheaper than the scanline, both covering ≥ 99.5 %`, () => {
      const options = { ...c.options, noFlyZones: c.noFlyZones };
      const mine = planCoverage(c.area, options);
      const base = planCoverage(c.area, { ...options, method: 'scanline' });
      expect(mine.stats.flightCostM).toBeLessThanOrEqual(base.stats.flightCostM + 1e-6);
      expect(mine.stats.lengthM / base.stats.lengthM).toBeLessThan(0.97);
      // Lanes (camera on) stay over the area: within half a lane spacing of it, holes included.
      const near = buffer(c.area, mine.stats.laneSpacingM / 2 + 1, { units: 'meters' })!;
      for (const [a, b] of laneSegments(mine)) {
        const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 10));
        for (let k = 0; k <= n; k++) {
          const p = frame.toLonLat([
            a[0] + ((b[0] - a[0]) * k) / n,
            a[1] + ((b[1] - a[1]) * k) / n,
          ]);
          expect(booleanPointInPolygon(p, near)).toBe(true);
        }
      }
      const sampling = { samples: 12_000, noFlyZones: c.noFlyZones };
      expect(footprintCoverage(c.area, mine.footprints, sampling).fraction).toBeGreaterThanOrEqual(
        0.995,
      );
      expect(footprintCoverage(c.area, base.footprints, sampling).fraction).toBeGreaterThanOrEqual(
        0.995,
      );
    });
  }

  it('the scanline flies each line in one direction, crossing a hole straight between its lanes', () => {
    const area = fromMetres(HOLED['square with two holes']!);
    const plan = planCoverage(area, { frame, method: 'scanline', footprints: false });
    expect(plan.stats.cells).toBe(1);
    expect(new Set(plan.cells.map((c) => c.sweepCourseDeg)).size).toBe(1);
    const lanes = laneSegments(plan);
    const dir = (l: [XY, XY]): XY => {
      const d = Math.hypot(l[1][0] - l[0][0], l[1][1] - l[0][1]);
      return [(l[1][0] - l[0][0]) / d, (l[1][1] - l[0][1]) / d];
    };
    let sameLine = 0;
    for (let i = 1; i < lanes.length; i++) {
      const a = dir(lanes[i - 1]!);
      const b = dir(lanes[i]!);
      const across =
        (lanes[i]![0][0] - lanes[i - 1]![1][0]) * -a[1] +
        (lanes[i]![0][1] - lanes[i - 1]![1][1]) * a[0];
      if (Math.abs(across) < 1e-6) {
        // The next lane on the same line goes on in the same direction (no turn).
        sameLine++;
        expect(a[0] * b[0] + a[1] * b[1]).toBeCloseTo(1, 9);
      } else expect(a[0] * b[0] + a[1] * b[1]).toBeCloseTo(-1, 9);
    }
    expect(sameLine).toBeGreaterThan(10);
  });

  it('keeps lanes and transits of both methods out of no-fly zones (plus margin)', () => {
    const c = holedCases().find((x) => x.name === 'rectangle around two no-fly villages')!;
    for (const method of ['decomposition', 'scanline'] as const) {
      const plan = planCoverage(c.area, {
        ...c.options,
        noFlyZones: c.noFlyZones,
        method,
        footprints: false,
      });
      const inflated = c.noFlyZones.map((z) => buffer(z, 9, { units: 'meters' })!);
      for (const p of pointsAlongPaths(plan.workPaths, frame))
        for (const z of inflated) expect(booleanPointInPolygon(p, z), method).toBe(false);
    }
  });

  it('beats the scanline on a real forest with seeded clearings, covering ≥ 99.5 %', () => {
    const c = holedCases().find((x) => x.name.startsWith('dillon#1'))!;
    const mine = planCoverage(c.area, c.options);
    const base = planCoverage(c.area, { ...c.options, method: 'scanline', footprints: false });
    expect(mine.stats.lengthM).toBeLessThan(0.97 * base.stats.lengthM);
    const check = footprintCoverage(c.area, mine.footprints, { samples: 8_000 });
    expect(check.total).toBeGreaterThan(1000);
    expect(check.fraction).toBeGreaterThanOrEqual(0.995);
  });
});

describe('mergeCells', () => {
  it('joins the cells around a hole into two back-and-forth runs, keeping every lane', () => {
    const rect = (cx: number, cy: number, w: number, h: number): XY[] => [
      [cx - w / 2, cy - h / 2],
      [cx + w / 2, cy - h / 2],
      [cx + w / 2, cy + h / 2],
      [cx - w / 2, cy + h / 2],
    ];
    const area: MultiPolygonXY = [[rect(0, 0, 1000, 1000), rect(0, 0, 300, 320).reverse()]];
    const cells = decomposeSweep(sweepLanes(area, 0, 50));
    expect(cells).toHaveLength(4);
    const merged = mergeCells(cells, 50);
    expect(merged).toHaveLength(2);
    const ys = (cs: typeof cells): number[] =>
      cs.flatMap((c) => c.lanes.map((l) => l.yM)).sort((a, b) => a - b);
    expect(ys(merged)).toEqual(ys(cells));
    for (const run of merged)
      for (let i = 1; i < run.lanes.length; i++)
        expect(run.lanes[i]!.yM - run.lanes[i - 1]!.yM).toBeCloseTo(50, 9);
  });
});

describe('orderCells', () => {
  /** Brute force over every order and every way through each cell. */
  function bruteForceM(cells: CellEnds[], start: XY | null): number {
    const n = cells.length;
    const d = (a: XY, b: XY): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
    let best = Infinity;
    const perm: number[] = [];
    const used = new Array<boolean>(n).fill(false);
    const walk = (at: XY | null, sum: number): void => {
      if (sum >= best) return;
      if (perm.length === n) {
        best = sum;
        return;
      }
      for (let c = 0; c < n; c++) {
        if (used[c]) continue;
        used[c] = true;
        perm.push(c);
        for (const path of [0, 1] as const)
          for (const reversed of [false, true]) {
            const e = reversed ? cells[c]!.last[path] : cells[c]!.first[path];
            const x = reversed ? cells[c]!.first[path] : cells[c]!.last[path];
            walk(x, sum + (at ? d(at, e) : 0));
          }
        perm.pop();
        used[c] = false;
      }
    };
    walk(start, 0);
    return best;
  }

  it('finds the shortest order and ways through up to 9 cells (brute force on 6)', () => {
    const rand = seededRandom(5);
    const pt = (): XY => [1000 * rand(), 1000 * rand()];
    for (let trial = 0; trial < 5; trial++) {
      const cells: CellEnds[] = Array.from({ length: 6 }, () => ({
        first: [pt(), pt()],
        last: [pt(), pt()],
      }));
      const start = trial % 2 ? pt() : null;
      const visits = orderCells(cells, start);
      expect(new Set(visits.map((v) => v.cell)).size).toBe(6);
      let at = start;
      let sum = 0;
      for (const v of visits) {
        const c = cells[v.cell]!;
        const e = v.reversed ? c.last[v.path] : c.first[v.path];
        if (at) sum += Math.hypot(at[0] - e[0], at[1] - e[1]);
        at = v.reversed ? c.first[v.path] : c.last[v.path];
      }
      expect(sum).toBeCloseTo(bruteForceM(cells, start), 6);
    }
  });
});
