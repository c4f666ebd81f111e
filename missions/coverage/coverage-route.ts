import type { XY } from '../types/index';
import type { CellLane } from './boustrophedon-cells';
import { orderCells, type CellEnds, type CellVisit, type OrderOptions } from './cell-order';
import type { ObstacleRouter } from './obstacle-router';
import { rotateFromSweep, type MultiPolygonXY } from './planar-geometry';
import type { SweepLines } from './sweep-lanes';

/** A lane in the local frame, in flight direction. */
export interface LaneXY {
  from: XY;
  to: XY;
  /** Unit vector of the flight direction. */
  dir: XY;
  /** Flown straight on from the previous lane (same line, across a gap), without a turn. */
  joined?: boolean;
  /** A bend flown (photographing) before `from`, in flight order, `from` excluded (see `hookLanes`). */
  before?: XY[];
  /** A bend flown (photographing) after `to`, in flight order, `to` excluded. */
  after?: XY[];
}

/** Where a lane (with its bends) is entered, and its course there. */
export function laneEntry(lane: LaneXY): { at: XY; dir: XY } {
  const b = lane.before;
  if (!b || b.length === 0) return { at: lane.from, dir: lane.dir };
  return { at: b[0]!, dir: unit(b[0]!, b[1] ?? lane.from, lane.dir) };
}

/** Where a lane (with its bends) is left, and its course there. */
export function laneExit(lane: LaneXY): { at: XY; dir: XY } {
  const a = lane.after;
  if (!a || a.length === 0) return { at: lane.to, dir: lane.dir };
  const last = a[a.length - 1]!;
  return { at: last, dir: unit(a[a.length - 2] ?? lane.to, last, lane.dir) };
}

/** Every point a lane flies through, bends included, in flight order. */
export function lanePoints(lane: LaneXY): XY[] {
  return [...(lane.before ?? []), lane.from, lane.to, ...(lane.after ?? [])];
}

function unit(a: XY, b: XY, fallback: XY): XY {
  const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
  return d > 1e-9 ? [(b[0] - a[0]) / d, (b[1] - a[1]) / d] : fallback;
}

/**
 * A run of lanes flown as one piece (a boustrophedon cell, or a whole part flown scanline by
 * scanline): its two base ways (lanes in flight order), each of which may also be flown backwards.
 */
export interface PlannedCell {
  part: number;
  angleRad: number;
  /** The region a re-planned cell covers (lane-wide strips, even-odd), or null. */
  region: MultiPolygonXY | null;
  paths: [LaneXY[], LaneXY[]];
}

/** One step of the flown route: a lane (with its geometry) or a transit polyline. */
export type RouteStep =
  { kind: 'lane'; points: XY[]; lane: LaneXY; cell: number } | { kind: 'transit'; points: XY[] };

/** The flown route over planned cells, in the local frame. */
export interface CellRoute {
  steps: RouteStep[];
  visits: CellVisit[];
  laneLengthM: number;
  transitLengthM: number;
  /** Turns in 90° units (see {@link countTurns}). */
  turns: number;
}

const dist = (a: XY, b: XY): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * The pieces of a lane interval outside its bridged gaps, in flight order: `[fromM, toM]` along x.
 * A lane of zero length (one photo) is one piece.
 */
function lanePieces(
  startM: number,
  endM: number,
  gapsM: readonly [number, number][] | undefined,
  right: boolean,
): [number, number][] {
  const out: [number, number][] = [];
  let at = startM;
  for (const [a, b] of gapsM ?? []) {
    if (b <= at || a >= endM) continue;
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (endM > at || out.length === 0) out.push([Math.min(at, endM), endM]);
  return right ? out : out.reverse().map(([a, b]) => [b, a]);
}

function pushPieces(
  out: LaneXY[],
  pieces: readonly [number, number][],
  yM: number,
  cos: number,
  sin: number,
  joinFirst: boolean,
  hooks: CellLane['hooks'],
  right: boolean,
): void {
  const local = (hook: XY[] | undefined): XY[] | undefined =>
    hook && hook.length > 1 ? hook.slice(1).map((p) => rotateFromSweep(p, cos, sin)) : undefined;
  // Flown towards +x, the start's bend leads in and the end's leads out; towards −x, the reverse.
  const into = local(right ? hooks?.start : hooks?.end)?.reverse();
  const outOf = local(right ? hooks?.end : hooks?.start);
  for (const [k, [a, b]] of pieces.entries()) {
    const from = rotateFromSweep([a, yM], cos, sin);
    const to = rotateFromSweep([b, yM], cos, sin);
    const dir: XY = b >= a ? [cos, sin] : [-cos, -sin];
    const lane: LaneXY = k > 0 || joinFirst ? { from, to, dir, joined: true } : { from, to, dir };
    if (k === 0 && into) lane.before = into;
    if (k === pieces.length - 1 && outOf) lane.after = outOf;
    out.push(lane);
  }
}

/** Boustrophedon lanes of one cell in the local frame: alternate directions, first towards +x or −x. */
export function cellLanesXY(
  lanes: readonly CellLane[],
  angleRad: number,
  startRight: boolean,
): LaneXY[] {
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const out: LaneXY[] = [];
  let right = startRight;
  for (const lane of lanes) {
    pushPieces(
      out,
      lanePieces(lane.startM, lane.endM, lane.gapsM, right),
      lane.yM,
      cos,
      sin,
      false,
      lane.hooks,
      right,
    );
    right = !right;
  }
  return out;
}

/**
 * The lanes of a scanline sweep in flight order: line after line, alternating, every interval of a
 * line flown in turn in the line's direction (the gaps between them are crossed straight, or
 * around no-fly zones by the router).
 */
export function scanlineLanesXY(sweep: SweepLines, startRight: boolean): LaneXY[] {
  const { cos, sin } = sweep;
  const out: LaneXY[] = [];
  let right = startRight;
  for (const line of sweep.lines) {
    if (line.intervals.length === 0) continue;
    const ivs = right ? line.intervals : [...line.intervals].reverse();
    for (const [k, iv] of ivs.entries())
      pushPieces(
        out,
        lanePieces(iv.startM, iv.endM, iv.gapsM, right),
        iv.yM ?? line.yM,
        cos,
        sin,
        k > 0,
        iv.hooks,
        right,
      );
    right = !right;
  }
  return out;
}

function reversedLanes(lanes: readonly LaneXY[]): LaneXY[] {
  const n = lanes.length;
  return lanes.map((_, j) => {
    const l = lanes[n - 1 - j]!;
    const lane: LaneXY = { from: l.to, to: l.from, dir: [-l.dir[0], -l.dir[1]] };
    if (l.after) lane.before = [...l.after].reverse();
    if (l.before) lane.after = [...l.before].reverse();
    // The pair (n − 1 − j, n − j) was joined when lane n − j was.
    if (j > 0 && lanes[n - j]!.joined) lane.joined = true;
    return lane;
  });
}

/** Lane end → overshoot → (around obstacles) → run-up → next lane start. */
export function connection(
  prev: LaneXY,
  next: LaneXY,
  turnaroundM: number,
  router: ObstacleRouter,
): XY[] {
  const exit = laneExit(prev);
  const entry = laneEntry(next);
  let out: XY = exit.at;
  let into: XY = entry.at;
  if (turnaroundM > 0) {
    const ext1: XY = [
      exit.at[0] + exit.dir[0] * turnaroundM,
      exit.at[1] + exit.dir[1] * turnaroundM,
    ];
    const ext2: XY = [
      entry.at[0] - entry.dir[0] * turnaroundM,
      entry.at[1] - entry.dir[1] * turnaroundM,
    ];
    if (!router.blocked(exit.at, ext1)) out = ext1;
    if (!router.blocked(ext2, entry.at)) into = ext2;
  }
  const middle = router.route(out, into);
  const points: XY[] = [exit.at, ...middle, entry.at];
  return points.filter(
    (p, i) => i === 0 || p[0] !== points[i - 1]![0] || p[1] !== points[i - 1]![1],
  );
}

/**
 * Orders the cells (see {@link orderCells}) and lays out the flown route: lanes, the connections
 * inside each cell (overshoot and turn) and the transits between cells, both around obstacles.
 */
export function routeCells(
  cells: readonly PlannedCell[],
  start: XY | null,
  router: ObstacleRouter,
  turnaroundM: number,
  order: OrderOptions = {},
): CellRoute {
  const ends: CellEnds[] = cells.map(({ paths: [a, b] }) => ({
    first: [laneEntry(a[0]!).at, laneEntry(b[0]!).at],
    last: [laneExit(a[a.length - 1]!).at, laneExit(b[b.length - 1]!).at],
  }));
  const visits = orderCells(ends, start, order);
  const steps: RouteStep[] = [];
  let laneLengthM = 0;
  let transitLengthM = 0;
  let prevLane: LaneXY | null = null;
  for (const visit of visits) {
    let lanes = cells[visit.cell]!.paths[visit.path];
    if (visit.reversed) lanes = reversedLanes(lanes);
    for (const lane of lanes) {
      // Between cells too: overshoot, turn and run-up, as between the lanes of a cell.
      const points = !prevLane
        ? null
        : lane.joined
          ? router.route(laneExit(prevLane).at, laneEntry(lane).at)
          : connection(prevLane, lane, turnaroundM, router);
      prevLane = lane;
      if (points) {
        transitLengthM += polylineLength(points);
        steps.push({ kind: 'transit', points });
      }
      const lanePath = lanePoints(lane);
      laneLengthM += polylineLength(lanePath);
      steps.push({ kind: 'lane', points: lanePath, lane, cell: visit.cell });
    }
  }
  return {
    steps,
    visits,
    laneLengthM,
    transitLengthM,
    turns: countTurns(steps.map((s) => s.points)),
  };
}

function polylineLength(points: readonly XY[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) sum += dist(points[i - 1]!, points[i]!);
  return sum;
}

/** Turns in 90° units: the accumulated absolute course change along the path, / 90°, rounded. */
export function countTurns(paths: readonly (readonly XY[])[]): number {
  let totalRad = 0;
  let heading: number | null = null;
  let last: XY | null = null;
  for (const path of paths) {
    for (const p of path) {
      if (last) {
        const dx = p[0] - last[0];
        const dy = p[1] - last[1];
        if (Math.hypot(dx, dy) < 1e-6) continue;
        const h = Math.atan2(dy, dx);
        if (heading !== null) {
          let d = Math.abs(h - heading) % (2 * Math.PI);
          if (d > Math.PI) d = 2 * Math.PI - d;
          totalRad += d;
        }
        heading = h;
      }
      last = p;
    }
  }
  return Math.round(totalRad / (Math.PI / 2));
}
