import type { CoveragePlan, LocalFrame } from '../../../missions/index';
import type { XY } from '../../../missions/types/index';

/** Distance from `p` to the ring's area, metres: 0 inside (even-odd), else to the nearest edge. */
export function outsideM(p: XY, ring: readonly XY[]): number {
  let inside = false;
  let nearestM = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!;
    const b = ring[i]!;
    if (
      a[1] > p[1] !== b[1] > p[1] &&
      p[0] < a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1])
    )
      inside = !inside;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const t = Math.max(
      0,
      Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)),
    );
    nearestM = Math.min(nearestM, Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy));
  }
  return inside ? 0 : nearestM;
}

/**
 * The farthest any photographing path (lane, bends included) of the plan strays outside the ring
 * (metres in `frame`), sampled every 2 m along each leg; and how many lane work paths there are.
 */
export function worstLaneOutsideM(
  plan: CoveragePlan,
  ring: readonly XY[],
  frame: LocalFrame,
): { worstM: number; lanes: number } {
  let worstM = 0;
  let lanes = 0;
  for (const w of plan.workPaths) {
    if (w.kind !== 'lane') continue;
    lanes++;
    const pts = w.coordinates.map((c) => frame.toLocal(c));
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 2));
      for (let k = 0; k <= n; k++) {
        const p: XY = [a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n];
        worstM = Math.max(worstM, outsideM(p, ring));
      }
    }
  }
  return { worstM, lanes };
}
