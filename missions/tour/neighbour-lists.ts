import type { XY } from '../types/index';

/**
 * The `k` nearest other points of every point, nearest first, as a flat array (`n × k`, padded
 * with the last neighbour when `n − 1 < k`). Uses a uniform grid so the cost stays near
 * O(n · k) for spread-out points.
 *
 * @example
 * const nb = neighbourLists([[0, 0], [1, 0], [5, 0]], 1); // Int32Array [1, 0, 1]
 */
export function neighbourLists(points: readonly XY[], k: number): Int32Array {
  const n = points.length;
  const kk = Math.max(1, Math.min(k, n - 1));
  const out = new Int32Array(n * k);
  if (n < 2) return out;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const side = Math.max(1, Math.ceil(Math.sqrt(n / 2)));
  const cellW = Math.max((maxX - minX) / side, (maxY - minY) / side, 1e-9);
  const cols = Math.max(1, Math.ceil((maxX - minX) / cellW) + 1);
  const rows = Math.max(1, Math.ceil((maxY - minY) / cellW) + 1);
  const cellOf = (x: number, y: number): [number, number] => [
    Math.min(cols - 1, Math.floor((x - minX) / cellW)),
    Math.min(rows - 1, Math.floor((y - minY) / cellW)),
  ];
  const heads = new Int32Array(cols * rows).fill(-1);
  const nextIdx = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    const [cx, cy] = cellOf(p[0], p[1]);
    nextIdx[i] = heads[cy * cols + cx]!;
    heads[cy * cols + cx] = i;
  }
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  for (let i = 0; i < n; i++) {
    const [px, py] = points[i]!;
    const [cx, cy] = cellOf(px, py);
    let count = 0;
    for (let ring = 0; ; ring++) {
      // Points in ring r are at least (r − 1) cells away, so stop once k are closer than that.
      if (count === kk && bestD[kk - 1]! <= ((ring - 1) * cellW) ** 2) break;
      if (ring > cols + rows) break;
      for (let gy = cy - ring; gy <= cy + ring; gy++) {
        if (gy < 0 || gy >= rows) continue;
        const edge = gy === cy - ring || gy === cy + ring;
        for (let gx = cx - ring; gx <= cx + ring; gx += edge ? 1 : 2 * ring) {
          if (gx >= 0 && gx < cols) {
            for (let j = heads[gy * cols + gx]!; j >= 0; j = nextIdx[j]!) {
              if (j === i) continue;
              const q = points[j]!;
              const d = (q[0] - px) ** 2 + (q[1] - py) ** 2;
              if (count < kk || d < bestD[count - 1]!) {
                let s = count < kk ? count++ : kk - 1;
                while (s > 0 && (bestD[s - 1]! > d || (bestD[s - 1] === d && bestI[s - 1]! > j))) {
                  bestD[s] = bestD[s - 1]!;
                  bestI[s] = bestI[s - 1]!;
                  s--;
                }
                bestD[s] = d;
                bestI[s] = j;
              }
            }
          }
          if (ring === 0) break;
        }
      }
    }
    for (let s = 0; s < k; s++) out[i * k + s] = bestI[Math.min(s, count - 1)]!;
  }
  return out;
}
