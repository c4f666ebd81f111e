import type { XY } from '../types/index';

/** A ring of metric vertices, not closed (the last vertex is not repeated). */
export type RingXY = XY[];

/**
 * True when `p` lies inside the ring (even–odd rule; the boundary counts as inside).
 *
 * @example
 * pointInRing([5, 5], [[0, 0], [10, 0], [10, 10], [0, 10]]); // true
 */
export function pointInRing(p: XY, ring: readonly XY[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (pointSegmentDistanceM(p, a, b) < 1e-9) return true;
    if (
      a[1] > p[1] !== b[1] > p[1] &&
      p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]
    ) {
      inside = !inside;
    }
  }
  return inside;
}

/**
 * Distance from `p` to the segment a–b, metres.
 *
 * @example
 * pointSegmentDistanceM([5, 3], [0, 0], [10, 0]); // 3
 */
export function pointSegmentDistanceM(p: XY, a: XY, b: XY): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t =
    len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function orient(a: XY, b: XY, c: XY): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/**
 * True when segments a–b and c–d intersect (touching included).
 *
 * @example
 * segmentsIntersect([0, 0], [10, 10], [0, 10], [10, 0]); // true
 */
export function segmentsIntersect(a: XY, b: XY, c: XY, d: XY): boolean {
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  const eps = 1e-12;
  return (
    (Math.abs(d1) < eps && pointSegmentDistanceM(a, c, d) < 1e-9) ||
    (Math.abs(d2) < eps && pointSegmentDistanceM(b, c, d) < 1e-9) ||
    (Math.abs(d3) < eps && pointSegmentDistanceM(c, a, b) < 1e-9) ||
    (Math.abs(d4) < eps && pointSegmentDistanceM(d, a, b) < 1e-9)
  );
}

/**
 * Distance between segments a–b and c–d, metres (0 when they intersect).
 *
 * @example
 * segmentDistanceM([0, 0], [10, 0], [0, 5], [10, 5]); // 5
 */
export function segmentDistanceM(a: XY, b: XY, c: XY, d: XY): number {
  if (segmentsIntersect(a, b, c, d)) return 0;
  return Math.min(
    pointSegmentDistanceM(a, c, d),
    pointSegmentDistanceM(b, c, d),
    pointSegmentDistanceM(c, a, b),
    pointSegmentDistanceM(d, a, b),
  );
}

/**
 * Distance from the segment a–b to a polygon (outer ring plus holes), metres; 0 when the segment
 * touches or enters it. A segment inside a hole is outside the polygon.
 *
 * @example
 * segmentPolygonDistanceM([20, 5], [30, 5], [[[0, 0], [10, 0], [10, 10], [0, 10]]]); // 10
 */
export function segmentPolygonDistanceM(a: XY, b: XY, polygon: readonly RingXY[]): number {
  const outer = polygon[0];
  if (!outer || outer.length < 3) return Infinity;
  const insideHole = polygon.slice(1).some((h) => h.length >= 3 && strictlyInside(a, h));
  if (pointInRing(a, outer) && !insideHole) return 0;
  let best = Infinity;
  for (const ring of polygon) {
    for (let i = 0; i < ring.length; i++) {
      best = Math.min(best, segmentDistanceM(a, b, ring[i]!, ring[(i + 1) % ring.length]!));
      if (best === 0) return 0;
    }
  }
  return best;
}

function strictlyInside(p: XY, ring: readonly XY[]): boolean {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    if (pointSegmentDistanceM(p, ring[i]!, ring[j]!) < 1e-9) return false;
  }
  return pointInRing(p, ring);
}

/**
 * Convex hull of points (Andrew's monotone chain), counter-clockwise, not closed.
 *
 * @example
 * convexHullXY([[0, 0], [1, 1], [2, 0], [1, 0.5], [1, -1]]); // [[0,0],[1,-1],[2,0],[1,1]]
 */
export function convexHullXY(points: readonly XY[]): XY[] {
  const pts = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (pts.length < 3) return pts;
  const lower: XY[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && orient(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: XY[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && orient(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return [...lower, ...upper];
}
