/**
 * The few planar geometry operations the alert rules need, done in a local metric frame:
 * distances between GeoJSON geometries, convex hulls, areas and centroids.
 */
import { createLocalFrame, type LocalFrame, type LonLat } from './local-frame';

export type Position = [number, number];
export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** Every vertex of a geometry. */
export function vertices(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return geometry.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return geometry.coordinates.flat();
    case 'MultiPolygon':
      return geometry.coordinates.flat(2);
  }
}

/** Segments (pairs of positions) of the lines and rings of a geometry; points give none. */
function segments(geometry: Geometry): [Position, Position][] {
  const lines: Position[][] =
    geometry.type === 'LineString'
      ? [geometry.coordinates]
      : geometry.type === 'MultiLineString' || geometry.type === 'Polygon'
        ? geometry.coordinates
        : geometry.type === 'MultiPolygon'
          ? geometry.coordinates.flat()
          : [];
  const out: [Position, Position][] = [];
  for (const line of lines)
    for (let i = 1; i < line.length; i++) out.push([line[i - 1]!, line[i]!]);
  return out;
}

function polygons(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

function pointInRing(p: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
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
 * Whether `[lon, lat]` lies inside a Polygon / MultiPolygon (holes respected).
 *
 * @example
 * pointInGeometry([0.5, 0.5], { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] }); // true
 */
export function pointInGeometry(p: Position, geometry: Geometry): boolean {
  return polygons(geometry).some(
    (poly) =>
      poly[0] !== undefined &&
      pointInRing(p, poly[0]) &&
      !poly.slice(1).some((hole) => pointInRing(p, hole)),
  );
}

function pointSegmentDistance(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t =
    len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const orient = (p: Position, q: Position, r: Position) =>
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

function project(geometry: Geometry, frame: LocalFrame): Geometry {
  const p = (c: Position): Position => frame.toLocal(c);
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: p(geometry.coordinates) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: geometry.coordinates.map(p) };
    case 'LineString':
      return { type: 'LineString', coordinates: geometry.coordinates.map(p) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: geometry.coordinates.map((l) => l.map(p)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates.map((r) => r.map(p)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((poly) => poly.map((r) => r.map(p))),
      };
  }
}

/**
 * Shortest distance in metres between two geometries; 0 when they touch, cross or one
 * contains the other.
 *
 * @example
 * geometryDistanceM(
 *   { type: 'Point', coordinates: [119.9, 30.4] },
 *   { type: 'LineString', coordinates: [[119.9, 30.401], [119.91, 30.401]] },
 * ); // ≈ 110.9
 */
export function geometryDistanceM(a: Geometry, b: Geometry): number {
  const first = vertices(a)[0];
  if (first === undefined || vertices(b).length === 0) return Number.POSITIVE_INFINITY;
  const frame = createLocalFrame(first);
  const la = project(a, frame);
  const lb = project(b, frame);
  const va = vertices(la);
  const vb = vertices(lb);
  if (va.some((p) => pointInGeometry(p, lb)) || vb.some((p) => pointInGeometry(p, la))) return 0;
  const sa = segments(la);
  const sb = segments(lb);
  for (const [p, q] of sa) for (const [r, s] of sb) if (segmentsCross(p, q, r, s)) return 0;
  let best = Number.POSITIVE_INFINITY;
  const pointsToSegments = (points: Position[], segs: [Position, Position][]) => {
    for (const p of points)
      for (const [r, s] of segs) best = Math.min(best, pointSegmentDistance(p, r, s));
  };
  pointsToSegments(va, sb);
  pointsToSegments(vb, sa);
  if (sa.length === 0 && sb.length === 0) {
    for (const p of va)
      for (const q of vb) best = Math.min(best, Math.hypot(p[0] - q[0], p[1] - q[1]));
  }
  return best;
}

/**
 * Convex hull of `[lon, lat]` points (Andrew's monotone chain in a local frame). Returns a
 * closed ring, or `undefined` when the points are fewer than three or collinear.
 *
 * @example
 * convexHullRing([[0, 0], [0.001, 0], [0, 0.001], [0.0002, 0.0002]]); // 4-position closed ring
 */
export function convexHullRing(points: readonly Position[]): Position[] | undefined {
  const unique = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()];
  if (unique.length < 3) return undefined;
  const sorted = unique.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Position, a: Position, b: Position) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Position[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Position[] = [];
  for (const p of [...sorted].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  if (hull.length < 3) return undefined;
  return [...hull, hull[0]!];
}

function ringAreaM2(ring: Position[]): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1]!;
    const b = ring[i]!;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(sum) / 2;
}

/**
 * Area in m² of a Polygon / MultiPolygon (holes subtracted); 0 for other geometries.
 *
 * @example
 * areaM2({ type: 'Polygon', coordinates: [[[119.9, 30.4], [119.901, 30.4], [119.901, 30.401], [119.9, 30.401], [119.9, 30.4]]] }); // ≈ 10 670
 */
export function areaM2(geometry: Geometry): number {
  const first = vertices(geometry)[0];
  if (first === undefined) return 0;
  const frame = createLocalFrame(first);
  const local = project(geometry, frame);
  return polygons(local).reduce(
    (sum, poly) =>
      sum + ringAreaM2(poly[0] ?? []) - poly.slice(1).reduce((h, ring) => h + ringAreaM2(ring), 0),
    0,
  );
}

/**
 * Mean of the distinct vertices (for a ring the closing position is counted once): a cheap
 * representative point.
 *
 * @example
 * centroidOf({ type: 'LineString', coordinates: [[0, 0], [2, 2]] }); // [1, 1]
 */
export function centroidOf(geometry: Geometry): LonLat {
  const pts =
    geometry.type === 'Polygon' || geometry.type === 'MultiPolygon'
      ? polygons(geometry).flatMap((poly) => (poly[0] ?? []).slice(0, -1))
      : vertices(geometry);
  if (pts.length === 0) throw new RangeError(`geometry ${geometry.type} has no vertices`);
  const lon = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const lat = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  return [lon, lat];
}

/** `[minLon, minLat, maxLon, maxLat]` of a geometry. */
export function bboxOf(geometry: Geometry): [number, number, number, number] {
  const pts = vertices(geometry);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of pts) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}
