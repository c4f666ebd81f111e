import { seededRandom, type XY } from '../types/index';
import { heldKarpBound } from './held-karp-bound';
import { neighbourLists } from './neighbour-lists';

/** Options of {@link solveTour}. */
export interface SolveTourOptions {
  /** Seed of the perturbation choices; the same input and seed give the same tour. Default 1. */
  seed?: number;
  /**
   * Perturbation rounds of the iterated local search — the work budget, counted rather than
   * timed so that a loaded machine gives the same tour; default 6 · n, capped at 20 000.
   */
  kicks?: number;
  /** Candidate neighbours per point for 2-opt and Or-opt moves. Default 10. */
  neighbours?: number;
  /** Index of the point the order starts at (a dock). Default 0. */
  startIndex?: number;
  /** Compute the Held–Karp lower bound (and stop early once the tour reaches it). Default true. */
  lowerBound?: boolean;
}

/** A closed tour through metric points. */
export interface SolvedTour {
  /** Point indices in visiting order, starting at `startIndex`; the tour returns to it. */
  order: number[];
  /** Closed tour length in metres. */
  lengthM: number;
  /** Held–Karp lower bound in metres (0 when not computed). */
  lowerBoundM: number;
  /** (lengthM / lowerBoundM − 1) × 100; 0 when the tour is proven optimal, null without bound. */
  gapPct: number | null;
  /** Perturbation rounds actually run. */
  kicks: number;
}

/**
 * A short closed tour through `points` (metres, local frame): greedy-edge construction, then an
 * iterated local search — Lin–Kernighan steps of depth 3 (2-opt, sequential 3-opt and 4-opt
 * moves as flips) and Or-opt over neighbour lists with don't-look bits, and double-bridge kicks
 * (mostly segment-local, one in eight across the tour) from a seeded generator, a kick kept
 * only when it shortens the tour; the budget is a count of kicks, so the result does not depend
 * on the machine's load. Deterministic for a given seed. Reports the gap to the Held–Karp bound.
 *
 * @example
 * const t = solveTour([[0, 0], [0, 10], [10, 0], [10, 10]]);
 * t.lengthM; // 40
 * t.gapPct; // 0
 */
export function solveTour(points: readonly XY[], options: SolveTourOptions = {}): SolvedTour {
  const n = points.length;
  const start = options.startIndex ?? 0;
  if (n === 0) return { order: [], lengthM: 0, lowerBoundM: 0, gapPct: 0, kicks: 0 };
  if (start < 0 || start >= n || !Number.isInteger(start)) {
    throw new RangeError(`startIndex ${start} is not an index of the ${n} points`);
  }
  if (n <= 3) {
    const order = [...Array(n).keys()];
    const rotated = [...order.slice(start), ...order.slice(0, start)];
    const lengthM = tourLength(points, rotated);
    return { order: rotated, lengthM, lowerBoundM: lengthM, gapPct: 0, kicks: 0 };
  }
  const k = Math.min(options.neighbours ?? 10, n - 1);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = points[i]![0];
    ys[i] = points[i]![1];
  }
  const dist = (a: number, b: number): number => {
    const dx = xs[a]! - xs[b]!;
    const dy = ys[a]! - ys[b]!;
    return Math.sqrt(dx * dx + dy * dy);
  };
  const nb = neighbourLists(points, k);
  const search = new LocalSearch(n, dist, nb, k, greedyEdgeTour(n, dist, nb, k));
  search.optimise(allCities(n));

  let lowerBoundM = 0;
  let gapPct: number | null = null;
  const eps = 1e-7;
  const wantBound = options.lowerBound ?? true;
  if (wantBound) lowerBoundM = heldKarpBound(points, { upperBoundM: search.length }).lowerBoundM;
  const reached = (): boolean => wantBound && search.length <= lowerBoundM * (1 + 1e-9) + eps;

  const maxKicks = options.kicks ?? Math.min(20_000, 6 * n);
  const rand = seededRandom(options.seed ?? 1);
  const saved = new Int32Array(n);
  let kicks = 0;
  for (; kicks < maxKicks && !reached(); kicks++) {
    saved.set(search.tour);
    const before = search.length;
    const touched = search.doubleBridge(rand);
    search.optimise(touched);
    if (search.length > before - eps) search.restore(saved, before);
  }
  const order = Array.from(search.tour);
  const at = order.indexOf(start);
  const rotated = [...order.slice(at), ...order.slice(0, at)];
  const lengthM = tourLength(points, rotated);
  if (wantBound) {
    gapPct = lengthM <= lowerBoundM * (1 + 1e-9) + eps ? 0 : (lengthM / lowerBoundM - 1) * 100;
  }
  return { order: rotated, lengthM, lowerBoundM, gapPct, kicks };
}

/**
 * The closed length of visiting `points` in `order` and returning to the first, metres.
 *
 * @example
 * tourLength([[0, 0], [3, 4]], [0, 1]); // 10
 */
export function tourLength(points: readonly XY[], order: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    const a = points[order[i]!]!;
    const b = points[order[(i + 1) % order.length]!]!;
    total += Math.hypot(a[0] - b[0], a[1] - b[1]);
  }
  return total;
}

/**
 * The plain nearest-neighbour tour from `startIndex` (the baseline the benchmark compares to).
 *
 * @example
 * nearestNeighbourTour([[0, 0], [5, 0], [1, 0]]).order; // [0, 2, 1]
 */
export function nearestNeighbourTour(
  points: readonly XY[],
  startIndex = 0,
): { order: number[]; lengthM: number } {
  const n = points.length;
  if (n === 0) return { order: [], lengthM: 0 };
  const visited = new Uint8Array(n);
  const order = [startIndex];
  visited[startIndex] = 1;
  let cur = startIndex;
  for (let step = 1; step < n; step++) {
    let best = -1;
    let bestD = Infinity;
    const [cx, cy] = points[cur]!;
    for (let j = 0; j < n; j++) {
      if (visited[j]) continue;
      const d = (points[j]![0] - cx) ** 2 + (points[j]![1] - cy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    visited[best] = 1;
    order.push(best);
    cur = best;
  }
  return { order, lengthM: tourLength(points, order) };
}

function allCities(n: number): number[] {
  return [...Array(n).keys()];
}

/** Greedy matching of candidate edges shortest first, fragments then joined end to end. */
function greedyEdgeTour(
  n: number,
  dist: (a: number, b: number) => number,
  nb: Int32Array,
  k: number,
): Int32Array {
  const edges: { a: number; b: number; d: number }[] = [];
  for (let a = 0; a < n; a++) {
    for (let s = 0; s < k; s++) {
      const b = nb[a * k + s]!;
      if (a < b) edges.push({ a, b, d: dist(a, b) });
    }
  }
  edges.sort((e, f) => e.d - f.d || e.a - f.a || e.b - f.b);
  const degree = new Uint8Array(n);
  const link = new Int32Array(2 * n).fill(-1);
  const root = new Int32Array(n).map((_, i) => i);
  const find = (x: number): number => {
    while (root[x] !== x) {
      root[x] = root[root[x]!]!;
      x = root[x]!;
    }
    return x;
  };
  const connect = (a: number, b: number): void => {
    link[2 * a + degree[a]!] = b;
    link[2 * b + degree[b]!] = a;
    degree[a]!++;
    degree[b]!++;
    root[find(a)] = find(b);
  };
  for (const { a, b } of edges) {
    if (degree[a]! < 2 && degree[b]! < 2 && find(a) !== find(b)) connect(a, b);
  }
  // Join fragments: from the end of the current chain go to the nearest free endpoint.
  const tour = new Int32Array(n);
  const used = new Uint8Array(n);
  let filled = 0;
  // Union-find forbids closing a cycle, so at least one fragment end (degree < 2) exists.
  let cur = degree.findIndex((d) => d < 2);
  while (filled < n) {
    // Walk the fragment starting at `cur` (an endpoint).
    let prev = -1;
    let node = cur;
    for (;;) {
      tour[filled++] = node;
      used[node] = 1;
      const l0 = link[2 * node]!;
      const l1 = link[2 * node + 1]!;
      const nxt =
        l0 >= 0 && l0 !== prev && !used[l0] ? l0 : l1 >= 0 && l1 !== prev && !used[l1] ? l1 : -1;
      if (nxt < 0) break;
      prev = node;
      node = nxt;
    }
    if (filled >= n) break;
    let best = -1;
    let bestD = Infinity;
    for (let v = 0; v < n; v++) {
      if (used[v] || degree[v]! === 2) continue;
      const d = dist(node, v);
      if (d < bestD) {
        bestD = d;
        best = v;
      }
    }
    cur = best;
  }
  return tour;
}

/** Array tour with position index, 2-opt and Or-opt moves driven by a don't-look-bit queue. */
class LocalSearch {
  readonly tour: Int32Array;
  readonly pos: Int32Array;
  length: number;
  private readonly queue: number[] = [];
  private readonly queued: Uint8Array;

  constructor(
    private readonly n: number,
    private readonly dist: (a: number, b: number) => number,
    private readonly nb: Int32Array,
    private readonly k: number,
    initial: Int32Array,
  ) {
    this.tour = initial;
    this.pos = new Int32Array(n);
    for (let i = 0; i < n; i++) this.pos[initial[i]!] = i;
    this.queued = new Uint8Array(n);
    let len = 0;
    for (let i = 0; i < n; i++) len += dist(initial[i]!, initial[(i + 1) % n]!);
    this.length = len;
  }

  private succ(c: number): number {
    const p = this.pos[c]! + 1;
    return this.tour[p === this.n ? 0 : p]!;
  }

  private pred(c: number): number {
    const p = this.pos[c]! - 1;
    return this.tour[p < 0 ? this.n - 1 : p]!;
  }

  private push(c: number): void {
    if (!this.queued[c]) {
      this.queued[c] = 1;
      this.queue.push(c);
    }
  }

  restore(saved: Int32Array, length: number): void {
    this.tour.set(saved);
    for (let i = 0; i < this.n; i++) this.pos[saved[i]!] = i;
    this.length = length;
  }

  /** Reverses the tour path from city `from` forward to city `to` (or its complement). */
  private reverse(from: number, to: number): void {
    const n = this.n;
    let i = this.pos[from]!;
    let j = this.pos[to]!;
    let len = j - i;
    if (len < 0) len += n;
    len += 1;
    if (2 * len > n) {
      // Reversing the complement gives the same cycle and touches fewer entries.
      const ni = j + 1;
      const nj = i - 1;
      i = ni === n ? 0 : ni;
      j = nj < 0 ? n - 1 : nj;
      len = n - len;
    }
    for (let s = 0; s < len >> 1; s++) {
      const a = this.tour[i]!;
      const b = this.tour[j]!;
      this.tour[i] = b;
      this.pos[b] = i;
      this.tour[j] = a;
      this.pos[a] = j;
      i = i + 1 === n ? 0 : i + 1;
      j = j === 0 ? n - 1 : j - 1;
    }
  }

  optimise(seeds: Iterable<number>): void {
    for (const c of seeds) this.push(c);
    while (this.queue.length > 0) {
      const a = this.queue.pop()!;
      this.queued[a] = 0;
      if (this.improveCity(a)) this.push(a);
    }
  }

  private improveCity(a: number): boolean {
    return this.linKernighan(a) || this.orOpt(a);
  }

  /** Edges added by the current Lin–Kernighan step (pairs), which it may not remove again. */
  private readonly added: number[] = [];
  /** Flips of the current step as [a, b, c, d] quadruples, for undoing. */
  private readonly flips: number[] = [];

  private flip(a: number, b: number, c: number, d: number): void {
    this.move2opt(a, b, c, d);
    this.flips.push(a, b, c, d);
  }

  /** Undoes the flips of the current step down to `keep` flips. */
  private undoTo(keep: number): void {
    while (this.flips.length > 4 * keep) {
      const d = this.flips.pop()!;
      const c = this.flips.pop()!;
      const b = this.flips.pop()!;
      const a = this.flips.pop()!;
      // The flip left edges (a,c), (b,d) consistently oriented; flipping them back restores it.
      this.move2opt(a, c, b, d);
    }
  }

  private isAdded(x: number, y: number): boolean {
    const { added } = this;
    for (let i = 0; i < added.length; i += 2) {
      if ((added[i] === x && added[i + 1] === y) || (added[i] === y && added[i + 1] === x))
        return true;
    }
    return false;
  }

  /**
   * A Lin–Kernighan step from `t1` made of 2-opt flips (Johnson & McGeoch's array variant):
   * every neighbour t3 of t2 with a positive partial gain is tried at the first level, then the
   * chain is extended greedily up to depth 3; the best closed tour along the chain is kept.
   * Depth 1 is plain 2-opt; depths 2 and 3 reach sequential 3-opt and 4-opt moves. (Depth 5
   * gave no better tours for the time on 576 random points.)
   */
  private linKernighan(t1: number): boolean {
    const { dist, nb, k } = this;
    const maxDepth = 3;
    for (let side = 0; side < 2; side++) {
      const t2first = side === 0 ? this.succ(t1) : this.pred(t1);
      const g0 = dist(t1, t2first);
      for (let s = 0; s < k; s++) {
        const t3first = nb[t2first * k + s]!;
        const g1first = g0 - dist(t2first, t3first);
        if (g1first <= 1e-9) break;
        if (t3first === t1 || t3first === this.succ(t2first) || t3first === this.pred(t2first))
          continue;
        this.flips.length = 0;
        this.added.length = 0;
        let t2 = t2first;
        let t3 = t3first;
        let g1 = g1first;
        let bestGain = 1e-9;
        let bestDepth = 0;
        for (let depth = 1; depth <= maxDepth; depth++) {
          const forward = this.succ(t1) === t2;
          const t4 = forward ? this.pred(t3) : this.succ(t3);
          if (t4 === t1 || t4 === t2) break;
          const g = g1 + dist(t3, t4);
          const closed = g - dist(t4, t1);
          // The chain can go on only if t4's nearest neighbour is closer than the gain so far;
          // otherwise the flip is worth doing only when it closes the best tour (saves most flips).
          const extend = depth < maxDepth && dist(t4, nb[t4 * k]!) < g;
          if (!extend && closed <= bestGain) break;
          if (forward) this.flip(t1, t2, t4, t3);
          else this.flip(t2, t1, t3, t4);
          this.added.push(t2, t3);
          if (closed > bestGain) {
            bestGain = closed;
            bestDepth = depth;
          }
          if (!extend) break;
          // Next level: t4 is now t1's neighbour; pick the t5 maximising the next removal.
          const fwd = this.succ(t1) === t4;
          let next = -1;
          let nextG1 = 0;
          let bestScore = -Infinity;
          for (let q = 0; q < k; q++) {
            const t5 = nb[t4 * k + q]!;
            const g2 = g - dist(t4, t5);
            if (g2 <= 1e-9) break;
            if (t5 === t1 || t5 === this.succ(t4) || t5 === this.pred(t4)) continue;
            const t6 = fwd ? this.pred(t5) : this.succ(t5);
            if (t6 === t1 || this.isAdded(t5, t6)) continue;
            const score = g2 + dist(t5, t6);
            if (score > bestScore) {
              bestScore = score;
              next = t5;
              nextG1 = g2;
            }
          }
          if (next < 0) break;
          t2 = t4;
          t3 = next;
          g1 = nextG1;
        }
        if (bestDepth > 0) {
          this.undoTo(bestDepth);
          this.length -= bestGain;
          for (let i = 0; i < this.flips.length; i++) this.push(this.flips[i]!);
          this.flips.length = 0;
          return true;
        }
        this.undoTo(0);
      }
    }
    return false;
  }

  /** Moves a chain of 1–3 cities starting or ending at `a` between two neighbours elsewhere. */
  private orOpt(a: number): boolean {
    const { dist, nb, k, n } = this;
    for (let segLen = 1; segLen <= 3 && segLen < n - 4; segLen++) {
      for (let dir = 0; dir < 2; dir++) {
        // Segment s1..s2 in tour order, containing `a` at one end.
        let s1 = a;
        let s2 = a;
        for (let t = 1; t < segLen; t++) {
          if (dir === 0) s2 = this.succ(s2);
          else s1 = this.pred(s1);
        }
        const p = this.pred(s1);
        const nx = this.succ(s2);
        const removeGain = dist(p, s1) + dist(s2, nx) - dist(p, nx);
        if (removeGain <= 1e-9) continue;
        for (let side = 0; side < 2; side++) {
          const end = side === 0 ? s1 : s2;
          const other = side === 0 ? s2 : s1;
          for (let s = 0; s < k; s++) {
            const c = nb[end * k + s]!;
            const dce = dist(end, c);
            if (dce >= removeGain) break;
            if (c === p || c === nx || this.inSegment(c, s1, segLen)) continue;
            for (let w = 0; w < 2; w++) {
              const e = w === 0 ? this.succ(c) : this.pred(c);
              if (e === p || e === nx || this.inSegment(e, s1, segLen)) continue;
              const gain = removeGain - (dce + dist(other, e) - dist(c, e));
              if (gain > 1e-9) {
                this.moveSegment(p, s1, s2, nx, c, e, w === 0, end);
                this.length -= gain;
                this.push(p);
                this.push(nx);
                this.push(s1);
                this.push(s2);
                this.push(c);
                this.push(e);
                return true;
              }
            }
          }
        }
      }
    }
    return false;
  }

  private inSegment(c: number, s1: number, segLen: number): boolean {
    let d = this.pos[c]! - this.pos[s1]!;
    if (d < 0) d += this.n;
    return d < segLen;
  }

  /** Removes edges (a,b), (c,d) — consistently oriented — and adds (a,c), (b,d). */
  private move2opt(a: number, b: number, c: number, d: number): void {
    if (this.succ(a) === b) this.reverse(b, c);
    else this.reverse(a, d);
  }

  /**
   * Moves the chain p [s1..s2] nx between c and e (e = succ(c) when `eAfterC`) as three 2-opt
   * moves, so that `end` is next to c. No O(n) rebuild: each step reverses the shorter side.
   */
  private moveSegment(
    p: number,
    s1: number,
    s2: number,
    nx: number,
    c: number,
    e: number,
    eAfterC: boolean,
    end: number,
  ): void {
    const pu = eAfterC ? p : nx;
    const u = eAfterC ? s1 : s2;
    const v = eAfterC ? s2 : s1;
    const nv = eAfterC ? nx : p;
    this.move2opt(pu, u, c, e); // pu–c, u–e: the chain now runs reversed up to e
    this.move2opt(pu, c, nv, v); // pu–nv, c–v
    if (end !== v) this.move2opt(c, v, u, e); // c–u, v–e
  }

  /**
   * Double bridge: swaps two adjacent chains A B C D → A C B D; returns the touched cities.
   * Mostly segment-local (chains of up to 30 cities, cheap and effective on uniform points);
   * one kick in eight spans the whole tour, so that the order of far-apart clusters can change.
   */
  doubleBridge(rand: () => number): number[] {
    const n = this.n;
    if (n < 8) return [];
    const global = rand() < 0.125;
    const window = global ? n - 2 : Math.min(n - 1, 30);
    const i = Math.floor(rand() * n);
    const cuts = [0, 0].map(() => 1 + Math.floor(rand() * (window - 1))).sort((x, y) => x - y);
    const [c1, c2] = cuts as [number, number];
    if (c1 === c2) return [];
    // Positions i+1..i+c1 = B, i+c1+1..i+c2 = C ... swap B and C: A B C D → A C B D.
    const at = (o: number): number => (i + o) % n;
    const b: number[] = [];
    const c: number[] = [];
    for (let o = 1; o <= c1; o++) b.push(this.tour[at(o)]!);
    for (let o = c1 + 1; o <= c2; o++) c.push(this.tour[at(o)]!);
    const before = this.tour[at(0)]!;
    const after = this.tour[at(c2 + 1)]!;
    const oldCost =
      this.dist(before, b[0]!) +
      this.dist(b[b.length - 1]!, c[0]!) +
      this.dist(c[c.length - 1]!, after);
    const newCost =
      this.dist(before, c[0]!) +
      this.dist(c[c.length - 1]!, b[0]!) +
      this.dist(b[b.length - 1]!, after);
    let o = 1;
    for (const x of [...c, ...b]) {
      const p = at(o++);
      this.tour[p] = x;
      this.pos[x] = p;
    }
    this.length += newCost - oldCost;
    return [before, after, b[0]!, b[b.length - 1]!, c[0]!, c[c.length - 1]!];
  }
}
