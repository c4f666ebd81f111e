import type { XY } from '../types/index';
import { pointInRing } from '../fence/index';

/**
 * Share of an area inside the union of camera footprints, by sampling a regular grid of about
 * `samples` points over the area (an independent check of the coverage planner), percent.
 * `area` and `exclude` are polygons (outer ring then holes) in metres; footprints are convex
 * quadrilaterals in metres.
 *
 * @example
 * sampleCoveragePct([[[[0, 0], [10, 0], [10, 10], [0, 10]]]], [], [[[0, 0], [10, 0], [10, 10], [0, 10]]]); // 100
 */
export function sampleCoveragePct(
  area: readonly XY[][][],
  exclude: readonly XY[][][],
  footprints: readonly XY[][],
  samples = 20_000,
): { coveragePct: number; samples: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of area) {
    for (const [x, y] of poly[0] ?? []) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  if (!Number.isFinite(minX)) return { coveragePct: 0, samples: 0 };
  const bboxArea = Math.max((maxX - minX) * (maxY - minY), 1e-9);
  const step = Math.max(Math.sqrt(bboxArea / samples), 1e-6);
  // Footprint index: bucket each footprint into the grid cells its bounding box touches.
  const cell = Math.max(step * 8, 1);
  const buckets = new Map<string, number[]>();
  footprints.forEach((fp, i) => {
    const xs = fp.map((p) => p[0]);
    const ys = fp.map((p) => p[1]);
    for (
      let cx = Math.floor(Math.min(...xs) / cell);
      cx <= Math.floor(Math.max(...xs) / cell);
      cx++
    ) {
      for (
        let cy = Math.floor(Math.min(...ys) / cell);
        cy <= Math.floor(Math.max(...ys) / cell);
        cy++
      ) {
        const key = `${cx},${cy}`;
        const list = buckets.get(key);
        if (list) list.push(i);
        else buckets.set(key, [i]);
      }
    }
  });
  const inPolygon = (p: XY, poly: readonly XY[][]): boolean =>
    poly[0] !== undefined &&
    pointInRing(p, poly[0]) &&
    !poly.slice(1).some((h) => pointInRing(p, h));
  let inside = 0;
  let covered = 0;
  for (let y = minY + step / 2; y < maxY; y += step) {
    for (let x = minX + step / 2; x < maxX; x += step) {
      const p: XY = [x, y];
      if (!area.some((poly) => inPolygon(p, poly))) continue;
      if (exclude.some((poly) => inPolygon(p, poly))) continue;
      inside++;
      const list = buckets.get(`${Math.floor(x / cell)},${Math.floor(y / cell)}`) ?? [];
      if (list.some((i) => pointInRing(p, footprints[i]!))) covered++;
    }
  }
  return { coveragePct: inside === 0 ? 0 : (covered / inside) * 100, samples: inside };
}
