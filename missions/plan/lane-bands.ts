import type { LocalFrame } from '../frame/index';
import {
  plannedSpeedMps,
  turnAngleRad,
  turnTimeS,
  usableTimeS,
  type DockSite,
} from '../sortie/index';
import type { DroneProfile, LonLat, WorkPath, XY } from '../types/index';

/** Options of {@link planLaneBands}. */
export interface LaneBandsOptions {
  /** Share of the usable time kept free for what the model does not see, %. Default 0. */
  slackPct?: number;
  /**
   * Positions tried along a pair of lanes for a hand-over between two sorties. Default: 10, fewer
   * on large blocks so that about {@link BAND_PAIRS} bands are weighed (at least 2).
   */
  cutsPerPair?: number;
  /**
   * Give up at once (null) when a lower bound shows that fewer sorties than this cannot be flown
   * in bands: every sortie spends its climb, descent, start/stop and the legs to the nearest
   * lane and back, and k sorties fly every lane and at least n − k connections between lanes.
   * Default: always plan.
   */
  fewerThan?: number;
}

/** The result of {@link planLaneBands}. */
export interface LaneBands {
  /** Lane pieces and the transits between them, sortie after sortie in flight order. */
  workPaths: WorkPath[];
  /** Sorties of the band split (each a contiguous run of `workPaths`). */
  sorties: number;
  /** Their total flight time by the energy model of `planSorties`, seconds. */
  timeS: number;
}

/**
 * Re-orders one block of parallel lanes so that every sortie covers a band of neighbouring lanes
 * from a dock and back. Each sortie flies its band's lanes back and forth, starting at either end
 * of the band and on either side; two sorties hand over either between two lanes or along a
 * pair of lanes cut at a photo position — the sortie below takes one end of both lanes (in at
 * one lane, across at the cut, out along the other), the one above the other ends. The pairs let
 * every sortie come back on the dock's side whatever its number of lanes, and let the split fill
 * each battery. An exact dynamic programme over the hand-overs picks the fewest sorties, then
 * the least total time (dock legs, climb, turns and start/stop as `planSorties` counts them, each
 * sortie from its fastest dock). Lane pieces keep their photo positions; connections at outer
 * lane ends overshoot as the coverage planner's do (its overshoot is read from the work paths).
 *
 * A lane may carry bends: lane paths flown on from its ends without a transit (the coverage
 * planner's bends along the area's edge at low side overlap). A bend goes whole with the piece
 * that holds its lane end, in either direction, its length and every turn in it counted as
 * `planSorties` counts them; hand-over cuts fall only on the straight part of a lane.
 *
 * Returns null when the work is not one block of parallel lanes at one altitude (several cells,
 * fewer than three lanes) or when some band cannot be flown within the battery.
 *
 * @example
 * const bands = planLaneBands(plan.workPaths, docks, DEFAULT_DRONE, frame);
 * bands?.sorties; // e.g. 5 where the lanes split as planned need 6
 */
export function planLaneBands(
  workPaths: readonly WorkPath[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  frame: LocalFrame,
  options: LaneBandsOptions = {},
): LaneBands | null {
  const block = laneBlock(workPaths, frame);
  if (!block || docks.length === 0) return null;
  const cost = new BandCosts(
    block,
    docks,
    drone,
    usableTimeS(drone) * (1 - (options.slackPct ?? 0) / 100),
  );
  if (options.fewerThan !== undefined) {
    if (cost.leastSorties() >= options.fewerThan) return null;
  }
  const bounds = handOvers(block, options.cutsPerPair ?? defaultCuts(cost, block.lanes.length));
  const n = block.lanes.length;
  // Hand-overs in lane order; at one lane, the one between lanes first.
  const at: HandOver[][] = Array.from({ length: n + 1 }, () => []);
  for (const h of bounds) at[h.b]!.push(h);
  const order = at.flat();
  const index = new Map(order.map((h, k) => [h, k]));
  const count = new Int32Array(order.length).fill(1 << 30);
  const time = new Float64Array(order.length).fill(Infinity);
  const from = new Int32Array(order.length).fill(-1);
  count[0] = 0;
  time[0] = 0;
  const fewerThan = options.fewerThan ?? Infinity;
  for (let k = 0; k < order.length; k++) {
    if (count[k] === 1 << 30) continue;
    const lo = order[k]!;
    const f0 = lo.b + (lo.cut ? 2 : 0);
    // Only splits that can still end below `fewerThan` are followed.
    if (count[k]! + cost.leastSorties(f0) >= fewerThan) continue;
    for (let b = f0; b <= n; b++) {
      // The full lanes alone no longer fit: no later hand-over can end this sortie.
      if (b > f0 && cost.fullLanesS(f0, b - 1) > cost.usableS) break;
      for (const hi of at[b]!) {
        if (hi === lo || (hi.cut === null && b === f0 && lo.cut === null)) continue;
        if (hi.cut && hi.b + 1 >= n) continue;
        const timeS = cost.best(lo, hi);
        if (timeS > cost.usableS) continue;
        const j = index.get(hi)!;
        const c = count[k]! + 1;
        const t = time[k]! + timeS;
        if (c < count[j]! || (c === count[j]! && t < time[j]! - 1e-9)) {
          count[j] = c;
          time[j] = t;
          from[j] = k;
        }
      }
    }
  }
  const end = index.get(at[n]![0]!)!;
  if (from[end]! < 0 || count[end]! >= fewerThan) return null;
  const chosen: Piece[][] = [];
  for (let j = end; j > 0; j = from[j]!) {
    cost.best(order[from[j]!]!, order[j]!, true);
    chosen.unshift(cost.bestPieces);
  }
  return {
    workPaths: chosen.flatMap((pieces) => cost.workPaths(pieces)),
    sorties: chosen.length,
    timeS: time[end]!,
  };
}

/** A lane in the block's frame: `u` along the lanes (metres), its ends and photo grid. */
interface BandLane {
  path: WorkPath;
  /** Along-lane coordinate of its low and high end. */
  lo: number;
  hi: number;
  /** Photos fall at `base + k × (hi − lo) / shots` measured from its planned start. */
  shots: number | null;
  /** The planned start is the high end. */
  startsHigh: boolean;
  /** Offset across the lanes, metres. */
  offset: number;
  /** Bends flown on beyond its low and its high end (see {@link Bend}), null where none. */
  bends: { lo: Bend | null; hi: Bend | null };
}

/**
 * Lane paths flown on from a lane's end without a transit (the coverage planner's bends along
 * the area's edge): carried whole with the lane end they leave from, in either direction.
 */
interface Bend {
  /** The work paths in the order and direction flown when leaving the lane through this end. */
  paths: WorkPath[];
  /** Their vertices in the local frame, from the lane's end (exactly as given) outward. */
  points: XY[];
  /** Their length, metres. */
  lengthM: number;
}

interface Block {
  lanes: BandLane[];
  /** Unit vector along the lanes (low → high). */
  dir: XY;
  normal: XY;
  altitudeM: number;
  turnaroundM: number;
  frame: LocalFrame;
  /** Some lane carries a bend. */
  bent: boolean;
  /** One-lane cells lie beside the block's lanes, closer than half a spacing (`extraLanes`). */
  uneven: boolean;
}

/**
 * About this many (lower, upper) hand-over pairs are weighed by default: with h hand-overs per
 * lane (1 + 2 × cuts) and L lanes a battery holds, the programme weighs about n·h × L·h bands.
 * 250 000 keep 10 cuts on 43 lanes of 800 m at 30 min (5 sorties found in about 0.2 s) and take
 * 5 on 134 lanes of 550 m.
 */
export const BAND_PAIRS = 250_000;

function defaultCuts(cost: BandCosts, n: number): number {
  const perSortie = Math.max(1, Math.min(n, cost.lanesPerSortie()));
  const perLane = Math.sqrt(BAND_PAIRS / (n * perSortie));
  return Math.max(2, Math.min(10, Math.floor((perLane - 1) / 2)));
}

/**
 * Lanes shorter than this (metres) are single photo positions: flown along the block's direction
 * (the way the overshoots around them run), as the coverage planner's corner lanes are.
 */
const POINT_LANE_M = 1e-3;

/**
 * The lanes of `workPaths` as one block sorted across, or null when they are not one. Lane (or
 * pass) paths flown one after the other without a transit, each from where the last ended, are
 * one lane: its longest part parallel to the block is the lane, the others are bends carried with
 * the lane end they are flown from (see {@link Bend}).
 */
function laneBlock(workPaths: readonly WorkPath[], frame: LocalFrame): Block | null {
  const chains: { paths: WorkPath[]; points: XY[][] }[] = [];
  let chain: { paths: WorkPath[]; points: XY[][] } | null = null;
  for (const w of workPaths) {
    if (w.kind === 'transit') {
      chain = null;
      continue;
    }
    if (w.coordinates.length < 2) return null;
    const last = chain?.paths[chain.paths.length - 1]!.coordinates.at(-1);
    const first = w.coordinates[0]!;
    const points = w.coordinates.map((q) => frame.toLocal(q));
    if (chain && last && last[0] === first[0] && last[1] === first[1]) {
      chain.paths.push(w);
      chain.points.push(points);
    } else {
      chain = { paths: [w], points: [points] };
      chains.push(chain);
    }
  }
  if (chains.length < 3) return null;
  const altitudeM = chains[0]!.paths[0]!.altitudeAglM;
  if (chains.some((c) => c.paths.some((w) => w.altitudeAglM !== altitudeM))) return null;
  const lengthOf = (pts: readonly XY[]): number => {
    let m = 0;
    for (let i = 1; i < pts.length; i++) m += dist(pts[i - 1]!, pts[i]!);
    return m;
  };
  const straight = (pts: readonly XY[]): pts is [XY, XY] => pts.length === 2;
  // The block's direction: the longest straight part of some lane that every lane has a part
  // parallel to (a long bend along a slanted edge may be longer than the lanes).
  const parallel = (d: XY, pts: readonly XY[]): boolean =>
    straight(pts) &&
    Math.abs(cross(d, [pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]])) <= 5e-4 * lengthOf(pts);
  const candidates = chains
    .flatMap((c) => c.points.filter(straight))
    .filter((pts) => lengthOf(pts) >= POINT_LANE_M)
    .sort((p, q) => lengthOf(q) - lengthOf(p));
  let dir: XY | null = null;
  for (const [a0, b0] of candidates.slice(0, DIRECTION_TRIES)) {
    const len0 = dist(a0, b0);
    const d: XY = [(b0[0] - a0[0]) / len0, (b0[1] - a0[1]) / len0];
    if (chains.every((c) => c.points.some((pts) => parallel(d, pts)))) {
      dir = d;
      break;
    }
  }
  if (!dir) return null;
  const turnaroundM = overshootM(workPaths, frame);
  const normal: XY = [-dir[1], dir[0]];
  const out: BandLane[] = [];
  let bent = false;
  for (const c of chains) {
    // The lane: the chain's longest part parallel to the block.
    let m = -1;
    for (let k = 0; k < c.points.length; k++)
      if (parallel(dir, c.points[k]!) && (m < 0 || lengthOf(c.points[k]!) > lengthOf(c.points[m]!)))
        m = k;
    const [a, b] = c.points[m] as [XY, XY];
    const lengthM = dist(a, b);
    // A lane of one photo (at a corner) turns as the others only with overshoots around it.
    if (lengthM < POINT_LANE_M && !(turnaroundM > 0)) return null;
    const path = c.paths[m]!;
    const ua = dot(a, dir);
    const ub = dot(b, dir);
    const t = path.triggerDistanceM;
    // Outward from the lane's start (the paths before it, reversed) and from its end.
    const before = bendOf(
      c.paths
        .slice(0, m)
        .reverse()
        .map((w) => ({ ...w, coordinates: [...w.coordinates].reverse() })),
      c.points
        .slice(0, m)
        .reverse()
        .map((pts) => [...pts].reverse()),
    );
    const after = bendOf(c.paths.slice(m + 1), c.points.slice(m + 1));
    if (before || after) bent = true;
    out.push({
      path,
      lo: Math.min(ua, ub),
      hi: Math.max(ua, ub),
      shots: t !== null && t > 0 ? Math.max(1, Math.round(lengthM / t)) : null,
      startsHigh: ua > ub,
      offset: dot(a, normal),
      bends: ua > ub ? { lo: after, hi: before } : { lo: before, hi: after },
    });
  }
  const flown = [...out];
  out.sort((p, q) => p.offset - q.offset || p.lo - q.lo);
  // One lane per offset, evenly spaced: a single cell of a boustrophedon.
  const gaps = out.slice(1).map((l, k) => l.offset - out[k]!.offset);
  const spacingM = [...gaps].sort((p, q) => p - q)[gaps.length >> 1]!;
  const block = { lanes: out, dir, normal, altitudeM, turnaroundM, frame, bent, uneven: false };
  if (spacingM > 0 && gaps.every((g) => g >= 0.5 * spacingM && g <= 1.5 * spacingM)) return block;
  return extraLanes(flown, gaps) === null ? null : { ...block, uneven: true };
}

/**
 * Where lanes lie closer than half a spacing across, the block may still be one cell of the
 * coverage with one-lane cells added: its short extra passes, on a line within some lane's band
 * (its own line, too) beside a notch or beyond a lane's end. `lanes` are in flight order. The
 * coverage flies a cell's lanes one after the other, each a lane spacing from the last (a tip
 * lane, off that grid, within half a spacing more or less); the longest such run is the cell. It
 * is accepted when every other lane is a run of its own (a one-lane cell) within a spacing of the
 * cell across, at most one for every two lanes of the cell: returns how many. Otherwise (several
 * cells of the same course side by side, say) null.
 */
function extraLanes(lanes: readonly BandLane[], gaps: readonly number[]): number | null {
  // The spacing: the median of the wider half of the gaps across (an extra lane splits one).
  const wide = [...gaps].sort((p, q) => q - p).slice(0, Math.max(1, gaps.length >> 1));
  const spacingM = wide[wide.length >> 1]!;
  if (!(spacingM > 0)) return null;
  const runs: BandLane[][] = [];
  for (const l of lanes) {
    const run = runs[runs.length - 1];
    const step = run ? l.offset - run[run.length - 1]!.offset : 0;
    // A run goes one way across.
    const way = run && run.length > 1 ? run[1]!.offset - run[0]!.offset : step;
    if (
      run &&
      Math.abs(step) >= 0.5 * spacingM &&
      Math.abs(step) <= 1.5 * spacingM &&
      step * way > 0
    )
      run.push(l);
    else runs.push([l]);
  }
  const cell = runs.reduce((m, r) => (r.length > m.length ? r : m), runs[0]!);
  const others = runs.filter((r) => r !== cell);
  if (cell.length < 3 || others.some((r) => r.length > 1) || others.length > cell.length / 2)
    return null;
  const offsets = cell.map((l) => l.offset);
  const low = Math.min(...offsets) - spacingM;
  const high = Math.max(...offsets) + spacingM;
  if (others.some(([l]) => l!.offset < low || l!.offset > high)) return null;
  return others.length;
}

/** Straight parts tried as the block's direction, longest first. */
const DIRECTION_TRIES = 3;

/** The paths (outward, with their local vertices) as one bend, or null when there are none. */
function bendOf(paths: WorkPath[], points: XY[][]): Bend | null {
  if (paths.length === 0) return null;
  const pts: XY[] = [];
  for (const p of points)
    for (const q of p) {
      const last = pts[pts.length - 1];
      if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
    }
  let lengthM = 0;
  for (let i = 1; i < pts.length; i++) lengthM += dist(pts[i - 1]!, pts[i]!);
  return { paths, points: pts, lengthM };
}

/**
 * The overshoot flown beyond a lane end before a transit turns: its first leg, metres, 0 if none.
 *
 * @example
 * overshootM(plan.workPaths, frame); // 20: transits fly 20 m on past the lane ends
 */
export function overshootM(workPaths: readonly WorkPath[], frame: LocalFrame): number {
  for (let k = 1; k < workPaths.length; k++) {
    const prev = workPaths[k - 1]!;
    const w = workPaths[k]!;
    if (w.kind !== 'transit' || prev.kind !== 'lane' || w.coordinates.length < 3) continue;
    // The lane's last leg (a bend's, where it ends in one).
    const [a, b] = prev.coordinates.slice(-2).map((q) => frame.toLocal(q)) as [XY, XY];
    const [p, q] = w.coordinates.slice(0, 2).map((c) => frame.toLocal(c)) as [XY, XY];
    const lane: XY = [b[0] - a[0], b[1] - a[1]];
    const leg: XY = [q[0] - p[0], q[1] - p[1]];
    const legM = Math.hypot(leg[0], leg[1]);
    if (
      legM > 0 &&
      Math.abs(cross(lane, leg)) < 1e-6 * Math.hypot(...lane) * legM &&
      dot(lane, leg) > 0
    )
      return legM;
  }
  return 0;
}

/**
 * Where two sorties meet: between lanes `b − 1` and `b` (`cut` null), or along lanes `b` and
 * `b + 1` cut at `cut` (their along-lane coordinates), the sortie below taking the `side` ends.
 */
interface HandOver {
  b: number;
  cut: [number, number] | null;
  side: 'lo' | 'hi';
  /** Its U runs once built (see `BandCosts.uRun`). */
  runs?: (Run | undefined)[];
}

function handOvers(block: Block, cutsPerPair: number): HandOver[] {
  const { lanes } = block;
  const out: HandOver[] = [];
  for (let b = 0; b <= lanes.length; b++) {
    out.push({ b, cut: null, side: 'lo' });
    if (b + 1 >= lanes.length) continue;
    const p = lanes[b]!;
    const q = lanes[b + 1]!;
    const lo = Math.max(p.lo, q.lo);
    const hi = Math.min(p.hi, q.hi);
    if (!(hi > lo)) continue;
    const seen = new Set<string>();
    for (let k = 1; k <= cutsPerPair; k++) {
      const target = lo + ((hi - lo) * k) / (cutsPerPair + 1);
      const cp = photoCut(p, target);
      const cq = photoCut(q, target);
      if (cp === null || cq === null) continue;
      const key = `${cp},${cq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const side of ['lo', 'hi'] as const) out.push({ b, cut: [cp, cq], side });
    }
  }
  return out;
}

/** The photo position of `lane` nearest to `u` strictly inside it, or null. */
function photoCut(lane: BandLane, u: number): number | null {
  const lengthM = lane.hi - lane.lo;
  if (lane.shots === null) return u > lane.lo && u < lane.hi ? u : null;
  if (lane.shots < 2) return null;
  const step = lengthM / lane.shots;
  // Photos are counted from the planned start.
  const fromStart = lane.startsHigh ? lane.hi - u : u - lane.lo;
  const k = Math.min(lane.shots - 1, Math.max(1, Math.round(fromStart / step)));
  return lane.startsHigh ? lane.hi - k * step : lane.lo + k * step;
}

/**
 * A lane piece flown from `u0` to `u1`, heading `h` along the block's direction (+1 or −1, also
 * for a single photo position); `id` numbers it for the connection cache. A piece that holds a
 * bent end of its lane flies the bend too: in before `u0`, out after `u1`.
 */
interface Piece {
  lane: number;
  u0: number;
  u1: number;
  h: 1 | -1;
  id: number;
  /** The bend flown into `u0` (outward order: reversed when flown) and out of `u1`, or null. */
  bendIn: Bend | null;
  bendOut: Bend | null;
  /** Where it starts and ends (a bend's far end where it has one). */
  start: XY;
  end: XY;
  /** Unit headings where it starts and where it ends. */
  entry: XY;
  exit: XY;
  /** Flight time of its bends with every turn inside the piece (0 without bends), seconds. */
  bendS: number;
}

/** A run of pieces flown in a row: its time without dock legs, its first and last piece. */
interface Run {
  internalS: number;
  first: Piece;
  last: Piece;
  pieces: Piece[];
}

/** Flight times of pieces, connections and bands by the model `planSorties` uses. */
class BandCosts {
  private readonly speed: number;
  readonly overheadS: number;
  /** Per parity: Σ connection times between lanes i and i + 1 flown back and forth, prefix. */
  private readonly connPrefix: [Float64Array, Float64Array];
  private readonly lengthPrefix: Float64Array;
  /** Per parity: Σ time of the lanes' bends with their turns, prefix (zeros without bends). */
  private readonly bendPrefix: [Float64Array, Float64Array];
  private readonly fullPieces: [Piece[], Piece[]];
  private nextId = 0;
  private readonly connCache: (Map<number, number> | undefined)[] = [];
  /** Per piece id: the dock legs with their turns, into its start and back from its end. */
  private readonly legCache: ({ intoS: Float64Array; backS: Float64Array } | undefined)[] = [];
  // The route being walked: time so far, first and last piece, and its pieces when recorded.
  private walkS = 0;
  private walkFirst: Piece | null = null;
  private walkLast: Piece | null = null;
  private walkPieces: Piece[] | null = null;
  /** The pieces of the last route `best` recorded. */
  bestPieces: Piece[] = [];

  constructor(
    private readonly block: Block,
    private readonly docks: readonly DockSite[],
    private readonly drone: DroneProfile,
    readonly usableS: number,
  ) {
    this.speed = plannedSpeedMps(drone);
    const alt = block.altitudeM;
    this.overheadS =
      alt / drone.climbRateMps +
      alt / drone.descentRateMps +
      drone.cruiseSpeedMps / drone.accelerationMps2;
    const n = block.lanes.length;
    const fullPieces = (k: 0 | 1): Piece[] =>
      block.lanes.map((l, i) =>
        (i + k) % 2 === 0 ? this.piece(i, l.lo, l.hi, 1) : this.piece(i, l.hi, l.lo, -1),
      );
    this.fullPieces = [fullPieces(0), fullPieces(1)];
    this.lengthPrefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++)
      this.lengthPrefix[i + 1] = this.lengthPrefix[i]! + block.lanes[i]!.hi - block.lanes[i]!.lo;
    const prefix = (k: 0 | 1): Float64Array => {
      const out = new Float64Array(n);
      for (let i = 0; i + 1 < n; i++)
        out[i + 1] = out[i]! + this.connectionS(this.full(i, k), this.full(i + 1, k));
      return out;
    };
    this.connPrefix = [prefix(0), prefix(1)];
    const bends = (k: 0 | 1): Float64Array => {
      const out = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) out[i + 1] = out[i]! + this.full(i, k).bendS;
      return out;
    };
    this.bendPrefix = [bends(0), bends(1)];
  }

  /** Lane `i` whole, flown low → high when `i + k` is even. */
  full(i: number, k: 0 | 1): Piece {
    return this.fullPieces[k][i]!;
  }

  private piece(lane: number, u0: number, u1: number, h: 1 | -1 = u1 >= u0 ? 1 : -1): Piece {
    const l = this.block.lanes[lane]!;
    const { dir } = this.block;
    const heading: XY = [dir[0] * h, dir[1] * h];
    // Which end is which follows the heading (a single photo position has both at one u).
    const inSide = h > 0 ? 'lo' : 'hi';
    const outSide = h > 0 ? 'hi' : 'lo';
    const atEnd = (u: number, side: 'lo' | 'hi'): boolean =>
      Math.abs(u - (side === 'lo' ? l.lo : l.hi)) < 1e-6;
    const bendIn = atEnd(u0, inSide) ? l.bends[inSide] : null;
    const bendOut = atEnd(u1, outSide) ? l.bends[outSide] : null;
    const s = this.point(lane, u0);
    const e = this.point(lane, u1);
    if (!bendIn && !bendOut) {
      return {
        lane,
        u0,
        u1,
        h,
        id: this.nextId++,
        bendIn,
        bendOut,
        start: s,
        end: e,
        entry: heading,
        exit: heading,
        bendS: 0,
      };
    }
    // The bends' own vertices from the lane's ends as given, the straight part between them.
    const pts: XY[] = [];
    const push = (q: XY): void => {
      const last = pts[pts.length - 1];
      if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
    };
    if (bendIn) for (let k = bendIn.points.length - 1; k >= 0; k--) push(bendIn.points[k]!);
    else push(s);
    if (bendOut) for (const q of bendOut.points) push(q);
    else push(e);
    let bendS = ((bendIn?.lengthM ?? 0) + (bendOut?.lengthM ?? 0)) / this.speed;
    for (let k = 1; k + 1 < pts.length; k++)
      bendS += turnTimeS(turnAngleRad(pts[k - 1]!, pts[k]!, pts[k + 1]!), this.drone);
    const unit = (a: XY, b: XY): XY => {
      const m = dist(a, b);
      return m > 0 ? [(b[0] - a[0]) / m, (b[1] - a[1]) / m] : heading;
    };
    const start = pts[0]!;
    const end = pts[pts.length - 1]!;
    return {
      lane,
      u0,
      u1,
      h,
      id: this.nextId++,
      bendIn,
      bendOut,
      start,
      end,
      entry: pts.length > 1 ? unit(start, pts[1]!) : heading,
      exit: pts.length > 1 ? unit(pts[pts.length - 2]!, end) : heading,
      bendS,
    };
  }

  /** Time of lanes f0..f1 flown back and forth (parity `k`) without dock legs, seconds. */
  lanesS(f0: number, f1: number, k: 0 | 1): number {
    const c = this.connPrefix[k];
    const laneS = (this.lengthPrefix[f1 + 1]! - this.lengthPrefix[f0]!) / this.speed;
    if (!this.block.bent) return laneS + c[f1]! - c[f0]!;
    const b = this.bendPrefix[k];
    return laneS + (b[f1 + 1]! - b[f0]!) + c[f1]! - c[f0]!;
  }

  /**
   * The least number of sorties that can fly lanes `from`..n − 1 (all of them by default): k
   * sorties hold k × (usable − overhead − 2 × nearest leg) and must fly those lanes and at least
   * m − k connections between their m lanes, each at least the narrowest lane spacing and a half
   * turn (every connection of a band joins pieces flown in opposite directions, over at least
   * two vertices: 2 × 90° is the cheapest). With bends or extra passes, the lanes' time
   * holds their bends and the turns inside them, a connection is at least the least distance
   * between two lanes (bends included) with no turn (a bend may have turned already), and the
   * legs may reach the nearest bend.
   */
  leastSorties(from = 0): number {
    const { lanes } = this.block;
    const n = lanes.length;
    if (from >= n) return 0;
    if (this.roomS === null) {
      let gapM = Infinity;
      let legM = Infinity;
      if (!this.block.bent && !this.block.uneven) {
        for (let i = 1; i < n; i++) gapM = Math.min(gapM, lanes[i]!.offset - lanes[i - 1]!.offset);
        for (const d of this.docks)
          for (let i = 0; i < n; i++)
            legM = Math.min(
              legM,
              segmentDistM(d.xy, this.point(i, lanes[i]!.lo), this.point(i, lanes[i]!.hi)),
            );
        this.gapS = gapM / this.speed + 2 * turnTimeS(Math.PI / 2, this.drone);
      } else {
        const lines = lanes.map((_, i) => this.lanePoints(i));
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++)
            gapM = Math.min(gapM, polylineDistM(lines[i]!, lines[j]!));
        for (const d of this.docks)
          for (const line of lines)
            for (let k = 1; k < line.length; k++)
              legM = Math.min(legM, segmentDistM(d.xy, line[k - 1]!, line[k]!));
        this.gapS = gapM / this.speed;
      }
      this.roomS = this.usableS - this.overheadS - (2 * legM) / this.speed + this.gapS;
    }
    let laneS = (this.lengthPrefix[n]! - this.lengthPrefix[from]!) / this.speed;
    if (this.block.bent) laneS += this.bendPrefix[0][n]! - this.bendPrefix[0][from]!;
    return this.roomS > 0
      ? Math.ceil((laneS + (n - from) * this.gapS) / this.roomS - 1e-9)
      : Infinity;
  }

  private roomS: number | null = null;
  private gapS = 0;

  /** Lane `i` with its bends, low end first (a single vertex for a lone photo position). */
  private lanePoints(i: number): XY[] {
    const l = this.block.lanes[i]!;
    const pts: XY[] = [];
    if (l.bends.lo)
      for (let k = l.bends.lo.points.length - 1; k >= 0; k--) pts.push(l.bends.lo.points[k]!);
    else pts.push(this.point(i, l.lo));
    if (l.bends.hi) pts.push(...l.bends.hi.points);
    else pts.push(this.point(i, l.hi));
    return pts;
  }

  /** How many lanes of the mean length, with their connections, one battery holds. */
  lanesPerSortie(): number {
    const n = this.block.lanes.length;
    const meanS = this.fullLanesS(0, n - 1) / n;
    return (this.usableS - this.overheadS) / meanS;
  }

  /** Time of lanes f0..f1 flown back and forth, the cheaper parity, seconds. */
  fullLanesS(f0: number, f1: number): number {
    return Math.min(this.lanesS(f0, f1, 0), this.lanesS(f0, f1, 1));
  }

  /**
   * The two cut lanes of a hand-over flown as a U on their `part` side: in along the first to
   * the cut, across, out along the other; `outerFirst` starts at the lane farther from the band
   * of the sortie (`below` the hand-over or above it).
   */
  private uRun(h: HandOver, part: 'lo' | 'hi', outerFirst: boolean, below: boolean): Run {
    let runs = h.runs;
    if (!runs) {
      runs = [];
      h.runs = runs;
    }
    const slot = (part === 'hi' ? 4 : 0) + (outerFirst ? 2 : 0) + (below ? 1 : 0);
    let run = runs[slot];
    if (!run) {
      const [ca, cb] = h.cut!;
      const inward = (i: number, c: number): Piece => {
        const l = this.block.lanes[i]!;
        return part === 'lo' ? this.piece(i, l.lo, c) : this.piece(i, l.hi, c);
      };
      // Lane b is the outer one for the sortie above the hand-over, lane b + 1 for the one below.
      const pa = inward(h.b, ca);
      const pb = inward(h.b + 1, cb);
      const first = outerFirst === !below ? pa : pb;
      const second = first === pa ? pb : pa;
      const back = this.piece(second.lane, second.u1, second.u0);
      run = {
        internalS:
          (Math.abs(first.u1 - first.u0) + Math.abs(back.u1 - back.u0)) / this.speed +
          first.bendS +
          back.bendS +
          this.connectionS(first, back),
        first,
        last: back,
        pieces: [first, back],
      };
      runs[slot] = run;
    }
    return run;
  }

  private add(run: Run): void {
    this.addParts(run.first, run.last, run.internalS);
    if (this.walkPieces) this.walkPieces.push(...run.pieces);
  }

  private addLanes(f0: number, f1: number, k: 0 | 1): void {
    this.addParts(this.full(f0, k), this.full(f1, k), this.lanesS(f0, f1, k));
    if (this.walkPieces) for (let i = f0; i <= f1; i++) this.walkPieces.push(this.full(i, k));
  }

  private addParts(first: Piece, last: Piece, internalS: number): void {
    if (this.walkLast) this.walkS += this.connectionS(this.walkLast, first);
    else this.walkFirst = first;
    this.walkS += internalS;
    this.walkLast = last;
  }

  /**
   * The fastest route of the band between two hand-overs, from its fastest dock: its time
   * (Infinity when it holds nothing) and, with `record`, its pieces.
   */
  best(lo: HandOver, hi: HandOver, record = false): number {
    const n = this.block.lanes.length;
    const f0 = lo.b + (lo.cut ? 2 : 0);
    const f1 = hi.b - 1;
    const lowerPart = lo.cut ? other(lo.side) : null;
    const upperPart = hi.cut && hi.b + 1 < n ? hi.side : null;
    let bestS = Infinity;
    this.bestPieces = [];
    if (hi.cut && !upperPart) return bestS;
    for (let parity = 0; parity < (f1 < f0 ? 1 : 2); parity++) {
      const k = parity as 0 | 1;
      this.walkS = 0;
      this.walkFirst = null;
      this.walkLast = null;
      this.walkPieces = record ? [] : null;
      if (f1 < f0) {
        if (lowerPart) this.add(this.uRun(lo, lowerPart, true, false));
        if (upperPart) this.add(this.uRun(hi, upperPart, false, true));
      } else {
        const startSide = this.full(f0, k).h > 0 ? 'lo' : 'hi';
        const endSide = this.full(f1, k).h > 0 ? 'hi' : 'lo';
        let rs = f0;
        if (lowerPart) {
          if (lowerPart === startSide) {
            this.add(this.uRun(lo, lowerPart, true, false));
          } else {
            // Out along the first lane, the pair on the far side, on from the second lane.
            this.addLanes(f0, f0, k);
            this.add(this.uRun(lo, lowerPart, false, false));
            rs = f0 + 1;
          }
        }
        if (upperPart && upperPart !== endSide && f1 > rs) {
          // The pair on the side the last lane starts from, then the last lane.
          if (rs <= f1 - 1) this.addLanes(rs, f1 - 1, k);
          this.add(this.uRun(hi, upperPart, true, true));
          this.addLanes(f1, f1, k);
        } else {
          if (rs <= f1) this.addLanes(rs, f1, k);
          if (upperPart) this.add(this.uRun(hi, upperPart, false, true));
        }
      }
      if (!this.walkFirst || !this.walkLast) continue;
      const into = this.legs(this.walkFirst).intoS;
      const back = this.legs(this.walkLast).backS;
      let legsS = Infinity;
      for (let d = 0; d < into.length; d++) legsS = Math.min(legsS, into[d]! + back[d]!);
      const timeS = this.overheadS + this.walkS + legsS;
      if (timeS < bestS - 1e-9) {
        bestS = timeS;
        if (this.walkPieces) this.bestPieces = this.walkPieces;
      }
    }
    this.walkPieces = null;
    return bestS;
  }

  private legs(p: Piece): { intoS: Float64Array; backS: Float64Array } {
    let c = this.legCache[p.id];
    if (c) return c;
    const s = p.start;
    const e = p.end;
    // The turns are taken against the piece's heading (a single photo position has one too).
    const sNext: XY = [s[0] + p.entry[0], s[1] + p.entry[1]];
    const ePrev: XY = [e[0] - p.exit[0], e[1] - p.exit[1]];
    const intoS = new Float64Array(this.docks.length);
    const backS = new Float64Array(this.docks.length);
    this.docks.forEach((d, k) => {
      intoS[k] = dist(d.xy, s) / this.speed + turnTimeS(turnAngleRad(d.xy, s, sNext), this.drone);
      backS[k] = dist(e, d.xy) / this.speed + turnTimeS(turnAngleRad(ePrev, e, d.xy), this.drone);
    });
    c = { intoS, backS };
    this.legCache[p.id] = c;
    return c;
  }

  point(lane: number, u: number): XY {
    const l = this.block.lanes[lane]!;
    const { dir, normal } = this.block;
    return [dir[0] * u + normal[0] * l.offset, dir[1] * u + normal[1] * l.offset];
  }

  private isOuter(lane: number, u: number): boolean {
    const l = this.block.lanes[lane]!;
    return Math.abs(u - l.lo) < 1e-6 || Math.abs(u - l.hi) < 1e-6;
  }

  /** The vertices from the end of `a` to the start of `b` (both included, repeats dropped). */
  connection(a: Piece, b: Piece): XY[] {
    const e = a.end;
    const s = b.start;
    const pts: XY[] = [e];
    const tr = this.block.turnaroundM;
    // Overshoot beyond an outer lane end (a bend's end: along its last leg), as the coverage
    // planner turns; a cut end turns at once.
    if (tr > 0 && !(e[0] === s[0] && e[1] === s[1])) {
      if (this.isOuter(a.lane, a.u1)) pts.push([e[0] + a.exit[0] * tr, e[1] + a.exit[1] * tr]);
      if (this.isOuter(b.lane, b.u0)) pts.push([s[0] - b.entry[0] * tr, s[1] - b.entry[1] * tr]);
    }
    pts.push(s);
    return pts.filter((p, k) => k === 0 || p[0] !== pts[k - 1]![0] || p[1] !== pts[k - 1]![1]);
  }

  /** Time from the end of `a` to the start of `b`, with the turns where they join, seconds. */
  connectionS(a: Piece, b: Piece): number {
    let from = this.connCache[a.id];
    if (!from) {
      from = new Map();
      this.connCache[a.id] = from;
    }
    let t = from.get(b.id);
    if (t === undefined) {
      t = this.makeConnectionS(a, b);
      from.set(b.id, t);
    }
    return t;
  }

  private makeConnectionS(a: Piece, b: Piece): number {
    const pts = this.connection(a, b);
    // Turns against the pieces' headings (a single photo position has one too).
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    const before: XY = [first[0] - a.exit[0], first[1] - a.exit[1]];
    const after: XY = [last[0] + b.entry[0], last[1] + b.entry[1]];
    const path = [before, ...pts, after];
    let t = 0;
    for (let k = 1; k < pts.length; k++) t += dist(pts[k - 1]!, pts[k]!) / this.speed;
    for (let k = 1; k + 1 < path.length; k++)
      t += turnTimeS(turnAngleRad(path[k - 1]!, path[k]!, path[k + 1]!), this.drone);
    return t;
  }

  /**
   * The pieces as lane work paths (photo positions kept) with the transits between them; a
   * bend goes with its piece, each of its paths as given (reversed where flown the other way).
   */
  workPaths(pieces: readonly Piece[]): WorkPath[] {
    const { frame, altitudeM } = this.block;
    const out: WorkPath[] = [];
    const lonLat = (lane: number, u: number): LonLat => {
      const l = this.block.lanes[lane]!;
      // The lane's own ends keep their coordinates exactly.
      const [p, q] = l.path.coordinates;
      const startU = l.startsHigh ? l.hi : l.lo;
      const endU = l.startsHigh ? l.lo : l.hi;
      if (Math.abs(u - startU) < 1e-6) return p!;
      if (Math.abs(u - endU) < 1e-6) return q!;
      return frame.toLonLat(this.point(lane, u));
    };
    // Where a piece starts and ends, as flown: a bend's far end where it has one.
    const startOf = (p: Piece): LonLat =>
      p.bendIn
        ? p.bendIn.paths[p.bendIn.paths.length - 1]!.coordinates.at(-1)!
        : lonLat(p.lane, p.u0);
    const endOf = (p: Piece): LonLat =>
      p.bendOut
        ? p.bendOut.paths[p.bendOut.paths.length - 1]!.coordinates.at(-1)!
        : lonLat(p.lane, p.u1);
    const reversed = (w: WorkPath): WorkPath => ({
      ...w,
      coordinates: [...w.coordinates].reverse(),
    });
    pieces.forEach((p, k) => {
      if (k > 0) {
        const pts = this.connection(pieces[k - 1]!, p);
        if (pts.length > 1) {
          out.push({
            kind: 'transit',
            coordinates: pts.map((q, m) =>
              m === 0
                ? endOf(pieces[k - 1]!)
                : m === pts.length - 1
                  ? startOf(p)
                  : frame.toLonLat(q),
            ),
            altitudeAglM: altitudeM,
            triggerDistanceM: null,
          });
        }
      }
      const lane = this.block.lanes[p.lane]!;
      if (p.bendIn)
        for (let m = p.bendIn.paths.length - 1; m >= 0; m--) out.push(reversed(p.bendIn.paths[m]!));
      out.push({
        kind: lane.path.kind,
        coordinates: [
          p.bendIn ? p.bendIn.paths[0]!.coordinates[0]! : lonLat(p.lane, p.u0),
          p.bendOut ? p.bendOut.paths[0]!.coordinates[0]! : lonLat(p.lane, p.u1),
        ],
        altitudeAglM: altitudeM,
        triggerDistanceM: lane.path.triggerDistanceM,
      });
      if (p.bendOut) out.push(...p.bendOut.paths);
    });
    return out;
  }
}

function other(side: 'lo' | 'hi'): 'lo' | 'hi' {
  return side === 'lo' ? 'hi' : 'lo';
}

function dot(a: XY, b: XY): number {
  return a[0] * b[0] + a[1] * b[1];
}

function cross(a: XY, b: XY): number {
  return a[0] * b[1] - a[1] * b[0];
}

/** Distance from `p` to the segment a–b, metres. */
function segmentDistM(p: XY, a: XY, b: XY): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const l2 = vx * vx + vy * vy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / l2)) : 0;
  return Math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy);
}

/** The least distance between two polylines (a single vertex is a point), metres. */
function polylineDistM(p: readonly XY[], q: readonly XY[]): number {
  let best = Infinity;
  const segs = (line: readonly XY[]): [XY, XY][] =>
    line.length === 1 ? [[line[0]!, line[0]!]] : line.slice(1).map((b, k) => [line[k]!, b]);
  for (const [a, b] of segs(p))
    for (const [c, d] of segs(q)) {
      if (segmentsCross(a, b, c, d)) return 0;
      best = Math.min(
        best,
        segmentDistM(a, c, d),
        segmentDistM(b, c, d),
        segmentDistM(c, a, b),
        segmentDistM(d, a, b),
      );
    }
  return best;
}

/** Whether the segments a–b and c–d cross (a touch shows as a distance of 0 at an end). */
function segmentsCross(a: XY, b: XY, c: XY, d: XY): boolean {
  const side = (p: XY, q: XY, r: XY): number =>
    cross([q[0] - p[0], q[1] - p[1]], [r[0] - p[0], r[1] - p[1]]);
  const d1 = side(c, d, a);
  const d2 = side(c, d, b);
  const d3 = side(a, b, c);
  const d4 = side(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

function dist(a: XY, b: XY): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
