// Positions along flown paths, for tests that check no leg enters a zone between its waypoints.
import type { LocalFrame } from '../../missions/index';

/**
 * Every waypoint of `paths` and points at most `stepM` metres apart on each leg between them,
 * interpolated in the plan's local metric frame and answered as `[lon, lat]`.
 *
 * @example
 * for (const p of pointsAlongPaths(plan.workPaths, frame)) expect(booleanPointInPolygon(p, zone)).toBe(false);
 */
export function pointsAlongPaths(
  paths: readonly { coordinates: readonly [number, number][] }[],
  frame: LocalFrame,
  stepM = 10,
): [number, number][] {
  const out: [number, number][] = [];
  for (const w of paths) {
    const pts = w.coordinates.map((c) => frame.toLocal(c));
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / stepM));
      for (let k = 0; k <= n; k++)
        out.push(frame.toLonLat([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]));
    }
  }
  return out;
}
