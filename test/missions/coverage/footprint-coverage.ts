import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import type { CameraFootprint } from '../../../missions/index';

/**
 * The independent coverage oracle of the tests: samples a regular grid of `[lon, lat]` points over
 * the area's bounding box, keeps those inside the area (turf) and outside every no-fly zone, and
 * counts those inside at least one footprint quadrilateral (tested in degrees, longitude scaled by
 * cos(lat)). It shares no code with the planner.
 */
export function footprintCoverage(
  area: Polygon | MultiPolygon,
  footprints: readonly CameraFootprint[],
  options: { samples?: number; noFlyZones?: readonly (Polygon | MultiPolygon)[] } = {},
): { covered: number; total: number; fraction: number; missed: [number, number][] } {
  const polys = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const poly of polys)
    for (const p of poly[0] ?? []) {
      minLon = Math.min(minLon, p[0]!);
      maxLon = Math.max(maxLon, p[0]!);
      minLat = Math.min(minLat, p[1]!);
      maxLat = Math.max(maxLat, p[1]!);
    }
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const samples = options.samples ?? 20_000;
  const widthDeg = (maxLon - minLon) * k;
  const heightDeg = maxLat - minLat;
  const step = Math.sqrt((widthDeg * heightDeg) / samples);
  // Spatial hash of footprints in scaled degrees.
  const cell = Math.max(step, 1e-9) * 4;
  const grid = new Map<string, number[]>();
  const quads = footprints.map((f) => f.corners.map((c) => [c[0] * k, c[1]] as [number, number]));
  for (const [i, q] of quads.entries()) {
    const xs = q.map((c) => c[0]);
    const ys = q.map((c) => c[1]);
    for (
      let gx = Math.floor(Math.min(...xs) / cell);
      gx <= Math.floor(Math.max(...xs) / cell);
      gx++
    )
      for (
        let gy = Math.floor(Math.min(...ys) / cell);
        gy <= Math.floor(Math.max(...ys) / cell);
        gy++
      ) {
        const key = `${gx},${gy}`;
        const list = grid.get(key);
        if (list) list.push(i);
        else grid.set(key, [i]);
      }
  }
  const inQuad = (q: [number, number][], x: number, y: number): boolean => {
    let sign = 0;
    for (let i = 0; i < q.length; i++) {
      const a = q[i]!;
      const b = q[(i + 1) % q.length]!;
      const c = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
      if (c === 0) continue;
      const s = Math.sign(c);
      if (sign === 0) sign = s;
      else if (s !== sign) return false;
    }
    return true;
  };
  let covered = 0;
  let total = 0;
  const missed: [number, number][] = [];
  for (let y = minLat + step / 2; y < maxLat; y += step) {
    for (let xs = minLon * k + step / 2; xs < maxLon * k; xs += step) {
      const lon = xs / k;
      if (!booleanPointInPolygon([lon, y], area)) continue;
      if ((options.noFlyZones ?? []).some((z) => booleanPointInPolygon([lon, y], z))) continue;
      total++;
      const list = grid.get(`${Math.floor(xs / cell)},${Math.floor(y / cell)}`) ?? [];
      if (list.some((i) => inQuad(quads[i]!, xs, y))) covered++;
      else if (missed.length < 50) missed.push([lon, y]);
    }
  }
  return { covered, total, fraction: total > 0 ? covered / total : 1, missed };
}
