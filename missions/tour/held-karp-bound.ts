import type { XY } from '../types/index';
import { neighbourLists } from './neighbour-lists';

/** Options of {@link heldKarpBound}. */
export interface HeldKarpOptions {
  /**
   * Length of a known tour in metres: the target of the Polyak subgradient steps (Held–Karp
   * 1971). Default: the nearest-neighbour tour's, which makes the steps longer than a good
   * tour's would.
   */
  upperBoundM?: number;
  /** Subgradient iterations. Default 200 (within 0.03 % of 3 000 on 576 random points). */
  maxIterations?: number;
  /** Candidate neighbours per point of the sparse graph the ascent runs on. Default 12. */
  neighbours?: number;
}

/** Result of {@link heldKarpBound}. */
export interface HeldKarpBound {
  /** A proven lower bound on the length of any closed tour through all points, metres. */
  lowerBoundM: number;
  iterations: number;
}

/**
 * The Held–Karp 1-tree lower bound on the shortest closed tour through `points` (metres), with
 * subgradient optimisation of the node penalties π (Held & Karp 1971; step rule after Volgenant
 * & Jonker 1982). The ascent runs on a sparse k-nearest-neighbour graph for speed; the returned
 * bound is the exact 1-tree value of the best π on the complete graph (a dense O(n²) Prim), so
 * it is a valid lower bound whatever the sparse graph missed.
 *
 * On clustered points the penalties a cluster needs are of the order of the gaps between
 * clusters, while a node's subgradient step must stay of the order of its neighbours' distances.
 * The ascent therefore also moves whole single-linkage clusters (components of the Euclidean MST
 * without its long edges, at scales 4×, 16×, … the median MST edge) by the sum of their
 * members' subgradients, a step weighted by the cluster's gap to the others: π stays one penalty
 * per point, so the bound is as valid as before. Uniform points have no MST edge 4× the median,
 * so no clusters, and run as before.
 *
 * @example
 * heldKarpBound([[0, 0], [10, 0], [10, 10], [0, 10]]).lowerBoundM; // 40
 */
export function heldKarpBound(points: readonly XY[], options: HeldKarpOptions = {}): HeldKarpBound {
  const n = points.length;
  if (n < 2) return { lowerBoundM: 0, iterations: 0 };
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
  if (n === 2) return { lowerBoundM: 2 * dist(0, 1), iterations: 0 };
  const pi = new Float64Array(n);
  const deg = new Int32Array(n);
  const dense = (): number => oneTree(n, dist, pi, deg, null);
  const maxIterations = options.maxIterations ?? 200;
  const k = Math.min(options.neighbours ?? 12, n - 1);
  // k nearest neighbours plus the Euclidean MST edges, so the sparse graph is always connected.
  deg.fill(0);
  const mstParent = new Int32Array(n);
  densePrim(n, dist, pi, deg, mstParent, 0);
  const extra: [number, number][] = [];
  let graph = sparseGraph(n, neighbourLists(points, k), k, dist, mstParent, extra);
  // Without a known tour the nearest-neighbour one (O(n²), as one dense 1-tree) is the target:
  // a target that follows the ascent (1.02 × the sparse 1-tree) let it climb past any tour
  // where the sparse graph lacked edges, and no check saw it.
  const upperBoundM = options.upperBoundM ?? nearestNeighbourLengthM(n, dist);
  const levels = clusterLevels(n, dist, mstParent);
  const levelSubgradient = levels.map((level) => new Float64Array(level.count));
  const clusterStepM = new Float64Array(n);

  // The sparse 1-tree is heavier than the dense one wherever the graph lacks an edge the dense
  // tree wants (between clusters, typically), and the ascent would then climb the wrong
  // function: every few steps the dense 1-tree is computed, its missing edges join the graph,
  // and only dense values (valid bounds) choose the best penalties.
  const denseEvery = 20;
  const denseDeg = new Int32Array(n);
  const denseParent = new Int32Array(n);
  const bestPi = new Float64Array(n);
  const bestSparsePi = new Float64Array(n);
  const prevG = new Float64Array(n);
  let best = -Infinity;
  let bestDense = -Infinity;
  let lambda = 1;
  let sinceImprove = 0;
  // A short period (halve λ after 10 idle steps) converged fastest on random uniform inputs.
  const period = 10;
  let iterations = 0;
  /** Dense 1-tree at the current penalties; true when it added edges to the sparse graph. */
  const checkDense = (w: number): boolean => {
    const wd = oneTree(n, dist, pi, denseDeg, null, denseParent);
    if (wd > bestDense) {
      bestDense = wd;
      bestPi.set(pi);
    }
    if (wd < w - 1e-9 * Math.abs(w)) {
      const before = extra.length;
      const has = (a: number, b: number): boolean => {
        for (let e = graph.start[a]!; e < graph.start[a + 1]!; e++)
          if (graph.to[e] === b) return true;
        return false;
      };
      for (let v = 1; v < n; v++) {
        const u = denseParent[v]!;
        if (u > 0 && !has(u, v)) extra.push([u, v]);
      }
      if (extra.length > before) {
        graph = sparseGraph(n, neighbourLists(points, k), k, dist, mstParent, extra);
        best = -Infinity; // sparse values before and after the new edges are not comparable
        return true;
      }
    }
    return false;
  };
  for (; iterations < maxIterations; iterations++) {
    const w = oneTree(n, dist, pi, deg, graph);
    if (iterations % denseEvery === 0 && checkDense(w)) continue;
    if (w > best + 1e-12 * Math.abs(w)) {
      best = w;
      bestSparsePi.set(pi);
      sinceImprove = 0;
    } else if (++sinceImprove >= period) {
      lambda /= 2;
      sinceImprove = 0;
    }
    let norm = 0;
    for (let v = 0; v < n; v++) norm += (deg[v]! - 2) ** 2;
    if (norm === 0 || lambda < 1e-4) break;
    const ub = upperBoundM;
    // A sparse 1-tree above the tour lacks edges the dense one has: add them and go on.
    if (ub <= w) {
      if (checkDense(w)) continue;
      break;
    }
    // Cluster moves: the subgradient of a penalty y shared by a cluster's points is the sum of
    // theirs; y scaled by √weight makes the step weight × that sum and adds weight × sum² to the
    // squared norm of the Polyak step. A cluster's weight is its gap (the MST edge that joins it
    // to the rest) over the median MST edge, and no step moves it by more than its gap.
    for (let j = 0; j < levels.length; j++) {
      const { cluster, weight } = levels[j]!;
      const sum = levelSubgradient[j]!;
      sum.fill(0);
      for (let v = 0; v < n; v++) sum[cluster[v]!] = sum[cluster[v]!]! + deg[v]! - 2;
      for (let c = 0; c < sum.length; c++) norm += weight[c]! * sum[c]! ** 2;
    }
    const t = (lambda * (ub - w)) / norm;
    clusterStepM.fill(0);
    for (let j = 0; j < levels.length; j++) {
      const { cluster, weight, gapM } = levels[j]!;
      const sum = levelSubgradient[j]!;
      for (let c = 0; c < sum.length; c++) {
        const stepM = Math.min(t * weight[c]! * Math.abs(sum[c]!), gapM[c]!);
        sum[c] = Math.sign(sum[c]!) * stepM;
      }
      for (let v = 0; v < n; v++) clusterStepM[v] = clusterStepM[v]! + sum[cluster[v]!]!;
    }
    for (let v = 0; v < n; v++) {
      const g = deg[v]! - 2;
      // Momentum on the node part only: a cluster step carried into the next iteration, whose
      // norm may no longer include it, overshot by orders of magnitude.
      pi[v] = pi[v]! + t * (0.7 * g + 0.3 * prevG[v]!) + clusterStepM[v]!;
      prevG[v] = g;
    }
  }
  checkDense(Infinity);
  // Both candidates are evaluated densely, so whichever is larger is a valid bound.
  pi.set(bestSparsePi);
  const atSparseBest = dense();
  pi.set(bestPi);
  return { lowerBoundM: Math.max(0, bestDense, dense(), atSparseBest), iterations };
}

/** Length of the closed nearest-neighbour tour from point 0, metres (O(n²)). */
function nearestNeighbourLengthM(n: number, dist: (a: number, b: number) => number): number {
  const visited = new Uint8Array(n);
  visited[0] = 1;
  let at = 0;
  let lengthM = 0;
  for (let step = 1; step < n; step++) {
    let next = -1;
    let bestM = Infinity;
    for (let v = 1; v < n; v++) {
      if (visited[v]) continue;
      const d = dist(at, v);
      if (d < bestM) {
        bestM = d;
        next = v;
      }
    }
    visited[next] = 1;
    lengthM += bestM;
    at = next;
  }
  return lengthM + dist(at, 0);
}

/** One scale of single-linkage clusters. */
interface ClusterLevel {
  /** Each point's cluster index. */
  cluster: Int32Array;
  count: number;
  /** Per cluster: the shortest MST edge between it and another cluster, metres. */
  gapM: Float64Array;
  /** Per cluster: gapM over the median MST edge, the weight of its step. */
  weight: Float64Array;
}

/** At most this many cluster scales (the ratio between them grows instead). */
const MAX_LEVELS = 8;

/**
 * Single-linkage clusters of the points at scales τ = 4×, 16×, … the median edge of the
 * Euclidean MST (`mstParent`; a larger ratio than 4 when more than {@link MAX_LEVELS} scales
 * would be needed): the components of the MST without its edges longer than τ. A scale is kept
 * when it splits the points into at least two clusters and merges some of the previous scale's.
 */
function clusterLevels(
  n: number,
  dist: (a: number, b: number) => number,
  mstParent: Int32Array,
): ClusterLevel[] {
  const edges: { v: number; lengthM: number }[] = [];
  for (let v = 0; v < n; v++) {
    if (mstParent[v]! >= 0) edges.push({ v, lengthM: dist(v, mstParent[v]!) });
  }
  edges.sort((a, b) => a.lengthM - b.lengthM);
  const medianM = edges[edges.length >> 1]?.lengthM ?? 0;
  const longestM = edges[edges.length - 1]?.lengthM ?? 0;
  if (!(medianM > 0)) return [];
  const factor = Math.max(4, (longestM / medianM) ** (1 / MAX_LEVELS));
  const root = new Int32Array(n);
  for (let v = 0; v < n; v++) root[v] = v;
  const find = (a: number): number => {
    while (root[a] !== a) {
      root[a] = root[root[a]!]!;
      a = root[a]!;
    }
    return a;
  };
  const levels: ClusterLevel[] = [];
  let e = 0;
  let components = n;
  for (let tauM = medianM * factor; tauM < longestM; tauM *= factor) {
    const before = components;
    for (; e < edges.length && edges[e]!.lengthM <= tauM; e++) {
      const a = find(edges[e]!.v);
      const b = find(mstParent[edges[e]!.v]!);
      if (a !== b) {
        root[a] = b;
        components--;
      }
    }
    if (components === before || components < 2) continue;
    const cluster = new Int32Array(n);
    const index = new Map<number, number>();
    for (let v = 0; v < n; v++) {
      const r = find(v);
      const c = index.get(r) ?? index.size;
      index.set(r, c);
      cluster[v] = c;
    }
    const gapM = new Float64Array(index.size).fill(Infinity);
    for (let f = e; f < edges.length; f++) {
      const a = cluster[edges[f]!.v]!;
      const b = cluster[mstParent[edges[f]!.v]!]!;
      gapM[a] = Math.min(gapM[a]!, edges[f]!.lengthM);
      gapM[b] = Math.min(gapM[b]!, edges[f]!.lengthM);
    }
    levels.push({ cluster, count: index.size, gapM, weight: gapM.map((g) => g / medianM) });
  }
  return levels;
}

interface SparseGraph {
  start: Int32Array;
  to: Int32Array;
  len: Float64Array;
  /** Buffers reused by every Prim run. */
  work: {
    key: Float64Array;
    parent: Int32Array;
    inTree: Uint8Array;
    heapNode: Int32Array;
    heapKey: Float64Array;
  };
}

function sparseGraph(
  n: number,
  nb: Int32Array,
  k: number,
  dist: (a: number, b: number) => number,
  mstParent: Int32Array,
  extra: readonly [number, number][] = [],
): SparseGraph {
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (const [a, b] of extra) {
    adj[a]!.add(b);
    adj[b]!.add(a);
  }
  for (let a = 0; a < n; a++) {
    const b = mstParent[a]!;
    if (b >= 0) {
      adj[a]!.add(b);
      adj[b]!.add(a);
    }
  }
  for (let a = 0; a < n; a++) {
    for (let s = 0; s < k; s++) {
      const b = nb[a * k + s]!;
      if (b !== a) {
        adj[a]!.add(b);
        adj[b]!.add(a);
      }
    }
  }
  const start = new Int32Array(n + 1);
  for (let a = 0; a < n; a++) start[a + 1] = start[a]! + adj[a]!.size;
  const to = new Int32Array(start[n]!);
  const len = new Float64Array(start[n]!);
  for (let a = 0; a < n; a++) {
    let i = start[a]!;
    for (const b of [...adj[a]!].sort((x, y) => x - y)) {
      to[i] = b;
      len[i++] = dist(a, b);
    }
  }
  const m = start[n]! + 1;
  const work = {
    key: new Float64Array(n),
    parent: new Int32Array(n),
    inTree: new Uint8Array(n),
    heapNode: new Int32Array(m),
    heapKey: new Float64Array(m),
  };
  return { start, to, len, work };
}

/**
 * The weight of the minimum 1-tree under penalties π (minus 2Σπ), filling `deg`. Node 0 is the
 * special node. On a sparse graph that leaves nodes 1..n−1 disconnected it falls back to dense.
 */
function oneTree(
  n: number,
  dist: (a: number, b: number) => number,
  pi: Float64Array,
  deg: Int32Array,
  graph: SparseGraph | null,
  parent?: Int32Array,
): number {
  deg.fill(0);
  const tree = graph ? sparsePrim(n, pi, deg, graph) : densePrim(n, dist, pi, deg, parent);
  // A sparse graph keeps nodes 1..n−1 connected unless node 0 was an articulation point of it.
  if (tree === null) return oneTree(n, dist, pi, deg, null);
  let m1 = Infinity;
  let m2 = Infinity;
  let i1 = -1;
  let i2 = -1;
  for (let v = 1; v < n; v++) {
    const c = dist(0, v) + pi[0]! + pi[v]!;
    if (c < m1) {
      m2 = m1;
      i2 = i1;
      m1 = c;
      i1 = v;
    } else if (c < m2) {
      m2 = c;
      i2 = v;
    }
  }
  deg[0] = 2;
  deg[i1]!++;
  deg[i2]!++;
  let piSum = 0;
  for (let v = 0; v < n; v++) piSum += pi[v]!;
  return tree + m1 + m2 - 2 * piSum;
}

/** Dense Prim from `root` over all nodes except the 1-tree's special node 0 (unless root is 0). */
function densePrim(
  n: number,
  dist: (a: number, b: number) => number,
  pi: Float64Array,
  deg: Int32Array,
  parent: Int32Array = new Int32Array(n),
  root = 1,
): number {
  const key = new Float64Array(n).fill(Infinity);
  parent.fill(-1);
  const inTree = new Uint8Array(n);
  const first = root === 0 ? 0 : 1;
  key[root] = 0;
  let tree = 0;
  for (let step = first; step < n; step++) {
    let u = -1;
    let bestKey = Infinity;
    for (let v = first; v < n; v++) {
      if (!inTree[v] && key[v]! < bestKey) {
        bestKey = key[v]!;
        u = v;
      }
    }
    inTree[u] = 1;
    tree += bestKey;
    if (parent[u]! >= 0) {
      deg[u]!++;
      deg[parent[u]!]!++;
    }
    const pu = pi[u]!;
    for (let v = first; v < n; v++) {
      if (inTree[v]) continue;
      const c = dist(u, v) + pu + pi[v]!;
      if (c < key[v]!) {
        key[v] = c;
        parent[v] = u;
      }
    }
  }
  return tree;
}

/** Prim with a binary heap over the sparse graph (node 0 excluded); null when disconnected. */
function sparsePrim(n: number, pi: Float64Array, deg: Int32Array, g: SparseGraph): number | null {
  const { key, parent, inTree, heapNode, heapKey } = g.work;
  key.fill(Infinity);
  parent.fill(-1);
  inTree.fill(0);
  heapNode[0] = 1;
  heapKey[0] = 0;
  let size = 1;
  key[1] = 0;
  let tree = 0;
  let count = 0;
  while (size > 0) {
    const u = heapNode[0]!;
    const ku = heapKey[0]!;
    // Pop: move the last entry to the root and sift it down.
    size--;
    const lastNode = heapNode[size]!;
    const lastKey = heapKey[size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heapKey[child + 1]! < heapKey[child]!) child++;
      if (heapKey[child]! >= lastKey) break;
      heapNode[i] = heapNode[child]!;
      heapKey[i] = heapKey[child]!;
      i = child;
    }
    heapNode[i] = lastNode;
    heapKey[i] = lastKey;
    if (inTree[u] || ku > key[u]!) continue;
    inTree[u] = 1;
    count++;
    tree += ku;
    if (parent[u]! >= 0) {
      deg[u]!++;
      deg[parent[u]!]!++;
    }
    const pu = pi[u]!;
    const end = g.start[u + 1]!;
    for (let e: number = g.start[u]!; e < end; e++) {
      const v = g.to[e]!;
      if (v === 0 || inTree[v]) continue;
      const c = g.len[e]! + pu + pi[v]!;
      if (c < key[v]!) {
        key[v] = c;
        parent[v] = u;
        // Push (lazy decrease-key: stale entries are skipped when popped).
        let j = size++;
        while (j > 0) {
          const up = (j - 1) >> 1;
          if (heapKey[up]! <= c) break;
          heapNode[j] = heapNode[up]!;
          heapKey[j] = heapKey[up]!;
          j = up;
        }
        heapNode[j] = v;
        heapKey[j] = c;
      }
    }
  }
  return count === n - 1 ? tree : null;
}
