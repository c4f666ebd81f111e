import type { XY } from '../types/index';

/** The two ways to fly a cell (first lane towards +x or towards −x): first and last points of each. */
export interface CellEnds {
  first: [XY, XY];
  last: [XY, XY];
}

/** Options of {@link orderCells}. */
export interface OrderOptions {
  /**
   * Most rounds of 2-opt (each followed by Or-opt) on more than ten cells. Default 50; a few
   * rounds give a quick estimate (e.g. to compare candidate plans).
   */
  maxPasses?: number;
}

/** A cell visit: which cell, which of its two boustrophedon paths, and whether it is flown backwards. */
export interface CellVisit {
  cell: number;
  path: 0 | 1;
  reversed: boolean;
}

// Not Math.hypot: this runs millions of times per plan and hypot is several times slower.
const dist = (a: XY, b: XY): number => {
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  return Math.sqrt(dx * dx + dy * dy);
};

function entryOf(cells: readonly CellEnds[], v: CellVisit): XY {
  const c = cells[v.cell]!;
  return v.reversed ? c.last[v.path] : c.first[v.path];
}

function exitOf(cells: readonly CellEnds[], v: CellVisit): XY {
  const c = cells[v.cell]!;
  return v.reversed ? c.first[v.path] : c.last[v.path];
}

/** Up to this many cells the order is exact (Held–Karp over cells × their four ways). */
const EXACT_MAX_CELLS = 10;

/**
 * Orders cells to minimise the transit between them (a small generalised TSP: each cell is
 * entered at one of four lane ends). Up to {@link EXACT_MAX_CELLS} cells exactly, by a Held–Karp
 * dynamic programme over (visited set, last cell, its way); beyond that, nearest-neighbour
 * construction over all four ways into each cell, 2-opt on the open path (reversing a run of cells
 * also reverses how each is flown), then an exact dynamic programme over the four ways of each
 * cell for the final order. Distances are straight lines; the caller routes the chosen transits
 * around obstacles.
 *
 * @param start where the drone is before the first cell (e.g. its dock), or null for a free start
 * @example
 * const visits = orderCells(cells.map(ends), dockXY);
 */
export function orderCells(
  cells: readonly CellEnds[],
  start: XY | null,
  options: OrderOptions = {},
): CellVisit[] {
  const maxPasses = options.maxPasses ?? 50;
  const n = cells.length;
  if (n === 0) return [];
  if (n <= EXACT_MAX_CELLS) return exactOrder(cells, start);
  const used = new Uint8Array(n);
  const seq: CellVisit[] = [];
  let cur: XY | null = start;
  for (let step = 0; step < n; step++) {
    let best: CellVisit | null = null;
    let bestD = Infinity;
    for (let c = 0; c < n; c++) {
      if (used[c]) continue;
      for (const path of [0, 1] as const) {
        for (const reversed of [false, true]) {
          const v = { cell: c, path, reversed };
          const e = entryOf(cells, v);
          // Without a start, begin at the south-west-most entry.
          const d = cur ? dist(cur, e) : e[0] + e[1];
          if (d < bestD) {
            bestD = d;
            best = v;
          }
        }
      }
    }
    const chosen = best!;
    used[chosen.cell] = 1;
    seq.push(chosen);
    cur = exitOf(cells, chosen);
  }

  const before = (i: number): XY | null => (i === 0 ? start : exitOf(cells, seq[i - 1]!));
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = orOpt(cells, seq, start, maxPasses > 5 ? 5 : 1);
    for (let i = 0; i < n - 1; i++) {
      const p = before(i);
      for (let j = i + 1; j < n; j++) {
        const si = seq[i]!;
        const sj = seq[j]!;
        const next = seq[j + 1];
        let delta = 0;
        if (p) delta += dist(p, exitOf(cells, sj)) - dist(p, entryOf(cells, si));
        if (next)
          delta +=
            dist(entryOf(cells, si), entryOf(cells, next)) -
            dist(exitOf(cells, sj), entryOf(cells, next));
        if (delta < -1e-9) {
          const run = seq
            .slice(i, j + 1)
            .reverse()
            .map((v) => ({ ...v, reversed: !v.reversed }));
          seq.splice(i, run.length, ...run);
          improved = true;
        }
      }
    }
    if (!improved) break;
  }

  // Exact choice of the way through each cell for this order.
  const variants: CellVisit[][] = seq.map((v) => [
    { cell: v.cell, path: 0, reversed: false },
    { cell: v.cell, path: 0, reversed: true },
    { cell: v.cell, path: 1, reversed: false },
    { cell: v.cell, path: 1, reversed: true },
  ]);
  const cost: number[][] = [];
  const from: number[][] = [];
  for (let i = 0; i < n; i++) {
    cost.push([]);
    from.push([]);
    for (let k = 0; k < 4; k++) {
      const v = variants[i]![k]!;
      if (i === 0) {
        cost[i]![k] = start ? dist(start, entryOf(cells, v)) : 0;
        from[i]![k] = -1;
        continue;
      }
      let best = Infinity;
      let arg = 0;
      for (let q = 0; q < 4; q++) {
        const c = cost[i - 1]![q]! + dist(exitOf(cells, variants[i - 1]![q]!), entryOf(cells, v));
        if (c < best) {
          best = c;
          arg = q;
        }
      }
      cost[i]![k] = best;
      from[i]![k] = arg;
    }
  }
  let k = 0;
  for (let q = 1; q < 4; q++) if (cost[n - 1]![q]! < cost[n - 1]![k]!) k = q;
  const out: CellVisit[] = new Array<CellVisit>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = variants[i]![k]!;
    k = from[i]![k]!;
  }
  return out;
}

/** Distance where a missing end (no start, or after the last cell) costs nothing. */
const gap = (a: XY | null, b: XY | null): number => (a && b ? dist(a, b) : 0);

/** Or-opt is tried up to this many cells (each pass is quadratic). */
const OR_OPT_MAX_CELLS = 400;

/**
 * Or-opt: moves a run of 1–3 consecutive cells to the best other place in the order, either way
 * round (flown backwards, each cell reversed), while that shortens the transit (at most 5 passes).
 * Returns whether it moved any.
 */
function orOpt(
  cells: readonly CellEnds[],
  seq: CellVisit[],
  start: XY | null,
  passes: number,
): boolean {
  const n = seq.length;
  if (n > OR_OPT_MAX_CELLS) return false;
  let moved = false;
  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    for (let len = 1; len <= 3; len++) {
      for (let i = 0; i + len <= n; i++) {
        const k = i + len - 1;
        const head = seq[i]!;
        const tail = seq[k]!;
        const prev = i > 0 ? exitOf(cells, seq[i - 1]!) : start;
        const next = k + 1 < n ? entryOf(cells, seq[k + 1]!) : null;
        const removeGain =
          gap(prev, entryOf(cells, head)) + gap(exitOf(cells, tail), next) - gap(prev, next);
        if (removeGain <= 1e-9) continue;
        let bestAdd = removeGain - 1e-9;
        let bestP = -2;
        let bestBackward = false;
        // Insert on the edge seq[p] → seq[p + 1] (p = −1: before the first, p = n − 1: after the last).
        for (let p = -1; p < n; p++) {
          if (p >= i - 1 && p <= k) continue;
          const a = p >= 0 ? exitOf(cells, seq[p]!) : start;
          const b = p + 1 < n ? entryOf(cells, seq[p + 1]!) : null;
          const base = gap(a, b);
          const forward = gap(a, entryOf(cells, head)) + gap(exitOf(cells, tail), b) - base;
          const backward = gap(a, exitOf(cells, tail)) + gap(entryOf(cells, head), b) - base;
          if (forward < bestAdd) {
            bestAdd = forward;
            bestP = p;
            bestBackward = false;
          }
          if (backward < bestAdd) {
            bestAdd = backward;
            bestP = p;
            bestBackward = true;
          }
        }
        if (bestP === -2) continue;
        let run = seq.splice(i, len);
        if (bestBackward) run = run.reverse().map((v) => ({ ...v, reversed: !v.reversed }));
        seq.splice(bestP < i ? bestP + 1 : bestP + 1 - len, 0, ...run);
        improved = true;
        moved = true;
      }
    }
    if (!improved) break;
  }
  return moved;
}

const WAYS: readonly { path: 0 | 1; reversed: boolean }[] = [
  { path: 0, reversed: false },
  { path: 0, reversed: true },
  { path: 1, reversed: false },
  { path: 1, reversed: true },
];

/** Held–Karp over cells: state (visited set, last cell × its way); ties keep the lower index. */
function exactOrder(cells: readonly CellEnds[], start: XY | null): CellVisit[] {
  const n = cells.length;
  const k = 4 * n;
  const entry: XY[] = [];
  const exit: XY[] = [];
  for (let c = 0; c < n; c++) {
    for (const w of WAYS) {
      const v = { cell: c, ...w };
      entry.push(entryOf(cells, v));
      exit.push(exitOf(cells, v));
    }
  }
  // Every exit → entry distance once: the inner loop below runs 2ⁿ · (4n)² times.
  const gapM = new Float64Array(k * k);
  for (let s = 0; s < k; s++)
    for (let t = 0; t < k; t++) gapM[s * k + t] = dist(exit[s]!, entry[t]!);
  const full = (1 << n) - 1;
  const cost = new Float64Array((full + 1) * k).fill(Infinity);
  const parent = new Int32Array((full + 1) * k).fill(-1);
  for (let s = 0; s < k; s++) cost[(1 << (s >> 2)) * k + s] = start ? dist(start, entry[s]!) : 0;
  for (let mask = 1; mask <= full; mask++) {
    for (let s = 0; s < k; s++) {
      const here = cost[mask * k + s]!;
      if (here === Infinity) continue;
      const row = s * k;
      for (let d = 0; d < n; d++) {
        if (mask & (1 << d)) continue;
        const next = mask | (1 << d);
        for (let w = 0; w < 4; w++) {
          const t = 4 * d + w;
          const c = here + gapM[row + t]!;
          if (c < cost[next * k + t]! - 1e-9) {
            cost[next * k + t] = c;
            parent[next * k + t] = s;
          }
        }
      }
    }
  }
  let last = 0;
  for (let s = 1; s < k; s++) if (cost[full * k + s]! < cost[full * k + last]! - 1e-9) last = s;
  const order: CellVisit[] = [];
  let mask = full;
  let s = last;
  while (s >= 0) {
    order.push({ cell: s >> 2, ...WAYS[s & 3]! });
    const p = parent[mask * k + s]!;
    mask &= ~(1 << (s >> 2));
    s = p;
  }
  return order.reverse();
}
