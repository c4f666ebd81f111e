// geometryDistanceM, vertices, pointInGeometry and convexHullRing were rewritten without allocations (they run for
// every fusion candidate, asset and jurisdiction of every detection). The fusion and severity
// decisions compare these distances, so the rewrite must give the very same numbers: this
// checks it bit for bit against the previous implementation, kept here as the oracle.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../missions/index';
import {
  convexHullRing,
  createLocalFrame,
  geometryDistanceM,
  pointInGeometry,
  vertices,
  type Geometry,
  type LocalFrame,
  type Position,
} from '../../src/services/alerts/index';

// ---- the previous implementation (as of the commit before the rewrite)
function oldVertices(geometry: Geometry): Position[] {
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
function oldSegments(geometry: Geometry): [Position, Position][] {
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
function oldPolygons(geometry: Geometry): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}
function oldPointInRing(p: Position, ring: Position[]): boolean {
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
function oldPointInGeometry(p: Position, geometry: Geometry): boolean {
  return oldPolygons(geometry).some(
    (poly) =>
      poly[0] !== undefined &&
      oldPointInRing(p, poly[0]) &&
      !poly.slice(1).some((hole) => oldPointInRing(p, hole)),
  );
}
function oldPointSegmentDistance(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t =
    len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}
function oldSegmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const orient = (p: Position, q: Position, r: Position) =>
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}
function oldProject(geometry: Geometry, frame: LocalFrame): Geometry {
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
function oldGeometryDistanceM(a: Geometry, b: Geometry): number {
  const first = oldVertices(a)[0];
  if (first === undefined || oldVertices(b).length === 0) return Number.POSITIVE_INFINITY;
  const frame = createLocalFrame(first);
  const la = oldProject(a, frame);
  const lb = oldProject(b, frame);
  const va = oldVertices(la);
  const vb = oldVertices(lb);
  if (va.some((p) => oldPointInGeometry(p, lb)) || vb.some((p) => oldPointInGeometry(p, la)))
    return 0;
  const sa = oldSegments(la);
  const sb = oldSegments(lb);
  for (const [p, q] of sa) for (const [r, s] of sb) if (oldSegmentsCross(p, q, r, s)) return 0;
  let best = Number.POSITIVE_INFINITY;
  const pointsToSegments = (points: Position[], segs: [Position, Position][]) => {
    for (const p of points)
      for (const [r, s] of segs) best = Math.min(best, oldPointSegmentDistance(p, r, s));
  };
  pointsToSegments(va, sb);
  pointsToSegments(vb, sa);
  if (sa.length === 0 && sb.length === 0) {
    for (const p of va)
      for (const q of vb) best = Math.min(best, Math.hypot(p[0] - q[0], p[1] - q[1]));
  }
  return best;
}

function oldConvexHullRing(points: readonly Position[]): Position[] | undefined {
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

// ---- random geometries around Yuhang, some near the antimeridian, some degenerate
function randomGeometry(random: () => number, centre: Position, spanDeg: number): Geometry {
  const pt = (): Position => [
    centre[0] + (random() - 0.5) * spanDeg,
    centre[1] + (random() - 0.5) * spanDeg,
  ];
  const line = (n: number) => Array.from({ length: n }, pt);
  const ring = (n: number): Position[] => {
    // a star-shaped ring around a centre (some with a repeated vertex), closed
    const c = pt();
    const pts = Array.from({ length: n }, (_, i): Position => {
      const angle = (2 * Math.PI * i) / n;
      const r = (0.2 + random()) * spanDeg * 0.3;
      return [c[0] + r * Math.cos(angle), c[1] + r * Math.sin(angle)];
    });
    if (n > 3 && random() < 0.2) pts[1] = pts[0]!;
    return [...pts, pts[0]!];
  };
  const k = Math.floor(random() * 8);
  const n = 1 + Math.floor(random() * 9);
  switch (k) {
    case 0:
    case 1:
      return { type: 'Point', coordinates: pt() };
    case 2:
      return { type: 'MultiPoint', coordinates: line(n) };
    case 3:
      return { type: 'LineString', coordinates: line(n) };
    case 4:
      return {
        type: 'MultiLineString',
        coordinates: [line(n), line(2), line(random() < 0.2 ? 0 : 3)],
      };
    case 5:
      return { type: 'Polygon', coordinates: [ring(Math.max(3, n))] };
    case 6:
      // with a hole (the hole may fall outside: the test is about equal numbers)
      return { type: 'Polygon', coordinates: [ring(Math.max(3, n)), ring(4)] };
    default:
      return {
        type: 'MultiPolygon',
        coordinates: [[ring(Math.max(3, n))], [ring(5), ring(3)], random() < 0.1 ? [] : [ring(4)]],
      };
  }
}

describe('geometryDistanceM after its rewrite', () => {
  it('gives bit for bit the distances of the previous implementation on 20,000 random pairs', () => {
    const random = seededRandom(5);
    const places: [Position, number][] = [
      [[119.78, 30.4], 0.05],
      [[119.78, 30.4], 0.002],
      [[179.99, -16.5], 0.05], // across the antimeridian
      [[0, 0], 0.01], // coordinates around zero
    ];
    let zero = 0;
    let finite = 0;
    for (let i = 0; i < 20_000; i++) {
      const [centre, span] = places[i % places.length]!;
      const a = randomGeometry(random, centre, span);
      const b = randomGeometry(random, centre, span);
      const expected = oldGeometryDistanceM(a, b);
      const got = geometryDistanceM(a, b);
      if (!Object.is(got, expected))
        throw new Error(`pair ${i}: ${got} ≠ ${expected}\n${JSON.stringify({ a, b })}`);
      if (expected === 0) zero++;
      else if (Number.isFinite(expected)) finite++;
    }
    // both kinds of answer were exercised
    expect(zero).toBeGreaterThan(1000);
    expect(finite).toBeGreaterThan(5000);
  });

  it('answers Infinity for an empty geometry, like before', () => {
    const empty: Geometry = { type: 'MultiPoint', coordinates: [] };
    const p: Geometry = { type: 'Point', coordinates: [119.78, 30.4] };
    expect(geometryDistanceM(empty, p)).toBe(Number.POSITIVE_INFINITY);
    expect(geometryDistanceM(p, empty)).toBe(Number.POSITIVE_INFINITY);
    expect(oldGeometryDistanceM(p, empty)).toBe(Number.POSITIVE_INFINITY);
  });

  it('builds the same convex hulls, repeated and collinear points included', () => {
    const random = seededRandom(13);
    for (let i = 0; i < 5000; i++) {
      const g = randomGeometry(random, [119.78, 30.4], 0.002);
      const pts = [...vertices(g), ...vertices(g).slice(0, i % 4)];
      if (i % 7 === 0) pts.push([119.78, 30.4], [119.781, 30.4], [119.782, 30.4]);
      expect(JSON.stringify(convexHullRing(pts))).toBe(JSON.stringify(oldConvexHullRing(pts)));
    }
  });

  it('lists the same vertices and finds the same points inside', () => {
    const random = seededRandom(9);
    for (let i = 0; i < 5000; i++) {
      const g = randomGeometry(random, [119.78, 30.4], 0.05);
      expect(vertices(g)).toEqual(oldVertices(g));
      const p: Position = [119.78 + (random() - 0.5) * 0.05, 30.4 + (random() - 0.5) * 0.05];
      expect(pointInGeometry(p, g)).toBe(oldPointInGeometry(p, g));
    }
  });
});
