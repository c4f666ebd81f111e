import type { XY } from '../types/index';
import {
  pointInPolygon,
  polygonBounds,
  ringSignedAreaM2,
  segmentsCross,
  type PolygonXY,
} from './planar-geometry';

/** Shortest paths in the plane around polygonal obstacles. */
export interface ObstacleRouter {
  /** True when the straight segment a→b enters an obstacle. */
  blocked(a: XY, b: XY): boolean;
  /** The shortest polyline a→…→b that enters no obstacle (a and b included). */
  route(a: XY, b: XY): XY[];
}

interface Obstacle {
  polygon: PolygonXY;
  bounds: [number, number, number, number];
}

const NODE_OFFSET_M = 0.5;

/**
 * A visibility-graph router: nodes are the convex vertices of the obstacles pushed
 * {@link NODE_OFFSET_M} outwards, edges join mutually visible nodes, and Dijkstra finds the
 * shortest path. An obstacle that contains an end point is ignored for that query, so a path is
 * always returned (the plan is never rejected for it).
 *
 * @example
 * const router = createObstacleRouter([[[[-10, -10], [10, -10], [10, 10], [-10, 10]]]]);
 * router.route([-50, 0], [50, 0]); // goes around the square via two corners
 */
export function createObstacleRouter(obstacles: readonly PolygonXY[]): ObstacleRouter {
  const obs: Obstacle[] = obstacles
    .filter((p) => p.length > 0 && (p[0]?.length ?? 0) >= 3)
    .map((polygon) => ({ polygon, bounds: polygonBounds(polygon) }));
  const nodes: XY[] = [];
  for (const { polygon } of obs) {
    const ring = polygon[0]!;
    const ccw = ringSignedAreaM2(ring) > 0;
    for (let i = 0; i < ring.length; i++) {
      const prev = ring[(i + ring.length - 1) % ring.length]!;
      const cur = ring[i]!;
      const next = ring[(i + 1) % ring.length]!;
      const cross =
        (cur[0] - prev[0]) * (next[1] - cur[1]) - (cur[1] - prev[1]) * (next[0] - cur[0]);
      if (ccw ? cross <= 0 : cross >= 0) continue;
      const e1 = normalise([cur[0] - prev[0], cur[1] - prev[1]]);
      const e2 = normalise([next[0] - cur[0], next[1] - cur[1]]);
      // Outward normals: right of the edge for a counter-clockwise ring.
      const s = ccw ? 1 : -1;
      const n = normalise([s * (e1[1] + e2[1]), -s * (e1[0] + e2[0])]);
      nodes.push([cur[0] + n[0] * NODE_OFFSET_M, cur[1] + n[1] * NODE_OFFSET_M]);
    }
  }

  const blockedBy = (a: XY, b: XY, ignore: ReadonlySet<number>): boolean => {
    const minX = Math.min(a[0], b[0]);
    const maxX = Math.max(a[0], b[0]);
    const minY = Math.min(a[1], b[1]);
    const maxY = Math.max(a[1], b[1]);
    const mid: XY = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    for (let o = 0; o < obs.length; o++) {
      if (ignore.has(o)) continue;
      const { polygon, bounds } = obs[o]!;
      if (maxX < bounds[0] || minX > bounds[2] || maxY < bounds[1] || minY > bounds[3]) continue;
      if (pointInPolygon(mid, polygon)) return true;
      for (const ring of polygon) {
        for (let i = 0; i < ring.length; i++) {
          if (segmentsCross(a, b, ring[i]!, ring[(i + 1) % ring.length]!)) return true;
        }
      }
    }
    return false;
  };

  const none = new Set<number>();
  const visibility = new Map<number, boolean>();
  const nodeVisible = (i: number, j: number): boolean => {
    const key = i < j ? i * nodes.length + j : j * nodes.length + i;
    let v = visibility.get(key);
    if (v === undefined) {
      v = !blockedBy(nodes[i]!, nodes[j]!, none);
      visibility.set(key, v);
    }
    return v;
  };

  return {
    blocked: (a, b) => blockedBy(a, b, none),
    route(a, b) {
      const ignore = new Set<number>();
      for (let o = 0; o < obs.length; o++) {
        if (pointInPolygon(a, obs[o]!.polygon) || pointInPolygon(b, obs[o]!.polygon)) ignore.add(o);
      }
      if (!blockedBy(a, b, ignore)) return [a, b];
      // Dijkstra over [a, nodes…, b]: index 0 = a, 1..n = nodes, n + 1 = b.
      const n = nodes.length;
      const total = n + 2;
      const point = (i: number): XY => (i === 0 ? a : i === n + 1 ? b : nodes[i - 1]!);
      const visible = (i: number, j: number): boolean => {
        if (i > 0 && i <= n && j > 0 && j <= n && ignore.size === 0)
          return nodeVisible(i - 1, j - 1);
        return !blockedBy(point(i), point(j), ignore);
      };
      const dist = new Float64Array(total).fill(Infinity);
      const prev = new Int32Array(total).fill(-1);
      const done = new Uint8Array(total);
      dist[0] = 0;
      for (;;) {
        let u = -1;
        let best = Infinity;
        for (let i = 0; i < total; i++) {
          if (!done[i] && dist[i]! < best) {
            best = dist[i]!;
            u = i;
          }
        }
        if (u < 0 || u === n + 1) break;
        done[u] = 1;
        const pu = point(u);
        for (let v = 1; v < total; v++) {
          if (done[v] || v === u) continue;
          const pv = point(v);
          const d = best + Math.hypot(pv[0] - pu[0], pv[1] - pu[1]);
          if (d < dist[v]! && visible(u, v)) {
            dist[v] = d;
            prev[v] = u;
          }
        }
      }
      if (prev[n + 1] === -1) return [a, b];
      const path: XY[] = [];
      for (let i = n + 1; i !== -1; i = prev[i]!) path.push(point(i));
      return path.reverse();
    },
  };
}

function normalise(v: XY): XY {
  const l = Math.hypot(v[0], v[1]);
  return l > 0 ? [v[0] / l, v[1] / l] : [0, 0];
}
