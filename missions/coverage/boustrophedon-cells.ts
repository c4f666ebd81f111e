import type { XY } from '../types/index';
import type { SweepLines } from './sweep-lanes';

/** One lane of a cell in the rotated sweep frame. */
export interface CellLane {
  yM: number;
  startM: number;
  endM: number;
  bandStartM: number;
  bandEndM: number;
  /** Bridged gaps flown straight with the camera off (see `LaneInterval.gapsM`). */
  gapsM?: [number, number][];
  /**
   * Bends flown on from the lane's ends along the area's edge, photographing the corner the
   * lane's own line misses (see `hookLanes`): polylines in the sweep frame, each starting at its
   * lane end (`start` at x = startM, `end` at x = endM).
   */
  hooks?: { start?: XY[]; end?: XY[] };
}

/** A boustrophedon cell: lanes on consecutive sweep lines, each overlapping the next along track. */
export interface SweepCell {
  lanes: CellLane[];
}

/** Cost weights of the sweep objective. */
export interface SweepCostOptions {
  /** Equivalent length of one turn (deceleration, yaw, acceleration), metres. */
  turnCostM: number;
  /** Overshoot flown beyond each lane end before turning, metres. */
  turnaroundM: number;
}

/**
 * Boustrophedon cellular decomposition of sweep lines: intervals on consecutive lines join one
 * cell while exactly one overlaps exactly one (no split or merge event); every split, merge or
 * gap starts new cells. Each cell can then be flown back and forth without leaving it.
 *
 * @example
 * const cells = decomposeSweep(sweepLanes(area, 0, 20));
 */
export function decomposeSweep(sweep: SweepLines): SweepCell[] {
  const cells: SweepCell[] = [];
  let prevCells: SweepCell[] = [];
  let prev: readonly { startM: number; endM: number }[] = [];
  for (const line of sweep.lines) {
    const cur = line.intervals;
    const nextCells: SweepCell[] = [];
    const curOverlaps = cur.map(() => [] as number[]);
    const prevOverlaps = prev.map(() => [] as number[]);
    for (let i = 0; i < cur.length; i++) {
      for (let j = 0; j < prev.length; j++) {
        const a = cur[i]!;
        const b = prev[j]!;
        if (a.startM <= b.endM && b.startM <= a.endM) {
          curOverlaps[i]!.push(j);
          prevOverlaps[j]!.push(i);
        }
      }
    }
    for (let i = 0; i < cur.length; i++) {
      const iv = cur[i]!;
      const lane: CellLane = { yM: line.yM, ...iv };
      const ov = curOverlaps[i]!;
      const j = ov[0];
      if (ov.length === 1 && j !== undefined && prevOverlaps[j]!.length === 1) {
        const cell = prevCells[j]!;
        cell.lanes.push(lane);
        nextCells.push(cell);
      } else {
        const cell: SweepCell = { lanes: [lane] };
        cells.push(cell);
        nextCells.push(cell);
      }
    }
    prevCells = nextCells;
    prev = cur;
  }
  return cells;
}

/**
 * Length-equivalent cost of flying one cell back and forth, metres: lanes, connections between
 * lane ends, two turns and two turnaround overshoots per connection. `startRight` picks whether
 * the first lane is flown towards +x.
 */
export function cellPathCostM(
  cell: SweepCell,
  options: SweepCostOptions,
  startRight: boolean,
): number {
  let cost = 0;
  let right = startRight;
  for (let k = 0; k < cell.lanes.length; k++) {
    const lane = cell.lanes[k]!;
    cost += lane.endM - lane.startM;
    const next = cell.lanes[k + 1];
    if (next) {
      const from = right ? lane.endM : lane.startM;
      const to = right ? next.endM : next.startM;
      cost +=
        Math.hypot(next.yM - lane.yM, to - from) + 2 * options.turnCostM + 2 * options.turnaroundM;
      right = !right;
    }
  }
  return cost;
}

/** Cost of the better of the two boustrophedon orientations of a cell, metres. */
export function bestCellCostM(cell: SweepCell, options: SweepCostOptions): number {
  return Math.min(cellPathCostM(cell, options, true), cellPathCostM(cell, options, false));
}

/**
 * The sweep objective at one direction: every cell's path cost plus an estimate of the transit
 * between cells (the mean lane length per extra cell), metres.
 */
export function sweepObjectiveM(cells: readonly SweepCell[], options: SweepCostOptions): number {
  let cost = 0;
  let laneCount = 0;
  let laneLength = 0;
  for (const cell of cells) {
    cost += bestCellCostM(cell, options);
    for (const lane of cell.lanes) {
      laneCount++;
      laneLength += lane.endM - lane.startM;
    }
  }
  if (cells.length > 1 && laneCount > 0) cost += (cells.length - 1) * (laneLength / laneCount);
  return cost;
}
