import type { XY } from '../types/index';
import { convexHull, normaliseAngle, type MultiPolygonXY } from './planar-geometry';

/** The outcome of a sweep-direction search. */
export interface AngleSearchResult {
  /** Best lane direction, radians from +x (east) counter-clockwise, in [0, π). */
  angleRad: number;
  /** Objective at that direction, metres. */
  costM: number;
  /** How many times the objective was evaluated. */
  evaluations: number;
  /** Every candidate direction with its objective, best first (before refinement). */
  ranked: { angleRad: number; costM: number }[];
}

export interface AngleSearchOptions {
  /** Most directions taken from the hull and the polygon's edges. Default 12. */
  maxCandidates?: number;
  /** Golden-section steps around each of the two best candidates. Default 8. */
  refineSteps?: number;
  /** Half-width of the refinement window, radians. Default 4°. */
  refineHalfWidthRad?: number;
}

const DEG = Math.PI / 180;
/** How many of the best candidates get a golden-section refinement. */
const REFINED_SEEDS = 2;

/**
 * Candidate lane directions for an area: the directions of its convex hull's edges (rotating
 * calipers: the minimum width, hence the fewest lanes, is attained flush with a hull edge) and of
 * its longest boundary edges (concave shapes, holes), longest first, de-duplicated within 0.5°.
 *
 * @example
 * sweepAngleCandidates([[[[0, 0], [100, 0], [100, 20], [0, 20]]]]); // [0, π/2]
 */
export function sweepAngleCandidates(area: MultiPolygonXY, maxCandidates = 12): number[] {
  const points: XY[] = [];
  const edges: { angleRad: number; lengthM: number }[] = [];
  for (const poly of area) {
    for (const ring of poly) {
      for (let i = 0; i < ring.length; i++) {
        const a = ring[i]!;
        const b = ring[(i + 1) % ring.length]!;
        points.push(a);
        const lengthM = Math.hypot(b[0] - a[0], b[1] - a[1]);
        if (lengthM > 0)
          edges.push({ angleRad: normaliseAngle(Math.atan2(b[1] - a[1], b[0] - a[0])), lengthM });
      }
    }
  }
  const hull = convexHull(points);
  const hullEdges: { angleRad: number; lengthM: number }[] = [];
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    hullEdges.push({
      angleRad: normaliseAngle(Math.atan2(b[1] - a[1], b[0] - a[0])),
      lengthM: Math.hypot(b[0] - a[0], b[1] - a[1]),
    });
  }
  const byLength = (
    p: { lengthM: number; angleRad: number },
    q: { lengthM: number; angleRad: number },
  ): number => q.lengthM - p.lengthM || p.angleRad - q.angleRad;
  hullEdges.sort(byLength);
  edges.sort(byLength);
  const out: number[] = [];
  const add = (angleRad: number): void => {
    if (out.length >= maxCandidates) return;
    for (const a of out) {
      const d = Math.abs(a - angleRad);
      if (Math.min(d, Math.PI - d) < 0.5 * DEG) return;
    }
    out.push(angleRad);
  };
  // Interleave the sources so that none crowds the others out: the hull's edges first, then the
  // principal axis of the area (symmetric shapes such as ellipses are best flown along it).
  const hullShare = Math.ceil(maxCandidates * 0.6);
  for (const e of hullEdges.slice(0, hullShare)) add(e.angleRad);
  const axis = principalAxisRad(area);
  if (axis !== null) add(axis);
  for (const e of edges) add(e.angleRad);
  for (const e of hullEdges) add(e.angleRad);
  if (out.length === 0) out.push(0);
  return out;
}

/**
 * Direction of the principal (long) axis of an area from its second moments, radians in [0, π),
 * or null for a degenerate area.
 */
function principalAxisRad(area: MultiPolygonXY): number | null {
  let a = 0;
  let cx = 0;
  let cy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const poly of area) {
    for (const ring of poly) {
      for (let i = 0; i < ring.length; i++) {
        const p = ring[i]!;
        const q = ring[(i + 1) % ring.length]!;
        const c = p[0] * q[1] - q[0] * p[1];
        a += c;
        cx += (p[0] + q[0]) * c;
        cy += (p[1] + q[1]) * c;
        sxx += (p[1] * p[1] + p[1] * q[1] + q[1] * q[1]) * c;
        syy += (p[0] * p[0] + p[0] * q[0] + q[0] * q[0]) * c;
        sxy += (p[0] * q[1] + 2 * p[0] * p[1] + 2 * q[0] * q[1] + q[0] * p[1]) * c;
      }
    }
  }
  if (Math.abs(a) < 1e-9) return null;
  a /= 2;
  cx /= 6 * a;
  cy /= 6 * a;
  // Second moments about the centroid (Ixx about the x axis uses y², Iyy uses x²).
  const ixx = sxx / 12 - a * cy * cy;
  const iyy = syy / 12 - a * cx * cx;
  const ixy = sxy / 24 - a * cx * cy;
  return normaliseAngle(0.5 * Math.atan2(2 * ixy, iyy - ixx));
}

/**
 * Finds the lane direction that minimises `objective` (metres, e.g. flight length plus turn
 * costs) by evaluating the candidate directions of {@link sweepAngleCandidates} and refining the
 * two best by golden-section search: about 30 evaluations instead of 180.
 *
 * @example
 * const best = searchSweepAngle(area, (a) => sweepObjectiveM(decomposeSweep(sweepLanes(area, a, 20)), costs));
 */
export function searchSweepAngle(
  area: MultiPolygonXY,
  objective: (angleRad: number) => number,
  options: AngleSearchOptions = {},
): AngleSearchResult {
  const candidates = sweepAngleCandidates(area, options.maxCandidates ?? 12);
  let evaluations = 0;
  const evaluate = (angleRad: number): number => {
    evaluations++;
    return objective(normaliseAngle(angleRad));
  };
  const scored = candidates.map((angleRad) => ({ angleRad, costM: evaluate(angleRad) }));
  scored.sort((a, b) => a.costM - b.costM || a.angleRad - b.angleRad);
  let best = scored[0]!;
  const steps = options.refineSteps ?? 8;
  const half = options.refineHalfWidthRad ?? 4 * DEG;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (const seed of scored.slice(0, REFINED_SEEDS)) {
    let lo = seed.angleRad - half;
    let hi = seed.angleRad + half;
    let c = hi - phi * (hi - lo);
    let d = lo + phi * (hi - lo);
    let fc = evaluate(c);
    let fd = evaluate(d);
    for (let i = 0; i < steps; i++) {
      if (fc < best.costM) best = { angleRad: normaliseAngle(c), costM: fc };
      if (fd < best.costM) best = { angleRad: normaliseAngle(d), costM: fd };
      if (fc <= fd) {
        hi = d;
        d = c;
        fd = fc;
        c = hi - phi * (hi - lo);
        fc = evaluate(c);
      } else {
        lo = c;
        c = d;
        fc = fd;
        d = lo + phi * (hi - lo);
        fd = evaluate(d);
      }
    }
    if (fc < best.costM) best = { angleRad: normaliseAngle(c), costM: fc };
    if (fd < best.costM) best = { angleRad: normaliseAngle(d), costM: fd };
  }
  return { angleRad: best.angleRad, costM: best.costM, evaluations, ranked: scored };
}

/**
 * The baseline: evaluates `objective` at `steps` evenly spaced directions over [0, π) and keeps
 * the best. Used by the benchmark to rate {@link searchSweepAngle}.
 *
 * @example
 * bruteForceSweepAngle((a) => Math.abs(Math.sin(a)), 180).angleRad; // 0
 */
export function bruteForceSweepAngle(
  objective: (angleRad: number) => number,
  steps = 180,
): AngleSearchResult {
  let best = { angleRad: 0, costM: Infinity };
  for (let i = 0; i < steps; i++) {
    const angleRad = (i * Math.PI) / steps;
    const costM = objective(angleRad);
    if (costM < best.costM) best = { angleRad, costM };
  }
  return { ...best, evaluations: steps, ranked: [best] };
}
