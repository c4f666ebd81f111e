import Flatbush from 'flatbush';
import { orient2d } from 'robust-predicates';
import type { LonLat } from './convert-gcj02';

/** Where two segments meet: a proper crossing, or a collinear overlap of positive length. */
export interface SegmentCrossing {
  kind: 'cross' | 'overlap';
  /** The earlier segment: ring number (in the order given) and index of its first position. */
  a: { ring: number; segment: number };
  /** The later segment. */
  b: { ring: number; segment: number };
  /** `[lon, lat]` of the crossing (for an overlap, where the overlap starts). */
  point: [number, number];
}

export interface SegmentRingInput {
  /** Closed ring positions (first equals last), `[lon, lat]` degrees. */
  positions: readonly LonLat[];
  /** Rings of the same polygon share a number; crossings between polygons are told apart. */
  polygon: number;
}

/**
 * Candidate pairs examined per segment on average before giving up (see `crossings`). The real
 * forest fixtures need 1.0–1.7; a budget of 32 leaves room for jagged shapes while bounding a
 * hostile ring of 200,000 long overlapping segments to about 6.4 million tests.
 */
export const CROSSING_WORK_PER_SEGMENT = 32;
const CROSSING_WORK_FLOOR = 1_000_000;

interface Hit {
  kind: 'cross' | 'overlap';
  point: [number, number];
}

/**
 * Exact orientation (Shewchuk's adaptive predicate): positive when c lies left of a→b, zero only
 * when the three points are exactly collinear. robust-predicates 3 returns the opposite sign.
 */
const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  -orient2d(ax, ay, bx, by, cx, cy);

/**
 * A static R-tree (flatbush) over the non-degenerate segments of a set of closed rings, with
 * planar tests in lon/lat degrees (valid once antimeridian crossings are refused). Finding
 * crossings costs O(n log n + k) for k candidate pairs whose bounding boxes touch, where the
 * all-pairs test of `@turf/kinks` costs O(n²).
 *
 * @example
 * const index = new SegmentIndex([{ positions: shell, polygon: 0 }, { positions: hole, polygon: 0 }]);
 * const { crossings } = index.crossings(10);
 * index.locate(1, 0, -1.5, 0.5); // 'inside' | 'outside' | 'boundary'
 */
export class SegmentIndex {
  /** x1, y1, x2, y2 of each segment. */
  private readonly ends: Float64Array;
  /** Ring number of each segment. */
  private readonly ringOf: Int32Array;
  /** Index in the original ring of the segment's first position (duplicates skipped). */
  private readonly startOf: Int32Array;
  /** Segment number within the de-duplicated ring, and each ring's de-duplicated segment count. */
  private readonly dedupOf: Int32Array;
  private readonly ringSegments: Int32Array;
  private readonly ringFirst: Int32Array;
  private readonly polygonOf: Int32Array;
  private readonly tree: Flatbush | undefined;
  private readonly ringTrees = new Map<number, Flatbush>();
  readonly segmentCount: number;

  constructor(rings: readonly SegmentRingInput[]) {
    let total = 0;
    for (const ring of rings) total += Math.max(0, ring.positions.length - 1);
    const ends = new Float64Array(total * 4);
    const ringOf = new Int32Array(total);
    const startOf = new Int32Array(total);
    const dedupOf = new Int32Array(total);
    this.ringSegments = new Int32Array(rings.length);
    this.ringFirst = new Int32Array(rings.length);
    this.polygonOf = new Int32Array(rings.length);
    let n = 0;
    for (const [r, ring] of rings.entries()) {
      this.polygonOf[r] = ring.polygon;
      this.ringFirst[r] = n;
      const ps = ring.positions;
      let k = 0;
      for (let i = 0; i + 1 < ps.length; i++) {
        const p = ps[i]!;
        const q = ps[i + 1]!;
        if (p[0] === q[0] && p[1] === q[1]) continue;
        ends[n * 4] = p[0];
        ends[n * 4 + 1] = p[1];
        ends[n * 4 + 2] = q[0];
        ends[n * 4 + 3] = q[1];
        ringOf[n] = r;
        startOf[n] = i;
        dedupOf[n] = k++;
        n++;
      }
      this.ringSegments[r] = k;
    }
    this.segmentCount = n;
    this.ends = ends;
    this.ringOf = ringOf;
    this.startOf = startOf;
    this.dedupOf = dedupOf;
    if (n > 0) {
      const tree = new Flatbush(n);
      for (let s = 0; s < n; s++) {
        const x1 = ends[s * 4]!;
        const y1 = ends[s * 4 + 1]!;
        const x2 = ends[s * 4 + 2]!;
        const y2 = ends[s * 4 + 3]!;
        tree.add(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
      }
      tree.finish();
      this.tree = tree;
    }
  }

  /**
   * Finds, for each ring and each pair of rings, the first crossing (lowest segment of the earlier
   * ring, then lowest segment of the later one). Touching at a point is allowed (OGC allows a hole
   * to touch its shell at a vertex); proper crossings and collinear overlaps are reported.
   * Stops after `limit` crossings, or with `tooComplex` once the candidate pairs examined pass
   * {@link CROSSING_WORK_PER_SEGMENT} per segment (a hostile input of long overlapping segments).
   */
  crossings(limit: number): { crossings: SegmentCrossing[]; tooComplex: boolean } {
    const found: SegmentCrossing[] = [];
    const tree = this.tree;
    if (!tree || limit <= 0) return { crossings: found, tooComplex: false };
    const e = this.ends;
    const reported = new Set<number>();
    const ringCount = this.ringSegments.length;
    const budget = Math.max(CROSSING_WORK_FLOOR, this.segmentCount * CROSSING_WORK_PER_SEGMENT);
    let work = 0;
    for (let s = 0; s < this.segmentCount; s++) {
      const rs = this.ringOf[s]!;
      const x1 = e[s * 4]!;
      const y1 = e[s * 4 + 1]!;
      const x2 = e[s * 4 + 2]!;
      const y2 = e[s * 4 + 3]!;
      const candidates = tree.search(
        Math.min(x1, x2),
        Math.min(y1, y2),
        Math.max(x1, x2),
        Math.max(y1, y2),
        (t) => t > s,
      );
      work += candidates.length;
      if (work > budget) return { crossings: found, tooComplex: true };
      // The first crossing of a ring pair is its lowest later segment: keep the lowest hit per
      // pair for this segment (search results come in tree order, not index order).
      let best: Map<number, { t: number; hit: Hit }> | undefined;
      for (const t of candidates) {
        const rt = this.ringOf[t]!;
        const pair = rs * ringCount + rt;
        if (reported.has(pair)) continue;
        const known = best?.get(pair);
        if (known && known.t < t) continue;
        const hit = this.intersect(s, t, rs === rt && this.adjacent(s, t));
        if (hit) (best ??= new Map()).set(pair, { t, hit });
      }
      if (!best) continue;
      for (const [pair, { t, hit }] of [...best].sort((x, y) => x[1].t - y[1].t)) {
        reported.add(pair);
        found.push({
          kind: hit.kind,
          a: { ring: rs, segment: this.startOf[s]! },
          b: { ring: this.ringOf[t]!, segment: this.startOf[t]! },
          point: hit.point,
        });
        if (found.length >= limit) return { crossings: found, tooComplex: false };
      }
    }
    return { crossings: found, tooComplex: false };
  }

  /**
   * Locates a point against one ring by casting a ray towards +x through the index.
   *
   * @returns 'boundary' when the point lies on the ring, else 'inside' or 'outside'.
   */
  locate(ring: number, x: number, y: number): 'inside' | 'outside' | 'boundary' {
    const tree = this.ringTree(ring);
    if (!tree) return 'outside';
    const e = this.ends;
    const first = this.ringFirst[ring]!;
    let inside = false;
    const candidates = tree.search(x, y, Number.POSITIVE_INFINITY, y);
    for (const local of candidates) {
      const s = first + local;
      const x1 = e[s * 4]!;
      const y1 = e[s * 4 + 1]!;
      const x2 = e[s * 4 + 2]!;
      const y2 = e[s * 4 + 3]!;
      if (
        orient(x1, y1, x2, y2, x, y) === 0 &&
        x >= Math.min(x1, x2) &&
        x <= Math.max(x1, x2) &&
        y >= Math.min(y1, y2) &&
        y <= Math.max(y1, y2)
      ) {
        return 'boundary';
      }
      // Half-open rule: count edges whose y-span contains y with one end strictly above.
      if (y1 > y !== y2 > y) {
        const xCross = x1 + ((y - y1) * (x2 - x1)) / (y2 - y1);
        if (xCross > x) inside = !inside;
      }
    }
    return inside ? 'inside' : 'outside';
  }

  /**
   * An R-tree of one ring's segments, built on first use. Point location queries the ring alone,
   * so a polygon with thousands of holes in a row cannot make each query wade through the others.
   */
  private ringTree(ring: number): Flatbush | undefined {
    const count = this.ringSegments[ring] ?? 0;
    if (count === 0) return undefined;
    let tree = this.ringTrees.get(ring);
    if (!tree) {
      tree = new Flatbush(count);
      const e = this.ends;
      const first = this.ringFirst[ring]!;
      for (let s = first; s < first + count; s++) {
        const x1 = e[s * 4]!;
        const y1 = e[s * 4 + 1]!;
        const x2 = e[s * 4 + 2]!;
        const y2 = e[s * 4 + 3]!;
        tree.add(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
      }
      tree.finish();
      this.ringTrees.set(ring, tree);
    }
    return tree;
  }

  /** Whether the segment count of a ring after dropping repeated positions is enough for a ring. */
  distinctSegments(ring: number): number {
    return this.ringSegments[ring] ?? 0;
  }

  /** Polygon number of a ring, as given to the constructor. */
  polygon(ring: number): number {
    return this.polygonOf[ring] ?? -1;
  }

  private adjacent(s: number, t: number): boolean {
    const ds = this.dedupOf[s]!;
    const dt = this.dedupOf[t]!;
    const count = this.ringSegments[this.ringOf[s]!]!;
    return dt - ds === 1 || (ds === 0 && dt === count - 1);
  }

  private intersect(s: number, t: number, adjacent: boolean): Hit | undefined {
    const e = this.ends;
    const px = e[s * 4]!;
    const py = e[s * 4 + 1]!;
    const qx = e[s * 4 + 2]!;
    const qy = e[s * 4 + 3]!;
    const ux = e[t * 4]!;
    const uy = e[t * 4 + 1]!;
    const vx = e[t * 4 + 2]!;
    const vy = e[t * 4 + 3]!;
    const d1 = orient(ux, uy, vx, vy, px, py);
    const d2 = orient(ux, uy, vx, vy, qx, qy);
    const d3 = orient(px, py, qx, qy, ux, uy);
    const d4 = orient(px, py, qx, qy, vx, vy);
    if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
      // Collinear: an overlap of positive length is an intersection, sharing one end is not.
      const alongX = Math.abs(qx - px) >= Math.abs(qy - py);
      const a0 = alongX ? Math.min(px, qx) : Math.min(py, qy);
      const a1 = alongX ? Math.max(px, qx) : Math.max(py, qy);
      const b0 = alongX ? Math.min(ux, vx) : Math.min(uy, vy);
      const b1 = alongX ? Math.max(ux, vx) : Math.max(uy, vy);
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (hi <= lo) return undefined;
      const start: [number, number] = alongX
        ? [lo, py + ((lo - px) * (qy - py)) / (qx - px)]
        : [px + ((lo - py) * (qx - px)) / (qy - py), lo];
      return { kind: 'overlap', point: start };
    }
    if (adjacent) return undefined;
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
      const f = d1 / (d1 - d2);
      return { kind: 'cross', point: [px + f * (qx - px), py + f * (qy - py)] };
    }
    // Touches at a vertex (snapping editors make them) are crossings only when the other ring
    // passes from one side to the other there. Each vertex starts exactly one segment, so looking
    // at the start vertices of s and t covers every touch once.
    if (d3 === 0 && strictlyBetween(px, py, qx, qy, ux, uy)) {
      const [wx, wy] = this.previousStart(t);
      const side = orient(px, py, qx, qy, wx, wy) * orient(px, py, qx, qy, vx, vy);
      if (side < 0) return { kind: 'cross', point: [ux, uy] };
    }
    if (d1 === 0 && strictlyBetween(ux, uy, vx, vy, px, py)) {
      const [wx, wy] = this.previousStart(s);
      const side = orient(ux, uy, vx, vy, wx, wy) * orient(ux, uy, vx, vy, qx, qy);
      if (side < 0) return { kind: 'cross', point: [px, py] };
    }
    if (px === ux && py === uy) {
      const [ax, ay] = this.previousStart(s);
      const [bx, by] = this.previousStart(t);
      if (separates(px, py, ax, ay, qx, qy, bx, by, vx, vy)) {
        return { kind: 'cross', point: [px, py] };
      }
    }
    return undefined;
  }

  /** Start of the segment before `s` in its ring (rings are closed, so segment 0 follows the last). */
  private previousStart(s: number): [number, number] {
    const ring = this.ringOf[s]!;
    const count = this.ringSegments[ring]!;
    const g = this.ringFirst[ring]! + ((this.dedupOf[s]! + count - 1) % count);
    return [this.ends[g * 4]!, this.ends[g * 4 + 1]!];
  }
}

/** Whether c, known to be on the line through a and b, lies strictly between them. */
function strictlyBetween(ax: number, ay: number, bx: number, by: number, cx: number, cy: number) {
  const alongX = Math.abs(bx - ax) >= Math.abs(by - ay);
  const [lo, hi, c] = alongX
    ? [Math.min(ax, bx), Math.max(ax, bx), cx]
    : [Math.min(ay, by), Math.max(ay, by), cy];
  return c > lo && c < hi;
}

/**
 * Two paths meet at vertex x: one arrives from a and leaves to q, the other arrives from b and
 * leaves to v. They cross iff b and v lie strictly on different sides of the a–x–q corner.
 */
function separates(
  xx: number,
  xy: number,
  ax: number,
  ay: number,
  qx: number,
  qy: number,
  bx: number,
  by: number,
  vx: number,
  vy: number,
): boolean {
  const base = Math.atan2(ay - xy, ax - xx);
  const sweep = (x: number, y: number): number => {
    const turn = Math.atan2(y - xy, x - xx) - base;
    return turn < 0 ? turn + 2 * Math.PI : turn;
  };
  const corner = sweep(qx, qy);
  const b = sweep(bx, by);
  const v = sweep(vx, vy);
  // On an edge of the corner: the paths share an edge there, which the overlap test reports.
  if (b === 0 || v === 0 || b === corner || v === corner) return false;
  return b < corner !== v < corner;
}
