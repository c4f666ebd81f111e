import { describe, expect, it } from 'vitest';
import {
  bruteForceSweepAngle,
  createObstacleRouter,
  decomposeSweep,
  minimumWidth,
  orderCells,
  searchSweepAngle,
  sweepAngleCandidates,
  sweepLanes,
  sweepObjectiveM,
  type MultiPolygonXY,
} from '../../../missions/index';
import type { XY } from '../../../missions/types/index';

const rect = (cx: number, cy: number, w: number, h: number, deg = 0): XY[] => {
  const a = (deg * Math.PI) / 180;
  return [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ].map(([x, y]) => [
    cx + x! * Math.cos(a) - y! * Math.sin(a),
    cy + x! * Math.sin(a) + y! * Math.cos(a),
  ]);
};

const costs = { turnCostM: 40, turnaroundM: 10 };

describe('sweepLanes', () => {
  it('centres ⌈W/w⌉ lanes over the width and spans the area on each', () => {
    const s = sweepLanes([[rect(50, 20, 100, 40)]], 0, 15);
    expect(s.lines.map((l) => l.yM)).toEqual([5, 20, 35]);
    // Each lane also carries the chords of its own line over the area (`lineM`, where it is
    // flown): added when lanes were kept inside the area on slanted edges.
    for (const l of s.lines)
      expect(l.intervals).toEqual([
        { startM: 0, endM: 100, bandStartM: 0, bandEndM: 100, lineM: [[0, 100]] },
      ]);
  });

  it('pulls lane ends in by the footprint reach and cuts obstacles out with clearance', () => {
    const s = sweepLanes([[rect(50, 10, 100, 20)]], 0, 20, {
      alongReachM: 10,
      obstacles: [[rect(50, 10, 10, 40)]],
    });
    expect(s.lines).toHaveLength(1);
    const iv = s.lines[0]!.intervals;
    expect(iv).toHaveLength(2);
    expect(iv[0]!.startM).toBeCloseTo(10, 9);
    expect(iv[0]!.endM).toBeCloseTo(44.5, 9);
    expect(iv[1]!.startM).toBeCloseTo(55.5, 9);
    expect(iv[1]!.endM).toBeCloseTo(90, 9);
  });

  it('flies across a short gap when asked to bridge it', () => {
    const area: MultiPolygonXY = [[rect(0, 10, 100, 20)], [[...rect(130, 10, 40, 20)]]];
    expect(sweepLanes(area, 0, 20).lines[0]!.intervals).toHaveLength(2);
    const bridged = sweepLanes(area, 0, 20, { bridgeGapM: 61 }).lines[0]!.intervals;
    expect(bridged).toHaveLength(1);
    expect(bridged[0]!.startM).toBeCloseTo(-50, 9);
    expect(bridged[0]!.endM).toBeCloseTo(150, 9);
  });
});

describe('decomposeSweep', () => {
  it('splits around a hole into four cells (below, left, right, above)', () => {
    const area: MultiPolygonXY = [[rect(0, 0, 1000, 1000), rect(0, 0, 300, 320)]];
    const cells = decomposeSweep(sweepLanes(area, 0, 50));
    expect(cells).toHaveLength(4);
    expect(cells.reduce((n, c) => n + c.lanes.length, 0)).toBe(20 + 6);
  });
});

describe('sweep direction search', () => {
  it('finds the long side of a rotated rectangle and matches the 180-step brute force', () => {
    const area: MultiPolygonXY = [[rect(0, 0, 3000, 500, 37)]];
    const objective = (a: number): number =>
      sweepObjectiveM(decomposeSweep(sweepLanes(area, a, 40)), costs);
    const found = searchSweepAngle(area, objective);
    const brute = bruteForceSweepAngle(objective, 180);
    expect((found.angleRad * 180) / Math.PI).toBeCloseTo(37, 6);
    expect(found.costM).toBeLessThanOrEqual(brute.costM + 1e-6);
    expect(found.evaluations).toBeLessThan(60);
  });

  it('takes candidates from the hull edges first', () => {
    const c = sweepAngleCandidates([[rect(0, 0, 100, 20, 10)]]);
    expect(c.map((a) => Math.round((a * 180) / Math.PI))).toEqual([10, 100]);
  });

  it('computes the minimum width with rotating calipers', () => {
    const w = minimumWidth(rect(0, 0, 300, 80, 25));
    expect(w.widthM).toBeCloseTo(80, 6);
    expect((w.edgeAngleRad * 180) / Math.PI).toBeCloseTo(25, 6);
  });
});

describe('createObstacleRouter', () => {
  const square: MultiPolygonXY = [[rect(0, 0, 200, 200)]];
  const router = createObstacleRouter(square);

  it('goes straight when nothing is in the way', () => {
    expect(router.route([-300, 200], [300, 200])).toEqual([
      [-300, 200],
      [300, 200],
    ]);
  });

  it('goes around an obstacle by the shortest way (over two corners)', () => {
    const path = router.route([-300, 50], [300, 50]);
    expect(path).toHaveLength(4);
    let length = 0;
    for (let i = 1; i < path.length; i++)
      length += Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]);
    const expected = 2 * Math.hypot(200, 50) + 200;
    expect(length).toBeGreaterThan(expected - 0.1);
    expect(length).toBeLessThan(expected + 2);
    for (let i = 1; i < path.length; i++)
      expect(router.blocked(path[i - 1]!, path[i]!)).toBe(false);
  });

  it('still returns a path when an end lies inside an obstacle', () => {
    expect(router.route([0, 0], [500, 0])).toHaveLength(2);
  });
});

describe('orderCells', () => {
  it('visits cells along a row in order from the start, whatever the input order', () => {
    const xs = [5, 1, 3, 0, 4, 2];
    const cells = xs.map((x) => ({
      first: [
        [x * 1000, 0],
        [x * 1000 + 500, 0],
      ] as [XY, XY],
      last: [
        [x * 1000 + 500, 400],
        [x * 1000, 400],
      ] as [XY, XY],
    }));
    const visits = orderCells(cells, [-1000, 0]);
    expect(visits.map((v) => xs[v.cell])).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
