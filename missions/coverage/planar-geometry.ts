import type { XY } from '../types/index';

/** An open ring of `[xM, yM]` vertices (the closing vertex is not repeated). */
export type RingXY = XY[];
/** A polygon in a local frame: outer ring first, then holes. */
export type PolygonXY = RingXY[];
/** A set of polygons in a local frame. */
export type MultiPolygonXY = PolygonXY[];

/**
 * Signed area of a ring, m² (positive when counter-clockwise).
 *
 * @example
 * ringSignedAreaM2([[0, 0], [10, 0], [10, 10], [0, 10]]); // 100
 */
export function ringSignedAreaM2(ring: readonly XY[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!;
    const b = ring[i]!;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum / 2;
}

/**
 * Area of a polygon with holes, m².
 *
 * @example
 * polygonAreaM2([[[0, 0], [10, 0], [10, 10], [0, 10]]]); // 100
 */
export function polygonAreaM2(polygon: PolygonXY): number {
  let area = 0;
  for (const [i, ring] of polygon.entries()) {
    const a = Math.abs(ringSignedAreaM2(ring));
    area += i === 0 ? a : -a;
  }
  return area;
}

/** Rotates a point by `-angleRad` so that direction `angleRad` becomes the +x axis. */
export function rotateToSweep(p: readonly number[], cos: number, sin: number): XY {
  const x = p[0] ?? 0;
  const y = p[1] ?? 0;
  return [x * cos + y * sin, -x * sin + y * cos];
}

/** Inverse of {@link rotateToSweep}. */
export function rotateFromSweep(p: readonly number[], cos: number, sin: number): XY {
  const x = p[0] ?? 0;
  const y = p[1] ?? 0;
  return [x * cos - y * sin, x * sin + y * cos];
}

/**
 * Convex hull (Andrew's monotone chain), counter-clockwise, without collinear points.
 *
 * @example
 * convexHull([[0, 0], [1, 1], [2, 0], [1, 0.2], [1, -1]]); // [[0,0],[1,-1],[2,0],[1,1]]
 */
export function convexHull(points: readonly XY[]): XY[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: XY, a: XY, b: XY): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: XY[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: XY[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  upper.pop();
  lower.pop();
  return lower.concat(upper);
}

/**
 * Minimum width of a point set (rotating calipers over the convex hull), metres, and the
 * direction (radians from +x) of the hull edge that attains it: lanes parallel to that edge need
 * the fewest passes.
 *
 * @example
 * minimumWidth([[0, 0], [100, 0], [100, 20], [0, 20]]); // { widthM: 20, edgeAngleRad: 0 }
 */
export function minimumWidth(points: readonly XY[]): { widthM: number; edgeAngleRad: number } {
  const hull = convexHull(points);
  if (hull.length < 3) return { widthM: 0, edgeAngleRad: 0 };
  let best = { widthM: Infinity, edgeAngleRad: 0 };
  let j = 1;
  const n = hull.length;
  const dist = (a: XY, b: XY, p: XY): number => {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    return Math.abs(dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / Math.hypot(dx, dy);
  };
  for (let i = 0; i < n; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % n]!;
    while (dist(a, b, hull[(j + 1) % n]!) > dist(a, b, hull[j % n]!)) j++;
    const w = dist(a, b, hull[j % n]!);
    if (w < best.widthM)
      best = { widthM: w, edgeAngleRad: normaliseAngle(Math.atan2(b[1] - a[1], b[0] - a[0])) };
  }
  return best;
}

/** Maps an undirected line angle to [0, π). */
export function normaliseAngle(angleRad: number): number {
  const r = angleRad % Math.PI;
  return r < 0 ? r + Math.PI : r;
}

/** Even-odd point-in-polygon test over every ring (holes included). */
export function pointInPolygon(p: readonly number[], polygon: PolygonXY): boolean {
  const x = p[0] ?? 0;
  const y = p[1] ?? 0;
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i]!;
      const b = ring[j]!;
      if (a[1] > y !== b[1] > y && x < ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]) + a[0])
        inside = !inside;
    }
  }
  return inside;
}

/** True when the open segments ab and cd cross at a single interior point. */
export function segmentsCross(a: XY, b: XY, c: XY, d: XY): boolean {
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function orient(a: XY, b: XY, c: XY): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return Math.abs(v) < 1e-12 ? 0 : v;
}

/** Axis-aligned bounds `[minX, minY, maxX, maxY]` of a polygon. */
export function polygonBounds(polygon: PolygonXY): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of polygon) {
    for (const [x, y] of ring) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Length of a polyline, metres. */
export function polylineLengthM(points: readonly XY[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    sum += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  return sum;
}
