/**
 * The few planar geometry operations the alert rules need, done in a local metric frame:
 * distances between GeoJSON geometries, convex hulls, areas and centroids.
 */
import { createLocalFrame, metresPerDegree, type LocalFrame, type LonLat } from './local-frame';

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
    case 'Polygon': {
      // loops, not Array#flat: this runs for every fusion test and severity check
      const out: Position[] = [];
      for (const line of geometry.coordinates) for (const p of line) out.push(p);
      return out;
    }
    case 'MultiPolygon': {
      const out: Position[] = [];
      for (const poly of geometry.coordinates)
        for (const ring of poly) for (const p of ring) out.push(p);
      return out;
    }
  }
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
  for (const poly of polygons(geometry)) {
    if (poly[0] === undefined || !pointInRing(p, poly[0])) continue;
    let inHole = false;
    for (let h = 1; h < poly.length && !inHole; h++) inHole = pointInRing(p, poly[h]!);
    if (!inHole) return true;
  }
  return false;
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
 * A geometry projected into a local frame, flat: vertex coordinates in `vertices` order, its
 * lines and rings as vertex ranges, its polygons as ring ranges. Reused between calls (the
 * distance below runs for every fusion candidate, asset and jurisdiction of every detection).
 */
class FlatGeometry {
  x = new Float64Array(64);
  y = new Float64Array(64);
  vertexCount = 0;
  /** Lines and rings: vertices [lineStart[k], lineEnd[k]). */
  lineStart: number[] = [];
  lineEnd: number[] = [];
  lineCount = 0;
  /** Polygons: rings (lines) [polyStart[k], polyEnd[k]), the outer ring first. */
  polyStart: number[] = [];
  polyEnd: number[] = [];
  polyCount = 0;

  private ox = 0;
  private oy = 0;
  private kx = 0;
  private ky = 0;

  /** Projects `geometry` as `createLocalFrame(origin).toLocal` would, with the same arithmetic. */
  load(geometry: Geometry, origin: Position, mPerDegLon: number, mPerDegLat: number): void {
    this.vertexCount = 0;
    this.lineCount = 0;
    this.polyCount = 0;
    this.ox = origin[0];
    this.oy = origin[1];
    this.kx = mPerDegLon;
    this.ky = mPerDegLat;
    switch (geometry.type) {
      case 'Point':
        this.push(geometry.coordinates);
        return;
      case 'MultiPoint':
        for (const p of geometry.coordinates) this.push(p);
        return;
      case 'LineString':
        this.line(geometry.coordinates);
        return;
      case 'MultiLineString':
        for (const l of geometry.coordinates) this.line(l);
        return;
      case 'Polygon':
        this.polygon(geometry.coordinates);
        return;
      case 'MultiPolygon':
        for (const poly of geometry.coordinates) this.polygon(poly);
        return;
    }
  }

  private push(p: Position): void {
    if (this.vertexCount === this.x.length) {
      const x = new Float64Array(this.x.length * 2);
      const y = new Float64Array(this.x.length * 2);
      x.set(this.x);
      y.set(this.y);
      this.x = x;
      this.y = y;
    }
    let dLon = p[0] - this.ox;
    if (dLon > 180) dLon -= 360;
    if (dLon < -180) dLon += 360;
    this.x[this.vertexCount] = dLon * this.kx;
    this.y[this.vertexCount] = (p[1] - this.oy) * this.ky;
    this.vertexCount++;
  }

  private line(coords: Position[]): void {
    const k = this.lineCount++;
    this.lineStart[k] = this.vertexCount;
    for (const p of coords) this.push(p);
    this.lineEnd[k] = this.vertexCount;
  }

  private polygon(rings: Position[][]): void {
    const k = this.polyCount++;
    this.polyStart[k] = this.lineCount;
    for (const r of rings) this.line(r);
    this.polyEnd[k] = this.lineCount;
  }

  /** {@link pointInRing} over ring `k`. */
  private inRing(px: number, py: number, k: number): boolean {
    const x = this.x;
    const y = this.y;
    const start = this.lineStart[k]!;
    const end = this.lineEnd[k]!;
    let inside = false;
    for (let i = start, j = end - 1; i < end; j = i++) {
      const ax = x[i]!;
      const ay = y[i]!;
      const bx = x[j]!;
      const by = y[j]!;
      if (ay > py !== by > py && px < ((bx - ax) * (py - ay)) / (by - ay) + ax) inside = !inside;
    }
    return inside;
  }

  /** {@link pointInGeometry} over the polygons. */
  contains(px: number, py: number): boolean {
    for (let k = 0; k < this.polyCount; k++) {
      const first = this.polyStart[k]!;
      const end = this.polyEnd[k]!;
      if (first === end || !this.inRing(px, py, first)) continue;
      let inHole = false;
      for (let h = first + 1; h < end && !inHole; h++) inHole = this.inRing(px, py, h);
      if (!inHole) return true;
    }
    return false;
  }

  /** Whether it has any segment (a line or ring of two vertices or more). */
  hasSegments(): boolean {
    for (let k = 0; k < this.lineCount; k++)
      if (this.lineEnd[k]! - this.lineStart[k]! >= 2) return true;
    return false;
  }
}

const flatA = new FlatGeometry();
const flatB = new FlatGeometry();

function orient(px: number, py: number, qx: number, qy: number, rx: number, ry: number): number {
  return (qx - px) * (ry - py) - (qy - py) * (rx - px);
}

/** Whether segment a–b properly crosses segment c–d. */
function segmentsCross(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const d1 = orient(cx, cy, dx, dy, ax, ay);
  const d2 = orient(cx, cy, dx, dy, bx, by);
  const d3 = orient(ax, ay, bx, by, cx, cy);
  const d4 = orient(ax, ay, bx, by, dx, dy);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

function pointSegmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function anyCrossing(a: FlatGeometry, b: FlatGeometry): boolean {
  for (let ka = 0; ka < a.lineCount; ka++) {
    const aEnd = a.lineEnd[ka]!;
    for (let i = a.lineStart[ka]! + 1; i < aEnd; i++) {
      const px = a.x[i - 1]!;
      const py = a.y[i - 1]!;
      const qx = a.x[i]!;
      const qy = a.y[i]!;
      for (let kb = 0; kb < b.lineCount; kb++) {
        const bEnd = b.lineEnd[kb]!;
        for (let j = b.lineStart[kb]! + 1; j < bEnd; j++)
          if (segmentsCross(px, py, qx, qy, b.x[j - 1]!, b.y[j - 1]!, b.x[j]!, b.y[j]!))
            return true;
      }
    }
  }
  return false;
}

/** The least distance from a vertex of `points` to a segment of `lines`, or `best`. */
function verticesToSegments(points: FlatGeometry, lines: FlatGeometry, best: number): number {
  for (let v = 0; v < points.vertexCount; v++) {
    const px = points.x[v]!;
    const py = points.y[v]!;
    for (let k = 0; k < lines.lineCount; k++) {
      const end = lines.lineEnd[k]!;
      for (let j = lines.lineStart[k]! + 1; j < end; j++)
        best = Math.min(
          best,
          pointSegmentDistance(px, py, lines.x[j - 1]!, lines.y[j - 1]!, lines.x[j]!, lines.y[j]!),
        );
    }
  }
  return best;
}

function firstVertex(geometry: Geometry): Position | undefined {
  switch (geometry.type) {
    case 'Point':
      return geometry.coordinates;
    case 'MultiPoint':
    case 'LineString':
      return geometry.coordinates[0];
    case 'MultiLineString':
    case 'Polygon':
      for (const line of geometry.coordinates) if (line.length > 0) return line[0];
      return undefined;
    case 'MultiPolygon':
      for (const poly of geometry.coordinates)
        for (const ring of poly) if (ring.length > 0) return ring[0];
      return undefined;
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
  const first = firstVertex(a);
  if (first === undefined || firstVertex(b) === undefined) return Number.POSITIVE_INFINITY;
  // both in the local frame at a's first vertex, projected into reused flat buffers
  const { mPerDegLon, mPerDegLat } = metresPerDegree(first[1]);
  const origin: Position = [first[0], first[1]];
  const la = flatA;
  const lb = flatB;
  la.load(a, origin, mPerDegLon, mPerDegLat);
  lb.load(b, origin, mPerDegLon, mPerDegLat);
  if (lb.polyCount > 0)
    for (let v = 0; v < la.vertexCount; v++) if (lb.contains(la.x[v]!, la.y[v]!)) return 0;
  if (la.polyCount > 0)
    for (let v = 0; v < lb.vertexCount; v++) if (la.contains(lb.x[v]!, lb.y[v]!)) return 0;
  if (anyCrossing(la, lb)) return 0;
  let best = Number.POSITIVE_INFINITY;
  best = verticesToSegments(la, lb, best);
  best = verticesToSegments(lb, la, best);
  if (!la.hasSegments() && !lb.hasSegments()) {
    for (let i = 0; i < la.vertexCount; i++)
      for (let j = 0; j < lb.vertexCount; j++)
        best = Math.min(best, Math.hypot(la.x[i]! - lb.x[j]!, la.y[i]! - lb.y[j]!));
  }
  return best;
}

const byLonLat = (a: Position, b: Position) => a[0] - b[0] || a[1] - b[1];
const cross = (o: Position, a: Position, b: Position) =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/**
 * Convex hull of `[lon, lat]` points (Andrew's monotone chain in a local frame). Returns a
 * closed ring, or `undefined` when the points are fewer than three or collinear.
 *
 * @example
 * convexHullRing([[0, 0], [0.001, 0], [0, 0.001], [0.0002, 0.0002]]); // 4-position closed ring
 */
export function convexHullRing(points: readonly Position[]): Position[] | undefined {
  // sorted, then equal positions dropped (as if keyed by their text, without making the text)
  const all = [...points].sort(byLonLat);
  const sorted: Position[] = [];
  for (const p of all) {
    const last = sorted[sorted.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) sorted[sorted.length - 1] = p;
    else sorted.push(p);
  }
  if (sorted.length < 3) return undefined;
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
