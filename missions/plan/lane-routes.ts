import type { LocalFrame } from '../frame/index';
import {
  plannedSpeedMps,
  provenSortieCount,
  turnAngleRad,
  turnTimeS,
  usableTimeS,
  type DockSite,
} from '../sortie/index';
import { seededRandom, type DroneProfile, type WorkPath, type XY } from '../types/index';
import { overshootM } from './lane-bands';

/** Options of {@link planLaneRoutes}. */
export interface LaneRoutesOptions {
  /** Share of the usable time kept free for what the model does not see, %. Default 0. */
  slackPct?: number;
  /**
   * Give up at once (null) when a lower bound shows that fewer sorties than this cannot be flown:
   * k sorties hold k × (usable − climb, descent and start/stop − the legs to the nearest lane
   * and back) and must fly every lane piece. Default: always search.
   */
  fewerThan?: number;
  /**
   * Path between two points around the no-fly zones (metres, local frame, both ends included;
   * `[a, b]` when the straight segment is clear), e.g. `planPatrol`'s router. Every leg of the
   * model — piece to piece, dock to piece, piece to dock — is timed along it, and the transits
   * between pieces fly it. With it, a lane end overshoots only where the given coverage overshot
   * it (its own transits were routed past the zones). Default: straight legs.
   */
  route?: (a: XY, b: XY) => XY[];
  /** Seed of the ruin-and-recreate choices. Default 1. */
  seed?: number;
  /** Ruin-and-recreate rounds per lane piece in each attempt to drop one sortie. Default 40. */
  roundsPerPiece?: number;
  /**
   * Skip, when reinserting a piece, the positions between two pieces of a sortie that a bound
   * shows cannot be the cheapest (the result is the same; false weighs every one, slower).
   * Default true.
   */
  skipFarInsertions?: boolean;
  /**
   * Called now and then with the share of the search's round budget spent (every attempt at
   * every sortie it may drop), never falling, and with 1 at the end.
   */
  onProgress?: (fraction: number) => void;
}

/** The result of {@link planLaneRoutes}. */
export interface LaneRoutes {
  /** Lane pieces and the transits between them, sortie after sortie in flight order. */
  workPaths: WorkPath[];
  /** Sorties of the routes (each a contiguous run of `workPaths`). */
  sorties: number;
  /** Their total flight time by the energy model of `planSorties`, seconds. */
  timeS: number;
}

/**
 * Lane pieces a search takes at most: the connection table grows with their square and every
 * reinsertion weighs every position (one block of lanes beyond this goes to the band planner).
 */
export const LANE_ROUTES_MAX_PIECES = 400;
/** Rounds of one attempt at most, and attempts (each from the last split that fitted) per drop. */
const MAX_ROUNDS = 8000;
const ATTEMPTS = 6;
/** Average pieces removed per ruin, and the longest string (SISR's c̄ and L^max). */
const MEAN_REMOVED = 10;
const MAX_STRING = 10;
/** Rounds between two progress reports. */
const PROGRESS_ROUNDS = 64;
/** Probability of skipping a candidate position in the greedy reinsertion. */
const BLINK = 0.01;
/** Nearest pieces (by their middles) a ruin walks from its seed. */
const NEIGHBOURS = 30;
/** Price of a second over the battery against a second of flight, first and last round. */
const PENALTY_START = 1;
const PENALTY_END = 50;
/** Annealing temperatures over the rounds of one attempt, seconds of flight time. */
const START_TEMPERATURE_S = 10;
const END_TEMPERATURE_S = 0.05;
/**
 * An attempt whose dropped pieces, placed greedily, leave the routes more than this share of one
 * battery over it in all is given up before its rounds: on the real islands and synthetic
 * forests measured, every drop the search achieved started at most 0.18 over, and drops that
 * started 0.4 or more over never fitted (their full budget spent for nothing).
 */
const HOPELESS_OVER_SHARE = 0.4;
/**
 * An attempt still more than this share of one battery over it in all (the least over any round
 * so far) after {@link ABANDON_AT} of its rounds is given up too: on the real islands of the
 * bench, the attempts that fitted were under 0.035 over by an eighth of their rounds, the ones
 * that never fitted stayed above 0.09 throughout.
 */
const ABANDON_OVER_SHARE = 0.08;
const ABANDON_AT = 0.25;
/** A piece shorter than this is one photo position: it has no heading of its own. */
const POINT_PIECE_M = 1e-3;

/**
 * Lane pieces of any coverage (several cells, lanes in several directions) grouped into sorties
 * from the docks as a capacitated arc-routing problem: each piece is flown whole in either
 * direction, each sortie leaves a dock, flies its pieces joined by straight transits (with the
 * coverage planner's overshoot beyond outer lane ends) and comes back. From the pieces in the
 * given order split into sorties as they come, the sortie with the least flight is emptied and
 * its pieces placed in the others at once, over the battery where they must; a slack-inducing
 * string-removal search (Christiaens & Vanden Berghe's SISR: strings of neighbouring pieces
 * removed from several sorties, greedy reinsertion at the cheapest position and direction with
 * blinks, simulated annealing) then lowers flight time plus a growing price on the time over the
 * battery (Nagata & Bräysy's route minimisation) until every sortie fits again; then the next
 * sortie goes. Times follow the model `planSorties` uses (legs at the planned speed, turns where
 * the path bends, climb, descent and start/stop, each sortie from its fastest dock), so the
 * caller can judge the result with it like any other coverage order.
 *
 * Lane paths may have corners (a bend along the area's edge): their turns count inside them.
 * With `route` (no-fly zones), every leg follows it: the transits carry its detour vertices, so a
 * pre-flight check sees legs that stay out of the zones, and the times count its length and the
 * turns at its vertices (at least what `planSorties` counts with `legLengthM` along the route).
 * Returns null when the work is not lanes at one altitude (corridor passes, fewer than three
 * pieces, more than {@link LANE_ROUTES_MAX_PIECES}), when a piece cannot be flown within one
 * battery, or when `fewerThan` cannot be reached. Pure and deterministic for a seed; the rounds
 * are counted, not timed.
 *
 * @example
 * const routes = planLaneRoutes(cutLanes(plan.workPaths, frame, 800), docks, drone, frame);
 * routes?.sorties; // e.g. 4 where the coverage order split as it comes needs 5
 */
export function planLaneRoutes(
  workPaths: readonly WorkPath[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  frame: LocalFrame,
  options: LaneRoutesOptions = {},
): LaneRoutes | null {
  if (docks.length === 0 || workPaths.some((w) => w.kind === 'pass')) return null;
  const lanes = workPaths.filter((w) => w.kind === 'lane');
  if (lanes.length < 3 || lanes.length > LANE_ROUTES_MAX_PIECES) return null;
  if (lanes.some((w) => w.coordinates.length < 2)) return null;
  const altitudeM = lanes[0]!.altitudeAglM;
  if (lanes.some((w) => w.altitudeAglM !== altitudeM)) return null;
  const model = new PieceModel(
    lanes,
    docks,
    drone,
    frame,
    altitudeM,
    overshootM(workPaths, frame),
    usableTimeS(drone) * (1 - (options.slackPct ?? 0) / 100),
    options.route ?? null,
    options.route ? overshotEnds(workPaths, frame) : null,
  );
  // The search stops at (and gives up below) what no order of these pieces can beat.
  const proven = provenSortieCount(
    lanes.map((w, k) => ({
      label: `lane piece ${k + 1}`,
      path: w.coordinates.map((q) => frame.toLocal(q)),
      altitudeM: w.altitudeAglM,
    })),
    docks,
    drone,
    { slackPct: options.slackPct ?? 0 },
  );
  const least = Math.max(model.leastSorties(), proven.count);
  if (options.fewerThan !== undefined && least >= options.fewerThan) return null;
  const search = new PieceSearch(model, options.seed ?? 1, options.skipFarInsertions ?? true);
  if (!search.splitInOrder()) return null;
  const rounds = Math.max(
    50,
    Math.min(MAX_ROUNDS, Math.round((options.roundsPerPiece ?? 40) * lanes.length)),
  );
  let best = search.snapshot();
  const budget = Math.max(1, (best.routes.length - least) * ATTEMPTS * rounds);
  let spent = 0;
  const onRound = options.onProgress
    ? (): void => {
        if (++spent % PROGRESS_ROUNDS === 0) options.onProgress?.(Math.min(1, spent / budget));
      }
    : undefined;
  while (best.routes.length > least) {
    let ok = false;
    for (let a = 0; a < ATTEMPTS && !ok; a++) {
      search.restore(best);
      search.dropLightestRoute();
      ok = search.annealOverCapacity(rounds, onRound);
    }
    if (!ok) break;
    best = search.snapshot();
  }
  options.onProgress?.(1);
  if (options.fewerThan !== undefined && best.routes.length >= options.fewerThan) return null;
  return {
    workPaths: best.routes.flatMap((r) => model.workPaths(r)),
    sorties: best.routes.length,
    timeS: best.times.reduce((s, t) => s + t, 0),
  };
}

/**
 * Lane pieces as states (piece × direction), with the flight times between them and from and to
 * the docks, in the model of `planSorties`.
 */
class PieceModel {
  /** Number of pieces; state `2k` flies piece k as given, `2k + 1` reversed. */
  readonly n: number;
  readonly speed: number;
  readonly overheadS: number;
  /** Flight time of each piece alone, seconds. */
  readonly pieceS: Float64Array;
  /** Middle of each piece (for the ruin's neighbourhoods). */
  readonly middles: XY[];
  private readonly entry: XY[] = [];
  private readonly exit: XY[] = [];
  /** Unit heading of each state where it starts and where it ends ([0, 0]: one photo position). */
  private readonly entryHeading: XY[] = [];
  private readonly exitHeading: XY[] = [];
  private readonly outerEntry: boolean[] = [];
  private readonly outerExit: boolean[] = [];
  private readonly states: number;
  /** Connection times between states, filled when first asked (NaN until then). */
  private readonly conn: Float64Array;
  /** Connections that go around a no-fly zone, by `a × states + b`: their vertices. */
  private readonly detours = new Map<number, XY[]>();
  /** Per dock, the legs into each state and back from it. */
  readonly intoS: Float64Array[];
  readonly backS: Float64Array[];

  constructor(
    private readonly lanes: readonly WorkPath[],
    private readonly docks: readonly DockSite[],
    private readonly drone: DroneProfile,
    private readonly frame: LocalFrame,
    private readonly altitudeM: number,
    private readonly turnaroundM: number,
    readonly usableS: number,
    private readonly route: ((a: XY, b: XY) => XY[]) | null,
    /** Lane ends (`lon,lat`) the given coverage overshot; null: every outer end. */
    overshot: ReadonlySet<string> | null,
  ) {
    this.n = lanes.length;
    this.speed = plannedSpeedMps(drone);
    this.overheadS =
      altitudeM / drone.climbRateMps +
      altitudeM / drone.descentRateMps +
      drone.cruiseSpeedMps / drone.accelerationMps2;
    // An end shared with another piece is a cut inside a lane: no overshoot there.
    const ends = new Map<string, number>();
    const key = (q: readonly number[]): string => `${q[0]},${q[1]}`;
    for (const w of lanes)
      for (const q of [w.coordinates[0]!, w.coordinates.at(-1)!])
        ends.set(key(q), (ends.get(key(q)) ?? 0) + 1);
    this.pieceS = new Float64Array(this.n);
    this.middles = [];
    const unit = (p: XY, q: XY): XY => {
      const m = dist(p, q);
      return m < POINT_PIECE_M ? [0, 0] : [(q[0] - p[0]) / m, (q[1] - p[1]) / m];
    };
    lanes.forEach((w, k) => {
      // A lane is straight; a bend along the area's edge (its own lane path) may have corners.
      const pts = w.coordinates.map((q) => frame.toLocal(q));
      const a = pts[0]!;
      const b = pts.at(-1)!;
      let lengthM = 0;
      let turnS = 0;
      for (let i = 1; i < pts.length; i++) lengthM += dist(pts[i - 1]!, pts[i]!);
      for (let i = 1; i + 1 < pts.length; i++)
        turnS += turnTimeS(turnAngleRad(pts[i - 1]!, pts[i]!, pts[i + 1]!), drone);
      const first = lengthM < POINT_PIECE_M ? ([0, 0] as XY) : unit(a, pts[1]!);
      const last = lengthM < POINT_PIECE_M ? ([0, 0] as XY) : unit(pts.at(-2)!, b);
      const overshoots = (q: readonly number[]): boolean =>
        ends.get(key(q)) === 1 && (overshot === null || overshot.has(key(q)));
      const outerA = overshoots(w.coordinates[0]!);
      const outerB = overshoots(w.coordinates.at(-1)!);
      // A single photo position turns as the legs around it bend: charged as a full U-turn.
      this.pieceS[k] =
        lengthM / this.speed + turnS + (lengthM < POINT_PIECE_M ? turnTimeS(Math.PI, drone) : 0);
      this.middles.push([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
      this.entry.push(a, b);
      this.exit.push(b, a);
      this.entryHeading.push(first, [-last[0], -last[1]]);
      this.exitHeading.push(last, [-first[0], -first[1]]);
      this.outerEntry.push(outerA, outerB);
      this.outerExit.push(outerB, outerA);
    });
    const states = 2 * this.n;
    this.states = states;
    this.conn = new Float64Array(states * states).fill(NaN);
    this.intoS = docks.map(() => new Float64Array(states));
    this.backS = docks.map(() => new Float64Array(states));
    docks.forEach((d, k) => {
      for (let s = 0; s < states; s++) {
        const p = this.entry[s]!;
        const e = this.exit[s]!;
        const hIn = this.entryHeading[s]!;
        const hOut = this.exitHeading[s]!;
        const ahead: XY = [p[0] + hIn[0], p[1] + hIn[1]];
        const behind: XY = [e[0] - hOut[0], e[1] - hOut[1]];
        const into = this.leg(d.xy, p);
        const back = this.leg(e, d.xy);
        // Along a detour, the turns at its corners; where the leg joins the work, the larger of
        // the turn from its last corner and the one `planSorties` counts (from the dock itself).
        this.intoS[k]![s] =
          pathS(into, drone, this.speed) +
          Math.max(
            turnTimeS(turnAngleRad(into.at(-2)!, p, ahead), drone),
            turnTimeS(turnAngleRad(d.xy, p, ahead), drone),
          );
        this.backS[k]![s] =
          pathS(back, drone, this.speed) +
          Math.max(
            turnTimeS(turnAngleRad(behind, e, back[1]!), drone),
            turnTimeS(turnAngleRad(behind, e, d.xy), drone),
          );
      }
    });
  }

  /** The path from `a` to `b` around the no-fly zones (straight without a router). */
  private leg(a: XY, b: XY): XY[] {
    if (!this.route || (a[0] === b[0] && a[1] === b[1])) return [a, b];
    return this.route(a, b);
  }

  /** Where state `s` starts and where it ends (metres, local frame). */
  entryPoint(s: number): XY {
    return this.entry[s]!;
  }
  exitPoint(s: number): XY {
    return this.exit[s]!;
  }

  /** Time from the end of state `a` to the start of state `b`, with their turns, seconds. */
  connS(a: number, b: number): number {
    const t = this.conn[a * this.states + b]!;
    return t === t ? t : this.fillConn(a, b);
  }

  private fillConn(a: number, b: number): number {
    const pts = this.connection(a, b);
    const ha = this.exitHeading[a]!;
    const hb = this.entryHeading[b]!;
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    const path: XY[] = [
      [first[0] - ha[0], first[1] - ha[1]],
      ...pts,
      [last[0] + hb[0], last[1] + hb[1]],
    ];
    let t = 0;
    for (let k = 1; k < pts.length; k++) t += dist(pts[k - 1]!, pts[k]!) / this.speed;
    for (let k = 1; k + 1 < path.length; k++)
      t += turnTimeS(turnAngleRad(path[k - 1]!, path[k]!, path[k + 1]!), this.drone);
    this.conn[a * this.states + b] = t;
    // Flown the other way (b reversed, then a reversed), the same path backwards, the same turns.
    if (this.route) this.conn[(b ^ 1) * this.states + (a ^ 1)] = t;
    return t;
  }

  /** Vertices from the end of `a` to the start of `b` (both included, repeats dropped). */
  connection(a: number, b: number): XY[] {
    const known = this.detours.get(a * this.states + b);
    if (known) return known;
    const e = this.exit[a]!;
    const s = this.entry[b]!;
    let out = e;
    let into = s;
    const tr = this.turnaroundM;
    if (tr > 0 && !(e[0] === s[0] && e[1] === s[1])) {
      const ha = this.exitHeading[a]!;
      const hb = this.entryHeading[b]!;
      if (this.outerExit[a]) out = [e[0] + ha[0] * tr, e[1] + ha[1] * tr];
      if (this.outerEntry[b]) into = [s[0] - hb[0] * tr, s[1] - hb[1] * tr];
    }
    const leg = this.leg(out, into);
    const pts = [e, ...leg, s].filter(
      (p, k, all) => k === 0 || p[0] !== all[k - 1]![0] || p[1] !== all[k - 1]![1],
    );
    if (leg.length > 2) {
      // Kept, so that the transit flown is the one timed (and its reverse, timed with it).
      this.detours.set(a * this.states + b, pts);
      this.detours.set((b ^ 1) * this.states + (a ^ 1), [...pts].reverse());
    }
    return pts;
  }

  /** Flight time of a route of states from dock `d`, climb and descent included, seconds. */
  routeS(states: readonly number[], d: number): number {
    if (states.length === 0) return 0;
    let t = this.overheadS + this.intoS[d]![states[0]!]! + this.backS[d]![states.at(-1)!]!;
    for (let k = 0; k < states.length; k++) {
      t += this.pieceS[states[k]! >> 1]!;
      if (k > 0) t += this.connS(states[k - 1]!, states[k]!);
    }
    return t;
  }

  /** The dock from which the route of `states` is shortest. */
  bestDock(states: readonly number[]): number {
    if (states.length === 0 || this.docks.length === 1) return 0;
    const a = states[0]!;
    const b = states.at(-1)!;
    let best = 0;
    for (let d = 1; d < this.docks.length; d++)
      if (this.intoS[d]![a]! + this.backS[d]![b]! < this.intoS[best]![a]! + this.backS[best]![b]!)
        best = d;
    return best;
  }

  /** Sorties at least: all pieces, each sortie paying its overhead and the nearest legs. */
  leastSorties(): number {
    let legS = Infinity;
    let workS = 0;
    for (let s = 0; s < 2 * this.n; s++)
      for (let d = 0; d < this.docks.length; d++)
        legS = Math.min(legS, this.intoS[d]![s]! + this.backS[d]![s]!);
    for (const t of this.pieceS) workS += t;
    const roomS = this.usableS - this.overheadS - legS;
    return roomS > 0 ? Math.max(1, Math.ceil(workS / roomS - 1e-9)) : Infinity;
  }

  /** The route's pieces as lane work paths with the transits between them. */
  workPaths(states: readonly number[]): WorkPath[] {
    const out: WorkPath[] = [];
    states.forEach((s, k) => {
      const lane = this.lanes[s >> 1]!;
      const coords = s & 1 ? [...lane.coordinates].reverse() : lane.coordinates;
      if (k > 0) {
        const prev = states[k - 1]!;
        const pts = this.connection(prev, s);
        if (pts.length > 1) {
          const prevLane = this.lanes[prev >> 1]!;
          const from = prev & 1 ? prevLane.coordinates[0]! : prevLane.coordinates.at(-1)!;
          out.push({
            kind: 'transit',
            coordinates: pts.map((q, m) =>
              m === 0 ? from : m === pts.length - 1 ? coords[0]! : this.frame.toLonLat(q),
            ),
            altitudeAglM: this.altitudeM,
            triggerDistanceM: null,
          });
        }
      }
      out.push({ ...lane, coordinates: [...coords] });
    });
    return out;
  }
}

interface Snapshot {
  routes: number[][];
  docks: number[];
  times: number[];
  /** With every route: the insertion bound's boxes and longest connections (see `reindex`). */
  boxes?: Float64Array[];
  widestGapS?: number[];
}

/** The routes being searched: states per route, each route's dock and time. */
class PieceSearch {
  private routes: number[][] = [];
  private docks: number[] = [];
  private times: number[] = [];
  private readonly rand: () => number;
  private readonly near: Int32Array[];
  /** Route of each piece (−1 while removed) and its index there. */
  private readonly routeOf: Int32Array;
  private readonly posOf: Int32Array;

  constructor(
    private readonly m: PieceModel,
    seed: number,
    private readonly skipFar: boolean,
  ) {
    this.rand = seededRandom(seed);
    this.routeOf = new Int32Array(m.n).fill(-1);
    this.posOf = new Int32Array(m.n);
    const k = Math.min(NEIGHBOURS, m.n - 1);
    this.near = m.middles.map((p, i) => {
      const order = m.middles
        .map((q, j) => ({ j, d: dist(p, q) }))
        .filter((x) => x.j !== i)
        .sort((x, y) => x.d - y.d || x.j - y.j)
        .slice(0, k);
      return Int32Array.from(order.map((x) => x.j));
    });
  }

  /** Pieces in the given order and direction, a new sortie whenever the next would not fit. */
  splitInOrder(): boolean {
    const routes: number[][] = [];
    let current: number[] = [];
    for (let k = 0; k < this.m.n; k++) {
      const next = [...current, 2 * k];
      if (this.m.routeS(next, this.m.bestDock(next)) <= this.m.usableS) {
        current = next;
        continue;
      }
      if (current.length === 0) return false;
      routes.push(current);
      current = [2 * k];
      if (this.m.routeS(current, this.m.bestDock(current)) > this.m.usableS) return false;
    }
    if (current.length > 0) routes.push(current);
    this.load(routes);
    return true;
  }

  snapshot(): Snapshot {
    const keep = this.routes.map((r, k) => k).filter((k) => this.routes[k]!.length > 0);
    return {
      routes: keep.map((k) => [...this.routes[k]!]),
      docks: keep.map((k) => this.docks[k]!),
      times: keep.map((k) => this.times[k]!),
    };
  }

  restore(s: Snapshot): void {
    this.load(s.routes.map((r) => [...r]));
  }

  private load(routes: number[][]): void {
    this.routes = routes;
    this.docks = routes.map((r) => this.m.bestDock(r));
    this.times = routes.map((r, k) => this.m.routeS(r, this.docks[k]!));
    this.reindexAll();
  }

  /**
   * Per route: the box [minX, minY, maxX, maxY] of its piece ends, and its longest connection
   * between two pieces (seconds): what an insertion between two pieces takes out at most.
   */
  private boxes: Float64Array[] = [];
  private widestGapS: number[] = [];
  /** Blink draws of one reinsertion, reused. */
  private blinks = new Uint8Array(64);

  private reindexAll(): void {
    this.boxes.length = this.routes.length;
    this.widestGapS.length = this.routes.length;
    this.routeOf.fill(-1);
    for (let r = 0; r < this.routes.length; r++) this.reindex(r);
  }

  /** Route and position of every piece of route `r`, and its dock and time again. */
  private reindex(r: number): void {
    const route = this.routes[r]!;
    for (let i = 0; i < route.length; i++) {
      this.routeOf[route[i]! >> 1] = r;
      this.posOf[route[i]! >> 1] = i;
    }
    const d = this.m.bestDock(route);
    this.docks[r] = d;
    this.times[r] = this.m.routeS(route, d);
    // For the insertion bound: the box of the route's piece ends, its longest connection.
    const box = (this.boxes[r] ??= new Float64Array(4));
    box[0] = box[1] = Infinity;
    box[2] = box[3] = -Infinity;
    let widestS = 0;
    for (let i = 0; i < route.length; i++) {
      const st = route[i]!;
      for (const [x, y] of [this.m.entryPoint(st), this.m.exitPoint(st)]) {
        if (x < box[0]!) box[0] = x;
        if (y < box[1]!) box[1] = y;
        if (x > box[2]!) box[2] = x;
        if (y > box[3]!) box[3] = y;
      }
      if (i + 1 < route.length) widestS = Math.max(widestS, this.m.connS(st, route[i + 1]!));
    }
    this.widestGapS[r] = widestS;
  }

  /** Empties the route with the `rank`-th least flight time; its pieces wait in the pool. */
  dropLightestRoute(rank = 0): number[] {
    const byTime = this.routes
      .map((_, i) => i)
      .sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    const k = byTime[Math.min(rank, byTime.length - 1)]!;
    const pool = this.routes[k]!.map((s) => s >> 1);
    this.routes.splice(k, 1);
    this.docks.splice(k, 1);
    this.times.splice(k, 1);
    this.reindexAll();
    this.pool = pool;
    return pool;
  }

  private pool: number[] = [];

  private over(t: number): number {
    return t > this.m.usableS ? t - this.m.usableS : 0;
  }

  private cost(penalty: number): number {
    let c = 0;
    for (const t of this.times) c += t + penalty * this.over(t);
    return c;
  }

  /**
   * Places the pool, then ruins and recreates under annealing with a growing price on the time
   * over the battery; true as soon as every piece is placed and every route fits.
   */
  annealOverCapacity(rounds: number, onRound?: () => void): boolean {
    const ratioT = END_TEMPERATURE_S / START_TEMPERATURE_S;
    const ratioP = PENALTY_END / PENALTY_START;
    this.recreate(this.pool, PENALTY_START);
    this.pool = [];
    if (this.fits()) return true;
    if (this.times.reduce((s, t) => s + this.over(t), 0) > HOPELESS_OVER_SHARE * this.m.usableS) {
      if (onRound) for (let it = 0; it < rounds; it++) onRound();
      return false;
    }
    let current = this.snapshot();
    let currentCost = this.cost(PENALTY_START);
    let leastOverS = Infinity;
    const checkAt = Math.ceil(rounds * ABANDON_AT);
    for (let it = 0; it < rounds; it++) {
      if (it === checkAt && leastOverS > ABANDON_OVER_SHARE * this.m.usableS) {
        if (onRound) for (let k = it; k < rounds; k++) onRound();
        return false;
      }
      onRound?.();
      const f = it / rounds;
      const temperature = START_TEMPERATURE_S * ratioT ** f;
      const penalty = PENALTY_START * ratioP ** f;
      currentCost = this.costOf(current, penalty);
      const removed = this.ruin();
      this.recreate(removed, penalty);
      const c = this.cost(penalty);
      let overS = 0;
      for (const t of this.times) overS += this.over(t);
      if (overS < leastOverS) leastOverS = overS;
      if (c < currentCost - temperature * Math.log(1 - this.rand())) {
        if (this.fits()) return true;
        current = this.snapshotAll();
        currentCost = c;
      } else {
        this.restoreAll(current);
      }
    }
    return false;
  }

  private costOf(s: Snapshot, penalty: number): number {
    let c = 0;
    for (const t of s.times) c += t + penalty * this.over(t);
    return c;
  }

  /** Every route (empty ones included) copied, so that route indices stay put. */
  private snapshotAll(): Snapshot {
    return {
      routes: this.routes.map((r) => [...r]),
      docks: [...this.docks],
      times: [...this.times],
      boxes: this.boxes.map((b) => Float64Array.from(b)),
      widestGapS: [...this.widestGapS],
    };
  }

  private restoreAll(s: Snapshot): void {
    this.routes = s.routes.map((r) => [...r]);
    this.docks = [...s.docks];
    this.times = [...s.times];
    if (!s.boxes || !s.widestGapS) {
      this.reindexAll();
      return;
    }
    // Docks, times and bounds as they were: only the pieces' places are indexed again.
    this.boxes = s.boxes.map((b) => Float64Array.from(b));
    this.widestGapS = [...s.widestGapS];
    this.routeOf.fill(-1);
    for (let r = 0; r < this.routes.length; r++) {
      const route = this.routes[r]!;
      for (let i = 0; i < route.length; i++) {
        this.routeOf[route[i]! >> 1] = r;
        this.posOf[route[i]! >> 1] = i;
      }
    }
  }

  private fits(): boolean {
    return this.times.every((t) => t <= this.m.usableS + 1e-9);
  }

  /** SISR's ruin: strings of pieces around a random seed piece, from several routes. */
  private ruin(): number[] {
    const n = this.m.n;
    const avg = n / Math.max(1, this.routes.filter((r) => r.length > 0).length);
    const lsMax = Math.min(MAX_STRING, avg);
    const ksMax = (4 * MEAN_REMOVED) / (1 + lsMax) - 1;
    const ks = Math.floor(this.rand() * ksMax) + 1;
    const seed = Math.floor(this.rand() * n);
    const removed: number[] = [];
    const ruined = new Set<number>();
    const candidates = [seed, ...this.near[seed]!];
    for (const c of candidates) {
      if (ruined.size >= ks) break;
      const r = this.routeOf[c]!;
      if (r < 0 || ruined.has(r)) continue;
      const route = this.routes[r]!;
      const lMax = Math.min(route.length, lsMax);
      const l = Math.floor(this.rand() * lMax) + 1;
      const pos = this.posOf[c]!;
      const start = Math.max(0, Math.min(route.length - l, pos - Math.floor(this.rand() * l)));
      for (const s of route.splice(start, l)) {
        removed.push(s >> 1);
        this.routeOf[s >> 1] = -1;
      }
      ruined.add(r);
      this.reindex(r);
    }
    return removed;
  }

  /** Greedy reinsertion with blinks, in random or far-from-the-dock-first order. */
  private recreate(pieces: number[], penalty: number): void {
    const order = [...pieces];
    if (this.rand() < 0.5) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(this.rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    } else {
      const far = (p: number): number => {
        let best = Infinity;
        for (let d = 0; d < this.m.intoS.length; d++)
          best = Math.min(best, this.m.intoS[d]![2 * p]!);
        return best;
      };
      order.sort((a, b) => far(b) - far(a) || a - b);
    }
    for (const p of order) {
      this.bestCost = Infinity;
      this.bestRoute = -1;
      // Every position of every route, in both directions, each skipped with a small chance
      // (the blinks, drawn first in scan order).
      let positions = 0;
      for (const route of this.routes) positions += route.length + 1;
      if (this.blinks.length < positions) this.blinks = new Uint8Array(2 * positions);
      for (let i = 0; i < positions; i++) this.blinks[i] = this.rand() < BLINK ? 1 : 0;
      // Between two pieces of a route, an insertion that must cost more than one already
      // weighed is skipped: the choice is the same as weighing it. The threshold comes from the
      // route of the piece's nearest placed neighbour; such an insertion costs at least the
      // piece, twice the way from its ends to the box of the route's piece ends (legs are never
      // shorter than straight) less the route's longest connection (all it takes out), when that
      // is not negative, plus the price of that much more time over the battery. The positions
      // next to the dock are always weighed.
      let thresholdS = Infinity;
      let seed = -1;
      for (const q of this.near[p]!) {
        seed = this.routeOf[q]!;
        if (seed >= 0) break;
      }
      let at = 0;
      if (seed >= 0) {
        for (let r = 0; r < seed; r++) at += this.routes[r]!.length + 1;
        for (let pos = 0; pos <= this.routes[seed]!.length; pos++)
          if (!this.blinks[at + pos])
            thresholdS = Math.min(thresholdS, this.insertCost(p, seed, pos, penalty, -1));
      }
      at = 0;
      const [ax, ay] = this.m.entryPoint(2 * p);
      const [bx, by] = this.m.exitPoint(2 * p);
      for (let r = 0; r < this.routes.length; r++) {
        const len = this.routes[r]!.length;
        if (this.skipFar && len > 0 && thresholdS < Infinity) {
          const box = this.boxes[r]!;
          const wayM = Math.min(boxDistance(ax, ay, box), boxDistance(bx, by, box));
          const leastS = this.m.pieceS[p]! + (2 * wayM) / this.m.speed - this.widestGapS[r]!;
          // With the price on the time over the battery that so much more time at least adds.
          const t = this.times[r]!;
          if (
            leastS >= 0 &&
            leastS + penalty * (this.over(t + leastS) - this.over(t)) > thresholdS
          ) {
            if (!this.blinks[at]) this.insertCost(p, r, 0, penalty, r);
            if (!this.blinks[at + len]) this.insertCost(p, r, len, penalty, r);
            at += len + 1;
            continue;
          }
        }
        for (let pos = 0; pos <= len; pos++)
          if (!this.blinks[at + pos]) this.insertCost(p, r, pos, penalty, r);
        at += len + 1;
      }
      if (this.bestRoute < 0) {
        // Every position blinked: the first route takes it at its end.
        this.bestRoute = 0;
        this.bestPos = this.routes[0]!.length;
        this.bestState = 2 * p;
      }
      this.routes[this.bestRoute]!.splice(this.bestPos, 0, this.bestState);
      this.reindex(this.bestRoute);
    }
  }

  private bestCost = Infinity;
  private bestRoute = -1;
  private bestPos = 0;
  private bestState = 0;

  /**
   * Weighs piece `p` at `pos` of route `r` in both directions and returns the cheaper cost; with
   * `keep` (= r) it also keeps the cheapest so far (strictly cheaper only: the first stays).
   */
  private insertCost(p: number, r: number, pos: number, penalty: number, keep: number): number {
    const m = this.m;
    const route = this.routes[r]!;
    const d = this.docks[r]!;
    const time = this.times[r]!;
    const overBefore = this.over(time);
    const prev = pos > 0 ? route[pos - 1]! : -1;
    const next = pos < route.length ? route[pos]! : -1;
    const removedS =
      route.length === 0
        ? -m.overheadS
        : prev < 0
          ? m.intoS[d]![next]!
          : next < 0
            ? m.backS[d]![prev]!
            : m.connS(prev, next);
    let least = Infinity;
    for (let o = 0; o < 2; o++) {
      const s = 2 * p + o;
      const delta =
        m.pieceS[p]! +
        (prev < 0 ? m.intoS[d]![s]! : m.connS(prev, s)) +
        (next < 0 ? m.backS[d]![s]! : m.connS(s, next)) -
        removedS;
      const cost = delta + penalty * (this.over(time + delta) - overBefore);
      if (cost < least) least = cost;
      if (keep >= 0 && cost < this.bestCost) {
        this.bestCost = cost;
        this.bestRoute = r;
        this.bestPos = pos;
        this.bestState = s;
      }
    }
    return least;
  }
}

/** Flight time along a path at `speed`, with the turns at its inner vertices, seconds. */
function pathS(path: readonly XY[], drone: DroneProfile, speed: number): number {
  let t = 0;
  for (let k = 1; k < path.length; k++) t += dist(path[k - 1]!, path[k]!) / speed;
  for (let k = 1; k + 1 < path.length; k++)
    t += turnTimeS(turnAngleRad(path[k - 1]!, path[k]!, path[k + 1]!), drone);
  return t;
}

/**
 * The lane ends (`lon,lat`) where the coverage's own transits overshoot: a transit that leaves a
 * lane straight on along its last leg, or reaches one along its first. The coverage planner drops
 * an overshoot that would enter a no-fly zone (grown by its margin), so only these are safe.
 */
function overshotEnds(workPaths: readonly WorkPath[], frame: LocalFrame): Set<string> {
  const out = new Set<string>();
  const key = (q: readonly number[]): string => `${q[0]},${q[1]}`;
  const straightOn = (a: XY, b: XY, c: XY): boolean => {
    const u: XY = [b[0] - a[0], b[1] - a[1]];
    const v: XY = [c[0] - b[0], c[1] - b[1]];
    const uM = Math.hypot(u[0], u[1]);
    const vM = Math.hypot(v[0], v[1]);
    return (
      uM > 0 &&
      vM > 0 &&
      Math.abs(u[0] * v[1] - u[1] * v[0]) < 1e-6 * uM * vM &&
      u[0] * v[0] + u[1] * v[1] > 0
    );
  };
  for (let k = 1; k < workPaths.length; k++) {
    const prev = workPaths[k - 1]!;
    const w = workPaths[k]!;
    if (prev.kind === 'lane' && w.kind === 'transit' && w.coordinates.length >= 2) {
      const [a, b] = prev.coordinates.slice(-2).map((q) => frame.toLocal(q));
      const c = frame.toLocal(w.coordinates[1]!);
      if (a && b && straightOn(a, b, c)) out.add(key(prev.coordinates.at(-1)!));
    }
    if (prev.kind === 'transit' && w.kind === 'lane' && prev.coordinates.length >= 2) {
      const a = frame.toLocal(prev.coordinates.at(-2)!);
      const [b, c] = w.coordinates.slice(0, 2).map((q) => frame.toLocal(q));
      if (b && c && straightOn(a, b, c)) out.add(key(w.coordinates[0]!));
    }
  }
  return out;
}

/** Distance from (x, y) to the box [minX, minY, maxX, maxY], metres (0 inside). */
function boxDistance(x: number, y: number, box: Float64Array): number {
  const dx = Math.max(box[0]! - x, 0, x - box[2]!);
  const dy = Math.max(box[1]! - y, 0, y - box[3]!);
  return Math.hypot(dx, dy);
}

function dist(a: XY, b: XY): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
