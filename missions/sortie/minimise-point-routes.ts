import { neighbourLists } from '../tour/index';
import { seededRandom, type XY } from '../types/index';

/**
 * A routing problem over inspection points from one or more docks: every route starts and ends at
 * its dock, costs `overheadS` (climb, descent, start/stop) plus its legs at `speedMps`, a turn cost
 * at each point and each point's hover, and must fit `capacityS`.
 */
export interface PointRouteProblem {
  /** The docks routes may fly from (at least one); routes name them by index. */
  docks: readonly XY[];
  points: readonly XY[];
  /** Hover (or other fixed) time at each point, seconds. Default 0 each. */
  serviceS?: readonly number[];
  /** Time every sortie spends regardless of its points (climb, descent, start/stop), seconds. */
  overheadS: number;
  /** Planned ground speed of the legs, m/s. */
  speedMps: number;
  /**
   * Time of a full U-turn at a point, seconds (v/a); a turn of θ costs `uTurnS` · (1 − cos θ)/2,
   * as in the energy model. No turn is charged at the dock.
   */
  uTurnS: number;
  /** Usable time of one sortie, seconds. */
  capacityS: number;
}

/** Options of {@link minimisePointRoutes}. */
export interface MinimisePointRoutesOptions {
  /** Seed of the ruin-and-recreate choices. Default 1. */
  seed?: number;
  /** Ruin-and-recreate rounds per attempt to drop one route (counted, not timed). Default 20 000. */
  iterations?: number;
  /** Stop once this many routes remain (e.g. a lower bound). Default 1. */
  minRoutes?: number;
  /** Rounds spent shortening the routes kept after the drops (routes may still empty). Default 0. */
  polishIterations?: number;
  /**
   * An attempt to drop a route that ends less than this share of one battery over capacity (time
   * over, summed over the routes, against `capacityS`) is tried again from the same routes with a
   * fresh search of `retryIterations` rounds, at most `retries` times. Default 0.05.
   */
  closeOverCapacityShare?: number;
  /** Attempts again at a close drop (see `closeOverCapacityShare`). Default 0. */
  retries?: number;
  /** Rounds of each such attempt. Default 4 × `iterations`. */
  retryIterations?: number;
  /**
   * Called every few hundred rounds with the share of the most rounds this call may run (every
   * drop attempt to `minRoutes`, the retries and the polish), 0–1, never decreasing; 1 at the end.
   */
  onProgress?: (fraction: number) => void;
}

/** One route: the index of its dock in `problem.docks` and its points in flight order. */
export interface PointRoute {
  dock: number;
  points: readonly number[];
}

/** Result of {@link minimisePointRoutes}. */
export interface PointRoutes {
  /** Point indices per route, in flight order from its dock. */
  routes: number[][];
  /** Dock index (into `problem.docks`) of each route. */
  docks: number[];
  /** Time of each route, seconds (same model as the input problem). */
  timeS: number[];
  /** Ruin-and-recreate rounds run in total. */
  iterations: number;
  /**
   * Time over capacity, summed over the routes, seconds, of the closest the last attempt to
   * drop a route (and its retries) came (one route fewer than returned, every point placed); 0
   * when no attempt failed (`minRoutes` reached, or nothing to drop). How far the search stayed
   * from one sortie fewer, not a proof that it cannot be flown.
   */
  overCapacityS: number;
  /** Attempts made again because a drop ended close (see `closeOverCapacityShare`). */
  retries: number;
}

/**
 * Fewer, then shorter, dock-to-dock routes over inspection points (a distance-constrained vehicle
 * routing problem with turn costs, one or more docks): from feasible `initial` routes, the shortest
 * route is emptied and its points placed in the others at once, over capacity where they must;
 * a slack-inducing string-removal search (Christiaens & Vanden Berghe, SISR: strings removed
 * from neighbouring routes, greedy reinsertion with blinks, simulated annealing) then lowers the
 * route time plus a growing price on the time over capacity, as in Nagata & Bräysy's route
 * minimisation, until every route fits again; points move to a route of any dock, and each changed
 * route flies from whichever dock makes it shortest. On success the next route goes, until
 * `minRoutes` or an attempt runs out of rounds (its routes are then the last ones that all fit);
 * an attempt that ends close to fitting is made again with a fresh, longer search (`retries`).
 * The polish anneals on time alone, every route kept within the capacity. From feasible initial
 * routes, every returned route fits the capacity in this model (callers re-check with the full
 * energy model: detours, terrain). Deterministic for a seed.
 *
 * @example
 * const initial = [[0, 1], [2, 3], [4]].map((points) => ({ dock: 0, points }));
 * const r = minimisePointRoutes(problem, initial, { minRoutes: 2 });
 * r.routes.length; // 2 when one battery holds three of the points
 */
export function minimisePointRoutes(
  problem: PointRouteProblem,
  initial: readonly PointRoute[],
  options: MinimisePointRoutesOptions = {},
): PointRoutes {
  const search = new RouteSearch(problem, options.seed ?? 1);
  search.load(initial);
  const iterations = options.iterations ?? 20_000;
  const minRoutes = Math.max(1, options.minRoutes ?? 1);
  const polish = options.polishIterations ?? 0;
  const retries = Math.max(0, options.retries ?? 0);
  const retryIterations = options.retryIterations ?? 4 * iterations;
  const closeS = (options.closeOverCapacityShare ?? 0.05) * problem.capacityS;
  let best = search.snapshot();
  let total = 0;
  let retried = 0;
  // Progress over the most rounds possible; an attempt that ends early skips the rest of its share.
  const drops = Math.max(0, best.routes.length - minRoutes);
  const maxRounds = iterations * drops + (drops > 0 ? retries * retryIterations : 0) + polish;
  let budgetUsed = 0;
  let overCapacityS = 0;
  const report = options.onProgress;
  if (report) search.onRounds = (k) => report(maxRounds > 0 ? (budgetUsed + k) / maxRounds : 1);
  while (best.routes.length > minRoutes) {
    search.restore(best);
    search.dropShortestRoute();
    let run = search.annealOverCapacity(iterations);
    total += run.rounds;
    budgetUsed += iterations;
    // A near miss is often a matter of the search's path: the same start, another random stream
    // and a slower schedule drop it where the first attempt stopped a few seconds over.
    for (let k = 0; !run.ok && k < retries && run.overCapacityS < closeS; k++) {
      search.restore(best);
      search.dropShortestRoute();
      const again = search.annealOverCapacity(retryIterations);
      total += again.rounds;
      budgetUsed += retryIterations;
      retried++;
      if (again.ok || again.overCapacityS < run.overCapacityS) run = again;
    }
    if (!run.ok) {
      overCapacityS = run.overCapacityS;
      break;
    }
    best = search.snapshot();
  }
  budgetUsed = maxRounds - polish;
  if (polish > 0) {
    search.restore(best);
    total += search.anneal(polish);
    if (search.poolSize() === 0) {
      const polished = search.snapshot();
      if (sum(polished.times) < sum(best.times)) best = polished;
    }
  }
  report?.(1);
  return {
    routes: best.routes,
    docks: best.docks.map((node) => node - problem.points.length),
    timeS: best.times,
    iterations: total,
    overCapacityS,
    retries: retried,
  };
}

interface Snapshot {
  routes: number[][];
  /** Node index of each route's dock (points first, then the docks). */
  docks: number[];
  times: number[];
  pool: number[];
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** Average removed points per ruin, and the longest string (SISR's c̄ and L^max). */
const MEAN_REMOVED = 10;
const MAX_STRING = 10;
/** Probability of skipping a candidate position in the greedy reinsertion. */
const BLINK = 0.01;
/** Candidate neighbours per point for the ruin and the insertion positions. */
const NEIGHBOURS = 40;
/**
 * Share of rounds (with several docks) that ruin one route's points nearest another dock than
 * most of its points: a route flown from the wrong dock only pays to move once all of them left.
 */
const DOCK_RUIN_SHARE = 0.1;
/**
 * Weight of a second over capacity against a second of flight while a route is being dropped,
 * at the first and the last round of the attempt. Measured on 576 points from 4 nests at 40 min
 * (5 rounds a point, seeds 1–4): 1 → 50 dropped the 7th sortie on 4 of 4 seeds within 434–2036
 * rounds, where keeping every route within capacity and pooling the rest dropped it on none;
 * 0.5 → 20 on 3 of 4, 2 → 200 on 4 of 4.
 */
const OVER_CAPACITY_PENALTY_START = 1;
const OVER_CAPACITY_PENALTY_END = 50;
/** Annealing temperatures over the rounds of one attempt, seconds of flight time. */
const START_TEMPERATURE_S = 10;
const END_TEMPERATURE_S = 0.05;

class RouteSearch {
  private readonly n: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly service: Float64Array;
  /** Node indices of the docks (after the points). */
  private readonly dockNodes: number[];
  private readonly near: Int32Array[];
  private readonly rand: () => number;
  private routes: number[][] = [];
  /** Dock node of each route. */
  private routeDock: number[] = [];
  private times: number[] = [];
  private pool: number[] = [];
  private readonly routeOf: Int32Array;
  /** Points waiting in {@link improveRoute}'s stack (all 0 between calls). */
  private readonly queued: Uint8Array;
  private readonly posOf: Int32Array;
  private readonly dockDist: Float64Array;
  /** Nearest dock node of each point. */
  private readonly nearestDock: Int32Array;

  constructor(
    private readonly p: PointRouteProblem,
    seed: number,
  ) {
    const n = p.points.length;
    this.n = n;
    if (p.docks.length === 0) throw new RangeError('minimisePointRoutes needs at least one dock');
    this.xs = new Float64Array(n + p.docks.length);
    this.ys = new Float64Array(n + p.docks.length);
    p.points.forEach((q, i) => {
      this.xs[i] = q[0];
      this.ys[i] = q[1];
    });
    this.dockNodes = p.docks.map((q, k) => {
      this.xs[n + k] = q[0];
      this.ys[n + k] = q[1];
      return n + k;
    });
    this.service = new Float64Array(n);
    for (let i = 0; i < n; i++) this.service[i] = p.serviceS?.[i] ?? 0;
    this.rand = seededRandom(seed);
    this.routeOf = new Int32Array(n).fill(-1);
    this.queued = new Uint8Array(n);
    this.posOf = new Int32Array(n).fill(-1);
    this.dockDist = new Float64Array(n);
    this.nearestDock = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.dockDist[i] = Infinity;
      for (const d of this.dockNodes) {
        const m = this.dist(i, d);
        if (m < this.dockDist[i]!) {
          this.dockDist[i] = m;
          this.nearestDock[i] = d;
        }
      }
    }
    const k = Math.max(0, Math.min(NEIGHBOURS, n - 1));
    const flat = k > 0 ? neighbourLists(p.points, k) : new Int32Array(0);
    this.near = Array.from({ length: n }, (_, i) => flat.subarray(i * k, (i + 1) * k));
  }

  private dist(a: number, b: number): number {
    const dx = this.xs[a]! - this.xs[b]!;
    const dy = this.ys[a]! - this.ys[b]!;
    return Math.sqrt(dx * dx + dy * dy);
  }

  /** Turn cost at b on a → b → c, seconds. */
  private turn(a: number, b: number, c: number): number {
    const ux = this.xs[b]! - this.xs[a]!;
    const uy = this.ys[b]! - this.ys[a]!;
    const vx = this.xs[c]! - this.xs[b]!;
    const vy = this.ys[c]! - this.ys[b]!;
    const l = Math.sqrt((ux * ux + uy * uy) * (vx * vx + vy * vy));
    if (l === 0) return 0;
    const cos = Math.max(-1, Math.min(1, (ux * vx + uy * vy) / l));
    return (this.p.uTurnS * (1 - cos)) / 2;
  }

  /** Time of `route` flown from and back to dock node `d`. */
  routeTime(route: readonly number[], d: number): number {
    if (route.length === 0) return 0;
    let lenM = 0;
    let t = this.p.overheadS;
    let prev = d;
    for (let k = 0; k < route.length; k++) {
      const c = route[k]!;
      lenM += this.dist(prev, c);
      t += this.service[c]! + this.turn(prev, c, k + 1 < route.length ? route[k + 1]! : d);
      prev = c;
    }
    lenM += this.dist(prev, d);
    return t + lenM / this.p.speedMps;
  }

  load(initial: readonly PointRoute[]): void {
    const kept = initial.filter((r) => r.points.length > 0);
    for (const r of kept) {
      if (!Number.isInteger(r.dock) || r.dock < 0 || r.dock >= this.dockNodes.length)
        throw new RangeError(`route dock ${r.dock} is not an index of problem.docks`);
    }
    this.routes = kept.map((r) => [...r.points]);
    this.routeDock = kept.map((r) => this.dockNodes[r.dock]!);
    this.times = this.routes.map((r, k) => this.routeTime(r, this.routeDock[k]!));
    this.pool = [];
    this.routeOf.fill(-1);
    this.routes.forEach((_, r) => this.reindex(r));
  }

  /** The current routes (emptied ones left out), their times and the pool. */
  snapshot(): Snapshot {
    const keep = this.routes.map((r, k) => (r.length > 0 ? k : -1)).filter((k) => k >= 0);
    return {
      routes: keep.map((k) => [...this.routes[k]!]),
      docks: keep.map((k) => this.routeDock[k]!),
      times: keep.map((k) => this.times[k]!),
      pool: [...this.pool],
    };
  }

  restore(s: Snapshot): void {
    this.routes = s.routes.map((r) => [...r]);
    this.routeDock = [...s.docks];
    this.times = [...s.times];
    this.pool = [...s.pool];
    this.routeOf.fill(-1);
    this.routes.forEach((_, r) => this.reindex(r));
  }

  poolSize(): number {
    return this.pool.length;
  }

  private reindex(r: number): void {
    const route = this.routes[r]!;
    for (let k = 0; k < route.length; k++) {
      this.routeOf[route[k]!] = r;
      this.posOf[route[k]!] = k;
    }
  }

  /** Empties the route with the least time into the pool. */
  dropShortestRoute(): void {
    let r = 0;
    for (let k = 1; k < this.routes.length; k++) if (this.times[k]! < this.times[r]!) r = k;
    for (const c of this.routes[r]!) {
      this.pool.push(c);
      this.routeOf[c] = -1;
    }
    this.routes.splice(r, 1);
    this.routeDock.splice(r, 1);
    this.times.splice(r, 1);
    for (let k = r; k < this.routes.length; k++) this.reindex(k);
  }

  /** Simulated annealing over ruin-and-recreate rounds; returns the rounds run. */
  anneal(iterations: number): number {
    const t0 = START_TEMPERATURE_S;
    const tf = END_TEMPERATURE_S;
    let best = this.snapshot();
    let bestKey = this.key();
    let curKey = bestKey;
    let k = 0;
    for (; k < iterations; k++) {
      if (k % 256 === 0 && k > 0) this.onRounds?.(k);
      const temp = t0 * (tf / t0) ** (k / iterations);
      const before = this.snapshot();
      this.ruinAndRecreate();
      const key = this.key();
      const accept =
        key[0] < curKey[0] ||
        (key[0] === curKey[0] && key[1] < curKey[1] - temp * Math.log(this.rand()));
      if (accept) {
        curKey = key;
        if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1] - 1e-9)) {
          best = this.snapshot();
          bestKey = key;
        }
      } else {
        this.restore(before);
      }
    }
    this.restore(best);
    return k;
  }

  /**
   * Simulated annealing over ruin-and-recreate rounds in which every point is placed and time
   * over the capacity is paid for instead (Nagata and Bräysy's route minimisation penalises it
   * likewise): the pool is inserted at once, then each round's cost is the summed route time
   * plus `penalty` × the summed time over capacity, the penalty growing geometrically from
   * {@link OVER_CAPACITY_PENALTY_START} to {@link OVER_CAPACITY_PENALTY_END}. Stops at the first
   * state where every route fits (`ok`, that state kept); otherwise the state is the one with
   * the least time over capacity seen (`overCapacityS`), and some route is still over it.
   */
  annealOverCapacity(iterations: number): { rounds: number; ok: boolean; overCapacityS: number } {
    const t0 = START_TEMPERATURE_S;
    const tf = END_TEMPERATURE_S;
    const p0 = OVER_CAPACITY_PENALTY_START;
    const p1 = OVER_CAPACITY_PENALTY_END;
    this.penalty = p0;
    const placed = new Set<number>();
    this.lastActive = [];
    this.recreate(placed);
    for (const r of placed) {
      this.improveRoute(r, this.lastActive);
      this.rehome(r);
    }
    let curSumS = sum(this.times);
    let curExcessS = this.excessS();
    let best = this.snapshot();
    let bestExcessS = curExcessS;
    let ok = curExcessS <= 1e-9;
    let k = 0;
    for (; k < iterations && !ok; k++) {
      if (k % 256 === 0 && k > 0) this.onRounds?.(k);
      const f = k / iterations;
      const temp = t0 * (tf / t0) ** f;
      this.penalty = p0 * (p1 / p0) ** f;
      const before = this.snapshot();
      this.ruinAndRecreate();
      const sumS = sum(this.times);
      const excessS = this.excessS();
      const cur = curSumS + this.penalty * curExcessS;
      if (sumS + this.penalty * excessS < cur - temp * Math.log(this.rand())) {
        curSumS = sumS;
        curExcessS = excessS;
        if (excessS < bestExcessS - 1e-9) {
          bestExcessS = excessS;
          best = this.snapshot();
          ok = excessS <= 1e-9;
        }
      } else {
        this.restore(before);
      }
    }
    this.penalty = 0;
    this.restore(best);
    return { rounds: k, ok, overCapacityS: ok ? 0 : bestExcessS };
  }

  /** One round: a string (or foreign-dock) removal, reinsertion, then each changed route tidied. */
  private ruinAndRecreate(): void {
    const touched =
      this.dockNodes.length > 1 && this.rand() < DOCK_RUIN_SHARE ? this.ruinForeign() : this.ruin();
    for (const r of touched) this.rehome(r);
    this.recreate(touched);
    for (const r of touched) {
      this.improveRoute(r, this.lastActive);
      this.rehome(r);
    }
  }

  /** Moves route r to the dock that flies it fastest (ties keep its dock). */
  private rehome(r: number): void {
    if (this.dockNodes.length < 2 || this.routes[r]!.length === 0) return;
    for (const d of this.dockNodes) {
      if (d === this.routeDock[r]) continue;
      const t = this.routeTime(this.routes[r]!, d);
      if (t < this.times[r]! - 1e-9) {
        this.routeDock[r] = d;
        this.times[r] = t;
      }
    }
  }

  /** Told the rounds run so far in the current anneal, every 256 rounds. */
  onRounds: ((rounds: number) => void) | undefined;

  /**
   * Time-aware 2-opt and Or-opt inside route r over neighbour lists (a move must create an edge
   * to one of a point's nearest neighbours), until a pass finds no shorter route. Every move's
   * local estimate is confirmed on the whole route before it is made.
   */
  improveRoute(r: number, active?: readonly number[]): void {
    const route = this.routes[r]!;
    const m = route.length;
    if (m < 3) return;
    const d = this.routeDock[r]!;
    const at = (k: number): number => (k < 0 || k >= m ? d : route[k]!);
    const tn = (a: number, b: number, c: number): number => (b === d ? 0 : this.turn(a, b, c));
    const v = this.p.speedMps;
    const pos = this.posOf;
    let time = this.routeTime(route, d);
    const reverse = (i: number, j: number): void => {
      for (let lo = i, hi = j; lo < hi; lo++, hi--) {
        const t = route[lo]!;
        route[lo] = route[hi]!;
        route[hi] = t;
      }
    };
    const reindex = (): void => {
      for (let k = 0; k < m; k++) pos[route[k]!] = k;
    };
    reindex();
    const twoOptGain = (i: number, j: number): number => {
      const a = at(i - 1);
      const pa = at(i - 2);
      const b = at(j + 1);
      const nb = at(j + 2);
      const ci = route[i]!;
      const cj = route[j]!;
      const ci1 = at(i + 1);
      const cj1 = at(j - 1);
      const before =
        (this.dist(a, ci) + this.dist(cj, b)) / v +
        tn(pa, a, ci) +
        this.turn(a, ci, ci1) +
        this.turn(cj1, cj, b) +
        tn(cj, b, nb);
      const legsAfter = (this.dist(a, cj) + this.dist(ci, b)) / v;
      // Turns only add: when the new legs alone lose, the turns need not be priced.
      if (before - legsAfter <= 1e-9) return before - legsAfter;
      const after =
        legsAfter +
        tn(pa, a, cj) +
        this.turn(a, cj, j - 1 === i ? ci : cj1) +
        this.turn(i + 1 === j ? cj : ci1, ci, b) +
        tn(ci, b, nb);
      return before - after;
    };
    // Don't-look bits: only points near a change are looked at again.
    const stack: number[] = active ? active.filter((c) => this.routeOf[c] === r) : [...route];
    const queued = this.queued;
    for (const c of stack) queued[c] = 1;
    const touch = (k: number): void => {
      for (let q = Math.max(0, k - 2); q <= Math.min(m - 1, k + 2); q++) {
        const c = route[q]!;
        if (queued[c] === 0) {
          queued[c] = 1;
          stack.push(c);
        }
      }
    };
    const tryTwoOpt = (lo: number, hi: number): boolean => {
      if (lo >= hi || lo < 0 || hi >= m) return false;
      if (twoOptGain(lo, hi) <= 1e-9) return false;
      reverse(lo, hi);
      const t = this.routeTime(route, d);
      if (t < time - 1e-9) {
        time = t;
        reindex();
        touch(lo);
        touch(hi);
        return true;
      }
      reverse(lo, hi);
      return false;
    };
    for (let steps = 0; stack.length > 0 && steps < 40 * m; steps++) {
      const c0 = stack.pop()!;
      queued[c0] = 0;
      let improved = false;
      {
        const i = pos[c0]!;
        // 2-opt: new edge (route[i − 1], c) or (route[i], c) with c a near neighbour.
        const a = at(i - 1);
        const ci = route[i]!;
        if (a !== d) {
          const na = this.near[a]!;
          for (let q = 0, kq = Math.min(12, na.length); q < kq; q++) {
            const c = na[q]!;
            if (this.routeOf[c] !== r) continue;
            if (tryTwoOpt(i, pos[c]!)) improved = true;
          }
        }
        const nci = this.near[ci]!;
        for (let q = 0, kq = Math.min(12, nci.length); q < kq; q++) {
          const c = nci[q]!;
          if (this.routeOf[c] !== r) continue;
          // ci followed by c: reverse what lies between them, on either side of ci.
          if (tryTwoOpt(i + 1, pos[c]!)) improved = true;
          if (tryTwoOpt(pos[c]!, i - 1)) improved = true;
        }
        // Or-opt: the segment route[i .. i + len − 1] moves next to a near neighbour of its ends.
        for (let len = 1; len <= 3 && i + len <= m; len++) {
          const sa = at(i - 1);
          const sb = at(i + len);
          const pa = at(i - 2);
          const nb = at(i + len + 1);
          const s1 = route[i]!;
          const sL = route[i + len - 1]!;
          const f2 = at(i + 1);
          const l2 = at(i + len - 2);
          const inner = len > 1 ? this.chainS(route, i, i + len - 1) : 0;
          const removeGain =
            this.window(d, pa, sa, s1, sL, sb, nb, inner, f2, l2, len) -
            (this.dist(sa, sb) / v + tn(pa, sa, sb) + tn(sa, sb, nb));
          if (removeGain <= 1e-9) continue;
          let moved = false;
          for (let e = 0; e < (len > 1 ? 2 : 1); e++) {
            const ne = this.near[e === 0 ? s1 : sL]!;
            for (let q = 0, kq = Math.min(10, ne.length); q < kq; q++) {
              const c = ne[q]!;
              if (moved || this.routeOf[c] !== r) continue;
              const pc = pos[c]!;
              for (let p = pc - 1; p <= pc; p++) {
                // Insert between route[p] and route[p + 1].
                if (moved || (p >= i - 1 && p <= i + len - 1)) continue;
                const x = at(p);
                const y = at(p + 1);
                const px = at(p - 1);
                const ny = at(p + 2);
                const opened = this.dist(x, y) / v + tn(px, x, y) + tn(x, y, ny);
                for (let rv = 0; rv < (len > 1 ? 2 : 1); rv++) {
                  const rev = rv === 1;
                  const f = rev ? sL : s1;
                  const l = rev ? s1 : sL;
                  // The window's turns only add: legs that already cost the gain skip them.
                  const legs = (this.dist(x, f) + this.dist(l, y)) / v + inner;
                  if (legs - opened >= removeGain - 1e-9) continue;
                  const add =
                    this.window(d, px, x, f, l, y, ny, inner, rev ? l2 : f2, rev ? f2 : l2, len) -
                    opened;
                  if (add >= removeGain - 1e-9) continue;
                  const seg = route.slice(i, i + len);
                  if (rev) seg.reverse();
                  const rest = [...route.slice(0, i), ...route.slice(i + len)];
                  const q = p < i ? p + 1 : p + 1 - len;
                  const cand = [...rest.slice(0, q), ...seg, ...rest.slice(q)];
                  const t = this.routeTime(cand, d);
                  if (t < time - 1e-9) {
                    route.splice(0, m, ...cand);
                    time = t;
                    reindex();
                    touch(i);
                    touch(q);
                    moved = true;
                    improved = true;
                    break;
                  }
                }
              }
            }
          }
          if (moved) break;
        }
      }
      if (improved) touch(pos[c0]!);
    }
    for (const c of stack) queued[c] = 0;
    this.times[r] = time;
    this.reindex(r);
  }

  /** Legs and interior turns along route[i..j] (j > i), seconds. */
  private chainS(route: readonly number[], i: number, j: number): number {
    let t = 0;
    for (let k = i; k < j; k++) t += this.dist(route[k]!, route[k + 1]!) / this.p.speedMps;
    for (let k = i + 1; k < j; k++) t += this.turn(route[k - 1]!, route[k]!, route[k + 1]!);
    return t;
  }

  /**
   * Time of a segment f…l (its inner time given, `f2` the vertex after f and `l2` the one before
   * l inside it) placed between x and y, with x's predecessor px and y's successor ny: legs
   * x → f and l → y, the turns at x, f, l and y (none at the route's dock d).
   */
  private window(
    d: number,
    px: number,
    x: number,
    f: number,
    l: number,
    y: number,
    ny: number,
    inner: number,
    f2: number,
    l2: number,
    len: number,
  ): number {
    let t = (this.dist(x, f) + this.dist(l, y)) / this.p.speedMps + inner;
    if (x !== d) t += this.turn(px, x, f);
    if (y !== d) t += this.turn(l, y, ny);
    if (len === 1) t += this.turn(x, f, y);
    else t += this.turn(x, f, f2) + this.turn(l2, l, y);
    return t;
  }

  private key(): [number, number] {
    return [this.pool.length, sum(this.times)];
  }

  /** Time over the capacity, summed over the routes, seconds. */
  private excessS(): number {
    let e = 0;
    for (const t of this.times) if (t > this.p.capacityS) e += t - this.p.capacityS;
    return e;
  }

  /**
   * Price of a second over capacity in the greedy reinsertion; 0 keeps every route within the
   * capacity (a point that fits nowhere stays in the pool).
   */
  private penalty = 0;

  /** SISR adjacent string removal around a random seed point; returns the routes touched. */
  private ruin(): Set<number> {
    const assigned = this.n - this.pool.length;
    const ruined = new Set<number>();
    this.lastActive = [];
    if (assigned === 0 || this.routes.length === 0) return ruined;
    const avgLen = assigned / this.routes.length;
    const lsMax = Math.min(MAX_STRING, avgLen);
    const ksMax = (4 * MEAN_REMOVED) / (1 + lsMax) - 1;
    const ks = Math.floor(this.rand() * ksMax) + 1;
    // The seed may be a pooled point: its neighbours' routes are ruined all the same.
    let seed = Math.floor(this.rand() * this.n);
    const candidates = [seed, ...this.near[seed]!];
    for (const c of candidates) {
      if (ruined.size >= ks) break;
      const r = this.routeOf[c]!;
      if (r < 0 || ruined.has(r)) continue;
      const route = this.routes[r]!;
      const lMax = Math.min(route.length, lsMax);
      const l = Math.floor(this.rand() * lMax) + 1;
      const pos = this.posOf[c]!;
      // A string of l points containing c, placed at random around it.
      const lo = Math.max(0, Math.min(route.length - l, pos - Math.floor(this.rand() * l)));
      const removed = route.splice(lo, l);
      for (const x of removed) {
        this.routeOf[x] = -1;
        this.pool.push(x);
      }
      this.reindex(r);
      if (lo > 0) this.lastActive.push(route[lo - 1]!);
      if (lo < route.length) this.lastActive.push(route[lo]!);
      this.times[r] = this.routeTime(route, this.routeDock[r]!);
      ruined.add(r);
      seed = c;
    }
    return ruined;
  }

  /**
   * Empties one random route of the points whose nearest dock is not the one nearest to most of
   * its points (several docks only); falls back to a string removal when there are none.
   */
  private ruinForeign(): Set<number> {
    const live = this.routes.map((r, k) => (r.length > 0 ? k : -1)).filter((k) => k >= 0);
    if (live.length === 0) return this.ruin();
    const r = live[Math.floor(this.rand() * live.length)]!;
    const route = this.routes[r]!;
    const votes = new Map<number, number>();
    for (const c of route)
      votes.set(this.nearestDock[c]!, (votes.get(this.nearestDock[c]!) ?? 0) + 1);
    let major = -1;
    let most = -1;
    for (const d of this.dockNodes) {
      const v = votes.get(d) ?? 0;
      if (v > most) {
        most = v;
        major = d;
      }
    }
    const keep = route.filter((c) => this.nearestDock[c] === major);
    if (keep.length === route.length) return this.ruin();
    this.lastActive = [...keep];
    for (const c of route) {
      if (this.nearestDock[c] === major) continue;
      this.routeOf[c] = -1;
      this.pool.push(c);
    }
    route.splice(0, route.length, ...keep);
    this.reindex(r);
    this.times[r] = this.routeTime(route, this.routeDock[r]!);
    return new Set([r]);
  }

  /** Points next to the last round's changes, where {@link improveRoute} looks first. */
  private lastActive: number[] = [];

  /** Greedy reinsertion of the pool (random, far-first or near-first order) with blinks. */
  private recreate(touched: Set<number>): void {
    const pool = this.pool;
    const pick = this.rand();
    if (pick < 4 / 7) {
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(this.rand() * (i + 1));
        const swap = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = swap;
      }
    } else if (pick < 6 / 7) {
      pool.sort((a, b) => this.dockDist[b]! - this.dockDist[a]! || a - b);
    } else {
      pool.sort((a, b) => this.dockDist[a]! - this.dockDist[b]! || a - b);
    }
    const left: number[] = [];
    let c = -1;
    let bestR = -1;
    let bestPos = -1;
    let bestDelta = Infinity;
    const tryAt = (r: number, pos: number): void => {
      if (this.rand() < BLINK) return;
      // A floor under the time added decides most far positions without their turns; with a
      // price on overtime the floor also bounds the cost only once no time is saved.
      const floor = this.insertFloorS(r, pos, c);
      if (floor >= bestDelta && (this.penalty === 0 || floor >= 0)) return;
      const d = this.insertDelta(r, pos, c);
      const t = this.times[r]!;
      const cap = this.p.capacityS;
      if (this.penalty > 0) {
        const cost = d + this.penalty * (Math.max(0, t + d - cap) - Math.max(0, t - cap));
        if (cost < bestDelta) {
          bestDelta = cost;
          bestR = r;
          bestPos = pos;
        }
        return;
      }
      if (d < bestDelta && t + d <= cap) {
        bestDelta = d;
        bestR = r;
        bestPos = pos;
      }
    };
    for (const pc of pool) {
      c = pc;
      bestR = -1;
      bestPos = -1;
      bestDelta = Infinity;
      for (const nb of this.near[c]!) {
        const r = this.routeOf[nb]!;
        if (r < 0) continue;
        tryAt(r, this.posOf[nb]!);
        tryAt(r, this.posOf[nb]! + 1);
      }
      for (let r = 0; r < this.routes.length; r++) {
        tryAt(r, 0);
        tryAt(r, this.routes[r]!.length);
      }
      if (bestR < 0) {
        left.push(c);
        continue;
      }
      const route = this.routes[bestR]!;
      route.splice(bestPos, 0, c);
      touched.add(bestR);
      this.lastActive.push(c);
      this.times[bestR] = this.routeTime(route, this.routeDock[bestR]!);
      this.reindex(bestR);
    }
    this.pool = left;
  }

  /**
   * At most the time {@link insertDelta} returns: the legs, hover and take-off, less the most
   * the turns at the neighbours can fall (a U-turn each), less a margin for rounding.
   */
  private insertFloorS(r: number, pos: number, c: number): number {
    const route = this.routes[r]!;
    const d = this.routeDock[r]!;
    const a = pos > 0 ? route[pos - 1]! : d;
    const b = pos < route.length ? route[pos]! : d;
    let floor = (this.dist(a, c) + this.dist(c, b) - this.dist(a, b)) / this.p.speedMps;
    floor += this.service[c]! - 1e-6;
    if (route.length === 0) floor += this.p.overheadS;
    if (a !== d) floor -= this.p.uTurnS;
    if (b !== d) floor -= this.p.uTurnS;
    return floor;
  }

  /** Time added by inserting c before position pos of route r. */
  private insertDelta(r: number, pos: number, c: number): number {
    const route = this.routes[r]!;
    const d = this.routeDock[r]!;
    const a = pos > 0 ? route[pos - 1]! : d;
    const b = pos < route.length ? route[pos]! : d;
    let delta = (this.dist(a, c) + this.dist(c, b) - this.dist(a, b)) / this.p.speedMps;
    delta += this.turn(a, c, b) + this.service[c]!;
    // An emptied route takes off again.
    if (route.length === 0) delta += this.p.overheadS;
    if (a !== d) {
      const pa = pos > 1 ? route[pos - 2]! : d;
      delta += this.turn(pa, a, c) - this.turn(pa, a, b);
    }
    if (b !== d) {
      const nb = pos + 1 < route.length ? route[pos + 1]! : d;
      delta += this.turn(c, b, nb) - this.turn(a, b, nb);
    }
    return delta;
  }
}
