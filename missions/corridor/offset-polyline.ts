import type { XY } from '../types/index';

/**
 * Resamples a polyline so that no segment is longer than `stepM` (original vertices kept).
 *
 * @example
 * densify([[0, 0], [10, 0]], 4); // [[0,0],[3.33,0],[6.67,0],[10,0]]
 */
export function densify(points: readonly XY[], stepM: number): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const prev = out[out.length - 1];
    if (prev && prev[0] === a[0] && prev[1] === a[1]) continue;
    if (prev) {
      const len = Math.hypot(a[0] - prev[0], a[1] - prev[1]);
      const n = Math.ceil(len / stepM);
      for (let k = 1; k < n; k++)
        out.push([prev[0] + ((a[0] - prev[0]) * k) / n, prev[1] + ((a[1] - prev[1]) * k) / n]);
    }
    out.push([a[0], a[1]]);
  }
  return out;
}

/**
 * Smooths a densified polyline with a moving average over ±`halfWindow` vertices, keeping the end
 * points; the window shrinks near the ends so the line still starts and ends where it did.
 *
 * @example
 * smoothPolyline(densify(line, 10), 5);
 */
export function smoothPolyline(points: readonly XY[], halfWindow: number): XY[] {
  if (halfWindow < 1 || points.length < 3) return points.map((p) => [p[0], p[1]]);
  const n = points.length;
  const prefixX = new Float64Array(n + 1);
  const prefixY = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    prefixX[i + 1] = prefixX[i]! + points[i]![0];
    prefixY[i + 1] = prefixY[i]! + points[i]![1];
  }
  const out: XY[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.min(halfWindow, i, n - 1 - i);
    const lo = i - k;
    const hi = i + k + 1;
    out.push([
      (prefixX[hi]! - prefixX[lo]!) / (hi - lo),
      (prefixY[hi]! - prefixY[lo]!) / (hi - lo),
    ]);
  }
  return out;
}

function segmentIntersection(a: XY, b: XY, c: XY, d: XY): XY | null {
  const rX = b[0] - a[0];
  const rY = b[1] - a[1];
  const sX = d[0] - c[0];
  const sY = d[1] - c[1];
  const denom = rX * sY - rY * sX;
  if (Math.abs(denom) < 1e-12) return null;
  const t = ((c[0] - a[0]) * sY - (c[1] - a[1]) * sX) / denom;
  const u = ((c[0] - a[0]) * rY - (c[1] - a[1]) * rX) / denom;
  if (t <= 1e-12 || t >= 1 - 1e-12 || u <= 1e-12 || u >= 1 - 1e-12) return null;
  return [a[0] + t * rX, a[1] + t * rY];
}

/**
 * Cuts the local loops out of a polyline: whenever segment i crosses a later segment j within
 * `lookaheadM` of arc length, the vertices between them are dropped and the crossing point joins
 * the two (the furthest such j wins, so nested swallow-tails go at once).
 *
 * @example
 * removeLoops([[0, 0], [10, 0], [5, -5], [5, 5]], 100); // [[0,0],[5,0],[5,5]]
 */
export function removeLoops(points: readonly XY[], lookaheadM: number): XY[] {
  const out: XY[] = [];
  if (points.length === 0) return out;
  out.push(points[0]!);
  let i = 0;
  let start: XY = points[0]!;
  while (i < points.length - 1) {
    const b = points[i + 1]!;
    let cutJ = -1;
    let cutP: XY | null = null;
    let arc = 0;
    const minX = Math.min(start[0], b[0]);
    const maxX = Math.max(start[0], b[0]);
    const minY = Math.min(start[1], b[1]);
    const maxY = Math.max(start[1], b[1]);
    for (let j = i + 2; j < points.length - 1 && arc <= lookaheadM; j++) {
      const c = points[j]!;
      const d = points[j + 1]!;
      arc += Math.hypot(c[0] - points[j - 1]![0], c[1] - points[j - 1]![1]);
      if (Math.max(c[0], d[0]) < minX || Math.min(c[0], d[0]) > maxX) continue;
      if (Math.max(c[1], d[1]) < minY || Math.min(c[1], d[1]) > maxY) continue;
      const p = segmentIntersection(start, b, c, d);
      if (p) {
        cutJ = j;
        cutP = p;
      }
    }
    if (cutP) {
      out.push(cutP);
      start = cutP;
      i = cutJ;
      continue;
    }
    out.push(b);
    start = b;
    i++;
  }
  return out;
}

/**
 * The polyline at signed distance `offsetM` from `points` (positive = left of the direction of
 * travel): each segment shifted along its normal, round joins on the outer side of bends, and the
 * swallow-tail loops of the inner side cut out, so the result never crosses itself locally.
 *
 * @example
 * offsetPolyline([[0, 0], [100, 0], [100, 100]], 20); // [[0,20],[80,20],[80,100]]
 */
export function offsetPolyline(
  points: readonly XY[],
  offsetM: number,
  joinStepRad = Math.PI / 12,
): XY[] {
  if (points.length < 2 || offsetM === 0) return points.map((p) => [p[0], p[1]]);
  const normals: XY[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    normals.push([-(b[1] - a[1]) / len, (b[0] - a[0]) / len]);
  }
  const raw: XY[] = [];
  const d = offsetM;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const nPrev = normals[i - 1];
    const nNext = normals[i];
    if (!nPrev) {
      raw.push([p[0] + d * nNext![0], p[1] + d * nNext![1]]);
      continue;
    }
    if (!nNext) {
      raw.push([p[0] + d * nPrev[0], p[1] + d * nPrev[1]]);
      continue;
    }
    const a0 = Math.atan2(nPrev[1], nPrev[0]);
    let delta = Math.atan2(nNext[1], nNext[0]) - a0;
    if (delta > Math.PI) delta -= 2 * Math.PI;
    if (delta < -Math.PI) delta += 2 * Math.PI;
    // Outer side: the offset turns the same way as the normal rotates when d > 0 turns right.
    const outer = d > 0 ? delta < 0 : delta > 0;
    raw.push([p[0] + d * nPrev[0], p[1] + d * nPrev[1]]);
    if (outer) {
      const steps = Math.floor(Math.abs(delta) / joinStepRad);
      for (let k = 1; k <= steps; k++) {
        const a = a0 + (delta * k) / (steps + 1);
        raw.push([p[0] + d * Math.cos(a), p[1] + d * Math.sin(a)]);
      }
    }
    raw.push([p[0] + d * nNext[0], p[1] + d * nNext[1]]);
  }
  const dedup = raw.filter(
    (p, i) => i === 0 || Math.hypot(p[0] - raw[i - 1]![0], p[1] - raw[i - 1]![1]) > 1e-9,
  );
  return removeLoops(dedup, 8 * Math.abs(d) + 100);
}

/** True when two non-adjacent segments of the polyline cross (O(n²); for tests and checks). */
export function polylineSelfCrosses(points: readonly XY[]): boolean {
  for (let i = 0; i + 1 < points.length; i++) {
    for (let j = i + 2; j + 1 < points.length; j++) {
      if (segmentIntersection(points[i]!, points[i + 1]!, points[j]!, points[j + 1]!)) return true;
    }
  }
  return false;
}
