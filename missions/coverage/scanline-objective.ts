import type { SweepCostOptions } from './boustrophedon-cells';
import type { SweepLines } from './sweep-lanes';

/**
 * The sweep objective of a scanline (single-direction) planner, metres: every sweep line flown in
 * turn, alternating, all of its intervals in one pass (the gaps between them, holes and bays,
 * are crossed straight); each change of line costs the connection, two turnaround overshoots and
 * two turns.
 *
 * @example
 * const cost = scanlineObjectiveM(sweepLanes(area, 0, 45), { turnCostM: 40, turnaroundM: 10 });
 */
export function scanlineObjectiveM(sweep: SweepLines, options: SweepCostOptions): number {
  let cost = 0;
  let right = true;
  let last: { x: number; y: number } | null = null;
  for (const line of sweep.lines) {
    const ivs = line.intervals;
    if (ivs.length === 0) continue;
    const first = ivs[0]!;
    const final = ivs[ivs.length - 1]!;
    const from = right ? first.startM : final.endM;
    const to = right ? final.endM : first.startM;
    if (last)
      cost +=
        Math.hypot(from - last.x, line.yM - last.y) +
        2 * options.turnaroundM +
        2 * options.turnCostM;
    cost += Math.abs(to - from);
    last = { x: to, y: line.yM };
    right = !right;
  }
  return cost;
}
