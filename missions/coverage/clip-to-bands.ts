import type { XY } from '../types/index';
import {
  ringSignedAreaM2,
  rotateFromSweep,
  rotateToSweep,
  type MultiPolygonXY,
  type PolygonXY,
  type RingXY,
} from './planar-geometry';

/** An axis-aligned rectangle `[minX, minY, maxX, maxY]` in a sweep-rotated frame, metres. */
export type Rect = [number, number, number, number];

function clipEdge(ring: RingXY, inside: (p: XY) => boolean, cross: (a: XY, b: XY) => XY): RingXY {
  const out: RingXY = [];
  for (let i = 0; i < ring.length; i++) {
    const cur = ring[i]!;
    const prev = ring[(i + ring.length - 1) % ring.length]!;
    const cin = inside(cur);
    const pin = inside(prev);
    if (cin) {
      if (!pin) out.push(cross(prev, cur));
      out.push(cur);
    } else if (pin) out.push(cross(prev, cur));
  }
  return out;
}

/**
 * Sutherland–Hodgman clip of one ring to an axis-aligned rectangle. A concave ring may come out
 * with zero-width bridges along the rectangle's sides; they are traversed both ways, so even-odd
 * tests and the sweep (which only ever widens a lane across them) are unaffected.
 */
export function clipRingToRect(ring: RingXY, r: Rect): RingXY {
  const atX =
    (x: number) =>
    (a: XY, b: XY): XY => [x, a[1] + ((x - a[0]) * (b[1] - a[1])) / (b[0] - a[0])];
  const atY =
    (y: number) =>
    (a: XY, b: XY): XY => [a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]), y];
  let out = clipEdge(ring, (p) => p[0] >= r[0], atX(r[0]));
  if (out.length > 0) out = clipEdge(out, (p) => p[0] <= r[2], atX(r[2]));
  if (out.length > 0) out = clipEdge(out, (p) => p[1] >= r[1], atY(r[1]));
  if (out.length > 0) out = clipEdge(out, (p) => p[1] <= r[3], atY(r[3]));
  return out;
}

/**
 * The part of `polygon` inside the union of `rects` (given in the frame rotated by `angleRad`),
 * returned in the local frame as one polygon per rectangle (holes kept as rings: read it with the
 * even-odd rule). Much faster than a general boolean operation and exact for the sweep.
 *
 * @example
 * clipToBands([[[0, 0], [100, 0], [100, 100], [0, 100]]], 0, [[10, 0, 50, 20]]); // one 40 × 20 strip
 */
export function clipToBands(
  polygon: PolygonXY,
  angleRad: number,
  rects: readonly Rect[],
): MultiPolygonXY {
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const rings = polygon.map((ring) => {
    const pts = ring.map((p) => rotateToSweep(p, cos, sin));
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [x, y] of pts) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    return { pts, bounds: [minX, minY, maxX, maxY] as Rect };
  });
  const out: MultiPolygonXY = [];
  for (const r of rects) {
    const poly: PolygonXY = [];
    for (const { pts, bounds } of rings) {
      if (bounds[2] < r[0] || bounds[0] > r[2] || bounds[3] < r[1] || bounds[1] > r[3]) continue;
      const clipped = clipRingToRect(pts, r);
      if (clipped.length >= 3 && Math.abs(ringSignedAreaM2(clipped)) > 1e-6) poly.push(clipped);
    }
    if (poly.length > 0)
      out.push(poly.map((ring) => ring.map((p) => rotateFromSweep(p, cos, sin))));
  }
  return out;
}
