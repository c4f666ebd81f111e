import type { XY } from '../types/index';
import type { MultiPolygonXY, PolygonXY } from './planar-geometry';

/** One lane interval on a sweep line, metres along the sweep direction (rotated frame). */
export interface LaneInterval {
  startM: number;
  endM: number;
  /** Extent of the area inside this lane's band, which the lane's swath covers. */
  bandStartM: number;
  bandEndM: number;
  /**
   * Gaps of the band flown straight across (`bridgeGapM`: a pond, a bay), `[startM, endM]` in
   * order: the lane's camera is off over them, so lanes stay over the area.
   */
  gapsM?: [number, number][];
  /**
   * Where the lane's own line runs over the area within its band (the inside chords, in order):
   * the lane is flown only there (see {@link flownLane}); absent on lanes laid inside already.
   */
  lineM?: [
    number,
    number,
  ][]; /** The line the lane is flown on when not its sweep line's (a tip's, see `tipLine`). */
  yM?: number;
  /** Bends flown on from the lane's ends along the area's edge (see `CellLane.hooks`). */
  hooks?: { start?: XY[]; end?: XY[] };
}

interface Span {
  startM: number;
  endM: number;
}

/** One sweep line: its offset across the sweep direction and the lane intervals on it. */
export interface SweepLine {
  yM: number;
  intervals: LaneInterval[];
}

/** Parallel sweep lines over an area at one direction, in the frame rotated so lanes run along +x. */
export interface SweepLines {
  angleRad: number;
  cos: number;
  sin: number;
  spacingM: number;
  lines: SweepLine[];
}

export interface SweepLaneOptions {
  /**
   * How far a photo reaches beyond the lane end along track (half the footprint length), metres.
   * Lane ends are pulled in by this much from the band's extent: the last photo still reaches the edge.
   */
  alongReachM?: number;
  /**
   * Gaps along a line up to this long (bays, holes that are not no-fly zones) are flown across
   * instead of splitting the lane, metres. Default 0.
   */
  bridgeGapM?: number;
  /** Obstacles (no-fly zones already inflated by their margin) that lanes must not enter. */
  obstacles?: readonly PolygonXY[];
  /**
   * The polygon every lane's line must stay over (default: `area`). A part of the area (the strips
   * of a re-planned cell) is swept with the whole area here, so its lanes may run on over the rest.
   */
  within?: MultiPolygonXY;
}

/** Lanes cut by an obstacle stop this far before its (already inflated) boundary, metres. */
const OBSTACLE_CLEARANCE_M = 0.5;
/**
 * A lane may run where the area reaches within this distance of its line, metres (a line laid on
 * a straight edge parallel to the lanes keeps its lane, rounding aside).
 */
const LINE_SLACK_M = 0.05;

interface EdgeSet {
  x1: Float64Array;
  y1: Float64Array;
  x2: Float64Array;
  y2: Float64Array;
  count: number;
}

function rotatedEdges(polygons: readonly PolygonXY[], cos: number, sin: number): EdgeSet {
  let count = 0;
  for (const poly of polygons) for (const ring of poly) count += ring.length;
  const set: EdgeSet = {
    x1: new Float64Array(count),
    y1: new Float64Array(count),
    x2: new Float64Array(count),
    y2: new Float64Array(count),
    count,
  };
  let e = 0;
  for (const poly of polygons) {
    for (const ring of poly) {
      for (let i = 0; i < ring.length; i++) {
        const a = ring[i]!;
        const b = ring[(i + 1) % ring.length]!;
        set.x1[e] = a[0] * cos + a[1] * sin;
        set.y1[e] = -a[0] * sin + a[1] * cos;
        set.x2[e] = b[0] * cos + b[1] * sin;
        set.y2[e] = -b[0] * sin + b[1] * cos;
        e++;
      }
    }
  }
  return set;
}

/** Inside intervals of a horizontal line y through the edges listed in `ids` (even-odd rule). */
function chordsAt(edges: EdgeSet, ids: ArrayLike<number>, y: number, out: Span[]): void {
  const xs: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const e = ids[i]!;
    const ya = edges.y1[e]!;
    const yb = edges.y2[e]!;
    if (ya > y !== yb > y) {
      const xa = edges.x1[e]!;
      xs.push(xa + ((y - ya) * (edges.x2[e]! - xa)) / (yb - ya));
    }
  }
  xs.sort((a, b) => a - b);
  for (let i = 0; i + 1 < xs.length; i += 2) out.push({ startM: xs[i]!, endM: xs[i + 1]! });
}

/**
 * The area's extent along x within the band `[yl, yh]` (the union of its chords over the band),
 * from the edges listed in `ids`, merged intervals.
 */
function bandSpans(
  edges: EdgeSet,
  ids: ArrayLike<number>,
  yl: number,
  yh: number,
  tolM: number,
): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < ids.length; i++) {
    const e = ids[i]!;
    const ya = edges.y1[e]!;
    const yb = edges.y2[e]!;
    const xa = edges.x1[e]!;
    const xb = edges.x2[e]!;
    if (ya === yb) {
      if (ya >= yl && ya <= yh) spans.push({ startM: Math.min(xa, xb), endM: Math.max(xa, xb) });
      continue;
    }
    const t1 = Math.min(1, Math.max(0, (yl - ya) / (yb - ya)));
    const t2 = Math.min(1, Math.max(0, (yh - ya) / (yb - ya)));
    const p = xa + t1 * (xb - xa);
    const q = xa + t2 * (xb - xa);
    const ylo = Math.min(ya, yb);
    const yhi = Math.max(ya, yb);
    if (yhi < yl || ylo > yh) continue;
    spans.push({ startM: Math.min(p, q), endM: Math.max(p, q) });
  }
  chordsAt(edges, ids, yl, spans);
  chordsAt(edges, ids, yh, spans);
  return mergeIntervals(spans, tolM);
}

function mergeIntervals(intervals: Span[], tolM: number): Span[] {
  intervals.sort((a, b) => a.startM - b.startM);
  const merged: Span[] = [];
  for (const iv of intervals) {
    const last = merged[merged.length - 1];
    if (last && iv.startM <= last.endM + tolM) last.endM = Math.max(last.endM, iv.endM);
    else merged.push({ startM: iv.startM, endM: iv.endM });
  }
  return merged;
}

function subtractIntervals(pieces: LaneInterval[], cuts: Span[]): LaneInterval[] {
  let result = pieces;
  for (const cut of cuts) {
    const next: LaneInterval[] = [];
    for (const p of result) {
      if (cut.endM <= p.startM || cut.startM >= p.endM) {
        next.push(p);
        continue;
      }
      if (cut.startM > p.startM) next.push({ ...p, endM: cut.startM });
      if (cut.endM < p.endM) next.push({ ...p, startM: cut.endM });
    }
    result = next;
  }
  return result;
}

/**
 * The part of a lane that is flown (photographing): cut to where its own line runs over the area
 * (`lineM`), the gaps between those chords flown with the camera off like bridged gaps. Lanes are
 * laid and costed over their band's extent (so that their swaths reach slanted edges), and flown
 * only over the area: the neighbouring lanes' swaths cover the corners beyond. Returns null when
 * the line does not cross the area within the band (a tip between two lines).
 *
 * @example
 * flownLane({ startM: 0, endM: 100, bandStartM: 0, bandEndM: 100, lineM: [[10, 90]] }); // 10–90
 */
export function flownLane<T extends LaneInterval>(lane: T): T | null {
  const line = lane.lineM;
  if (!line) return lane;
  const first = line[0];
  const last = line[line.length - 1];
  if (!first || !last) return null;
  let startM = Math.max(lane.startM, first[0]);
  let endM = Math.min(lane.endM, last[1]);
  if (startM > endM) {
    // The reach-trimmed lane misses the chords: one photo at the chord point nearest its middle.
    const mid = (lane.startM + lane.endM) / 2;
    let best = first[0];
    for (const [a, b] of line) {
      const p = Math.min(b, Math.max(a, mid));
      if (Math.abs(p - mid) < Math.abs(best - mid)) best = p;
    }
    startM = best;
    endM = best;
  }
  const gaps: Span[] = (lane.gapsM ?? []).map(([a, b]) => ({ startM: a, endM: b }));
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]![1];
    const b = line[i]![0];
    if (a < endM && b > startM) gaps.push({ startM: a, endM: b });
  }
  const merged = mergeIntervals(gaps, 0);
  // A lane (or a trimmed one) lying wholly over a gap: one photo at the nearer side of the gap.
  for (const g of merged) {
    if (g.startM <= startM && g.endM >= endM) {
      const side = startM + endM < g.startM + g.endM ? g.startM : g.endM;
      startM = side;
      endM = side;
    }
  }
  const out: T = { ...lane, startM, endM };
  delete out.lineM;
  delete out.gapsM;
  const inside = merged.filter((g) => g.endM > startM && g.startM < endM);
  if (inside.length > 0) out.gapsM = inside.map((g) => [g.startM, g.endM]);
  return out;
}

/**
 * Parallel lanes over `area` in direction `angleRad` (radians from +x, counter-clockwise), spaced
 * `spacingM` apart and centred on the area's extent across the sweep, so that the bands
 * `[y − spacing/2, y + spacing/2]` of the lines cover the whole area. On each line, a lane spans
 * the band's extent of the area (so a swath as wide as the spacing covers the band), pulled in at
 * each end by `alongReachM` (the photo there still reaches the edge); obstacles are cut out. That
 * laid lane is what the objectives cost; each lane also carries the chords of its own line over
 * the area (`lineM`, over `within` when given), and is flown only there ({@link flownLane}).
 *
 * @example
 * const s = sweepLanes([[[[0, 0], [100, 0], [100, 40], [0, 40]]]], 0, 20);
 * s.lines.map((l) => l.yM); // [10, 30]
 */
export function sweepLanes(
  area: MultiPolygonXY,
  angleRad: number,
  spacingM: number,
  options: SweepLaneOptions = {},
): SweepLines {
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const reach = options.alongReachM ?? 0;
  const edges = rotatedEdges(area, cos, sin);
  const result: SweepLines = { angleRad, cos, sin, spacingM, lines: [] };
  if (edges.count === 0) return result;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let e = 0; e < edges.count; e++) {
    ymin = Math.min(ymin, edges.y1[e]!);
    ymax = Math.max(ymax, edges.y1[e]!);
  }
  const w = spacingM;
  const width = ymax - ymin;
  const n = Math.max(1, Math.ceil(width / w - 1e-9));
  const y0 = ymin + (width - (n - 1) * w) / 2;
  const buckets: number[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < edges.count; e++) {
    const lo = Math.min(edges.y1[e]!, edges.y2[e]!);
    const hi = Math.max(edges.y1[e]!, edges.y2[e]!);
    const kmin = Math.max(0, Math.ceil((lo - y0 - w / 2) / w - 1e-12));
    const kmax = Math.min(n - 1, Math.floor((hi - y0 + w / 2) / w + 1e-12));
    for (let k = kmin; k <= kmax; k++) buckets[k]!.push(e);
  }
  const obstacleEdges =
    options.obstacles && options.obstacles.length > 0
      ? rotatedEdges(options.obstacles, cos, sin)
      : null;
  const obstacleIds = obstacleEdges ? Array.from({ length: obstacleEdges.count }, (_, i) => i) : [];
  const tolM = 1e-7 * Math.max(1, w);
  const withinEdges = options.within ? rotatedEdges(options.within, cos, sin) : null;
  const withinIds = withinEdges ? Array.from({ length: withinEdges.count }, (_, i) => i) : [];
  for (let k = 0; k < n; k++) {
    const yk = y0 + k * w;
    const yl = Math.max(ymin, yk - w / 2);
    const yh = Math.min(ymax, yk + w / 2);
    const ids = buckets[k]!;
    const fine = bandSpans(edges, ids, yl, yh, tolM);
    const bridgeM = options.bridgeGapM ?? 0;
    const bands = bridgeM > tolM ? mergeIntervals([...fine], bridgeM) : fine;
    let lanes: LaneInterval[] = [];
    for (const band of bands) {
      let start = band.startM + reach;
      let end = band.endM - reach;
      if (start > end) {
        start = (band.startM + band.endM) / 2;
        end = start;
      }
      const lane: LaneInterval = {
        startM: start,
        endM: end,
        bandStartM: band.startM,
        bandEndM: band.endM,
      };
      if (bands !== fine) {
        const gapsM: [number, number][] = [];
        for (let i = 1; i < fine.length; i++) {
          const a = fine[i - 1]!.endM;
          const b = fine[i]!.startM;
          if (a >= band.startM && b <= band.endM) gapsM.push([a, b]);
        }
        if (gapsM.length > 0) lane.gapsM = gapsM;
      }
      lanes.push(lane);
    }
    const centre = withinEdges
      ? bandSpans(withinEdges, withinIds, yk - LINE_SLACK_M, yk + LINE_SLACK_M, tolM)
      : bandSpans(edges, ids, yk - LINE_SLACK_M, yk + LINE_SLACK_M, tolM);
    for (const lane of lanes)
      lane.lineM = centre
        .filter((c) => c.endM >= lane.bandStartM && c.startM <= lane.bandEndM)
        .map((c) => [c.startM, c.endM]);
    if (obstacleEdges) {
      const cuts: Span[] = [];
      chordsAt(obstacleEdges, obstacleIds, yk, cuts);
      if (cuts.length > 0) {
        const merged = mergeIntervals(cuts, tolM).map((c) => ({
          startM: c.startM - OBSTACLE_CLEARANCE_M,
          endM: c.endM + OBSTACLE_CLEARANCE_M,
        }));
        lanes = subtractIntervals(lanes, merged);
      }
    }
    result.lines.push({ yM: yk, intervals: lanes });
  }
  return result;
}
