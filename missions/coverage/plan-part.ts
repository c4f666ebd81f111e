import type { XY } from '../types/index';
import {
  bestCellCostM,
  decomposeSweep,
  sweepObjectiveM,
  type CellLane,
  type SweepCell,
  type SweepCostOptions,
} from './boustrophedon-cells';
import { clipToBands, type Rect } from './clip-to-bands';
import { cellLanesXY, routeCells, scanlineLanesXY, type PlannedCell } from './coverage-route';
import type { ObstacleRouter } from './obstacle-router';
import {
  convexHull,
  pointInPolygon,
  polygonAreaM2,
  ringSignedAreaM2,
  rotateFromSweep,
  segmentsCross,
  rotateToSweep,
  type MultiPolygonXY,
  type PolygonXY,
} from './planar-geometry';
import { scanlineObjectiveM } from './scanline-objective';
import { searchSweepAngle } from './sweep-angle-search';
import { flownLane, sweepLanes, type SweepLaneOptions, type SweepLines } from './sweep-lanes';
import {
  createSwathIndex,
  hookLanes,
  lanePiecesM,
  missedAreaM2,
  patchPasses,
  tipLanes,
  type HookContext,
  type PathCamera,
  type PhotoRect,
  type SwathIndex,
} from './lane-hooks';

/** What planning one part needs; `evaluations` counts objective evaluations (mutable). */
export interface PartContext {
  spacingM: number;
  laneOptions: SweepLaneOptions;
  costs: SweepCostOptions;
  router: ObstacleRouter;
  turnaroundM: number;
  alongReachM: number;
  /** True when an obstacle (no-fly zone) comes near the part's bounding box. */
  obstacleNear: (part: PolygonXY) => boolean;
  evaluations: number;
  /**
   * The camera as lane-end bends see it ({@link hookLanes}): swath across track and photo
   * placement; null to fly no bends.
   */
  hooks: { acrossM: number; camera: PathCamera } | null;
}

/**
 * A cell is also tried split where consecutive lanes' ends jump by more than this many lane
 * spacings (a boundary within ~18° of the lanes: an arm or a bay that another direction flies better).
 */
const JUMP_LANE_SPACINGS = 3;
/** Cells with fewer lanes keep their part's direction. */
const MIN_LANES_TO_REPLAN = 4;

/** A cell as lanes in the rotated frame of its own direction. */
interface CellPlan {
  angleRad: number;
  lanes: CellLane[];
  region: MultiPolygonXY | null;
}

/** Runs of lanes in one direction, as laid (see {@link flyLanes}). */
interface LaneGroup {
  angleRad: number;
  region: MultiPolygonXY | null;
  lanes: readonly CellLane[];
}

/**
 * Lanes as flown: cut to where their lines run over the area ({@link flownLane}); a lane whose
 * line misses the area flown on the nearest line that crosses it only when its band would
 * otherwise go unphotographed ({@link tipLanes}); lane ends bent along the edge where the corner
 * beyond them would go unphotographed ({@link hookLanes}); and short extra passes over what is
 * still missed ({@link patchPasses}). The swaths of every lane flown in the same direction count.
 * Each group's lanes keep their order (`k`, the index of the laid lane they come from).
 */
function flyLanes(
  part: PolygonXY,
  groups: readonly LaneGroup[],
  ctx: PartContext,
): { lanes: { k: number; lane: CellLane }[]; passes: CellLane[] }[] {
  const dropped: { k: number; lane: CellLane }[][] = groups.map(() => []);
  const flown = groups.map((g, i) =>
    g.lanes.flatMap((lane, k) => {
      const f = flownLane(lane);
      if (!f) dropped[i]!.push({ k, lane });
      return f ? [{ k, lane: f }] : [];
    }),
  );
  const hooks = ctx.hooks;
  const plain = flown.map((lanes) => ({ lanes, passes: [] }));
  if (!hooks) return plain;
  const gained = { m2: 0 };
  const angles = [...new Set(groups.map((g) => g.angleRad))];
  const sameAngle = (angleRad: number): CellLane[] =>
    groups.flatMap((g, i) => (g.angleRad === angleRad ? flown[i]!.map((f) => f.lane) : []));
  const contexts = new Map(angles.map((a) => [a, { ...hookContext(a, ctx, hooks), gained }]));
  const regionOf = (g: LaneGroup): MultiPolygonXY | null =>
    g.region ? rotatedRegion(g.region, g.angleRad) : null;
  // Tips first (against the lanes flown on their own lines), then bends, then passes, each
  // counting what the earlier ones photograph.
  // The swaths of the lanes flown in the other directions (caps, re-planned cells), in each
  // frame: one strip per lane piece, its photos' reach added at both ends.
  const crossStrips = (angleRad: number): PhotoRect[] => {
    const cos = Math.cos(angleRad);
    const sin = Math.sin(angleRad);
    const reach = ctx.alongReachM;
    const out: PhotoRect[] = [];
    for (const [i, g] of groups.entries()) {
      if (g.angleRad === angleRad) continue;
      const c = Math.cos(g.angleRad);
      const s2 = Math.sin(g.angleRad);
      const dir = rotateToSweep([c, s2], cos, sin);
      for (const { lane } of flown[i]!)
        for (const [a, b] of lanePiecesM(lane)) {
          const center = rotateToSweep(rotateFromSweep([(a + b) / 2, lane.yM], c, s2), cos, sin);
          out.push({ center, dir, alongM: b - a + 2 * reach });
        }
    }
    return out;
  };
  const swathIndex = (a: number): SwathIndex =>
    createSwathIndex(sameAngle(a), contexts.get(a)!, () =>
      angles.length > 1 ? crossStrips(a) : [],
    );
  const tipIndex = new Map(angles.map((a) => [a, swathIndex(a)]));
  // What the lanes alone miss bounds what bends, tips and passes can gain: under the tolerance,
  // skip them (most parts at a usual side overlap, and most candidates compared).
  const areaM2 = polygonAreaM2(part);
  let missedM2 = 0;
  for (const [i, g] of groups.entries()) {
    missedM2 += missedAreaM2(
      rotatedPolygon(part, g.angleRad),
      regionOf(g),
      flown[i]!.map((f) => f.lane),
      dropped[i]!.map((d) => d.lane),
      tipIndex.get(g.angleRad)!,
      contexts.get(g.angleRad)!,
    );
    if (missedM2 >= MIN_GAIN_SHARE * areaM2) break;
  }
  if (missedM2 < MIN_GAIN_SHARE * areaM2) return plain;
  for (const [i, g] of groups.entries()) {
    if (dropped[i]!.length === 0) continue;
    const hc = contexts.get(g.angleRad)!;
    const index = tipIndex.get(g.angleRad)!;
    const region = regionOf(g);
    const rotated = rotatedPolygon(part, g.angleRad);
    const added = dropped[i]!.flatMap(({ k, lane }) =>
      tipLanes(rotated, region, [lane], index, hc).map((t) => ({ k, lane: t })),
    );
    if (added.length > 0) flown[i] = [...flown[i]!, ...added].sort((p, q) => p.k - q.k);
  }
  const index = new Map(angles.map((a) => [a, swathIndex(a)]));
  const hooked = groups.map((g, i) => {
    const lanes = flown[i]!;
    if (lanes.length === 0) return lanes;
    const bent = hookLanes(
      rotatedPolygon(part, g.angleRad),
      regionOf(g),
      lanes.map((f) => f.lane),
      index.get(g.angleRad)!,
      contexts.get(g.angleRad)!,
    );
    return lanes.map((f, j) => ({ k: f.k, lane: bent[j]! }));
  });
  const out = groups.map((g, i) => ({
    lanes: hooked[i]!,
    passes:
      hooked[i]!.length === 0
        ? []
        : patchPasses(
            rotatedPolygon(part, g.angleRad),
            regionOf(g),
            hooked[i]!.map((f) => f.lane),
            index.get(g.angleRad)!,
            contexts.get(g.angleRad)!,
          ),
  }));
  // What the lanes alone miss is measured, not guessed: under a sampling tolerance of the part's
  // area the lanes are flown as they are (a bend makes a plan more than one block of parallel
  // lanes for the sortie planner, which can cost a sortie for a few square metres).
  return gained.m2 < MIN_GAIN_SHARE * areaM2 ? plain : out;
}

/** Bends, tip lanes and passes are flown only when they photograph more of the part than this. */
const MIN_GAIN_SHARE = 5e-4;

/** Cells as flown ({@link flyLanes}); each extra pass is a cell of one lane, after the others. */
function plannedCells(
  part: PolygonXY,
  partIndex: number,
  plans: readonly CellPlan[],
  ctx: PartContext,
): PlannedCell[] {
  const flown = flyLanes(part, plans, ctx);
  const cell = (c: CellPlan, lanes: CellLane[], region: MultiPolygonXY | null): PlannedCell => ({
    part: partIndex,
    angleRad: c.angleRad,
    region,
    paths: [cellLanesXY(lanes, c.angleRad, true), cellLanesXY(lanes, c.angleRad, false)],
  });
  const out: PlannedCell[] = [];
  for (const [i, c] of plans.entries()) {
    const lanes = flown[i]!.lanes.map((f) => f.lane);
    if (lanes.length > 0) out.push(cell(c, lanes, c.region));
  }
  for (const [i, c] of plans.entries())
    for (const pass of flown[i]!.passes) out.push(cell(c, [pass], null));
  return out;
}

function hookContext(
  angleRad: number,
  ctx: PartContext,
  hooks: NonNullable<PartContext['hooks']>,
): HookContext {
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  return {
    spacingM: ctx.spacingM,
    acrossM: hooks.acrossM,
    reachM: ctx.alongReachM,
    camera: hooks.camera,
    blocked: (a, b) =>
      ctx.router.blocked(rotateFromSweep(a, cos, sin), rotateFromSweep(b, cos, sin)),
  };
}

const rotatedRegions = new WeakMap<MultiPolygonXY, Map<number, MultiPolygonXY>>();

/** A region in the sweep frame of `angleRad`, cached per region and angle (see {@link rotatedPolygon}). */
function rotatedRegion(region: MultiPolygonXY, angleRad: number): MultiPolygonXY {
  let byAngle = rotatedRegions.get(region);
  if (!byAngle) rotatedRegions.set(region, (byAngle = new Map()));
  let rotated = byAngle.get(angleRad);
  if (!rotated) {
    rotated = region.map((p) => rotatedPolygon(p, angleRad));
    byAngle.set(angleRad, rotated);
  }
  return rotated;
}

const rotatedCache = new WeakMap<PolygonXY, Map<number, PolygonXY>>();

/** A polygon in the sweep frame of `angleRad` (lanes along x), cached per polygon and angle. */
function rotatedPolygon(polygon: PolygonXY, angleRad: number): PolygonXY {
  let byAngle = rotatedCache.get(polygon);
  if (!byAngle) rotatedCache.set(polygon, (byAngle = new Map()));
  let rotated = byAngle.get(angleRad);
  if (!rotated) {
    const cos = Math.cos(angleRad);
    const sin = Math.sin(angleRad);
    rotated = polygon.map((ring) => ring.map((p) => rotateToSweep(p, cos, sin)));
    byAngle.set(angleRad, rotated);
  }
  return rotated;
}

function decompositionObjective(
  region: MultiPolygonXY,
  ctx: PartContext,
  laneOptions: SweepLaneOptions = ctx.laneOptions,
): (angleRad: number) => number {
  return (angleRad) =>
    sweepObjectiveM(
      decomposeSweep(sweepLanes(region, angleRad, ctx.spacingM, laneOptions)),
      ctx.costs,
    );
}

/** Extra sweep directions (after the best) whose decompositions are tried as whole plans. */
const EXTRA_ANGLES = 3;
/** Gaps on a lane up to these many lane spacings are also tried flown across (small holes). */
const BRIDGE_LANE_SPACINGS = [0, 1, 2, 3, 5, 8] as const;
/** How many of the best whole-part decompositions get their cells re-planned. */
const REPLANNED_BASES = 1;
/** How many of the next best bases are also capped (without re-planning) and compared. */
const CAPPED_BASES = 2;
/** Bases of more cells than this are not capped beyond the best (each cap tried is a routing). */
const MAX_CELLS_TO_CAP_MORE = 40;

/** A lighter direction search for one cell than for a whole part (about 20 evaluations). */
const CELL_SEARCH = { maxCandidates: 8, refineSteps: 5 } as const;

/** Rounds of 2-opt / Or-opt when a candidate's cells are ordered only to compare candidates. */
const ESTIMATE_PASSES = 3;

/** A whole-part candidate plan and its flight cost (length + turn costs of the routed plan). */
interface Candidate {
  cells: PlannedCell[];
  costM: number;
  /** The cells as lanes in their own frames (null for the scanline candidate). */
  plans: CellPlan[] | null;
}

function routedCostM(cells: readonly PlannedCell[], ctx: PartContext): number {
  if (cells.length === 0) return 0;
  const r = routeCells(cells, null, ctx.router, ctx.turnaroundM, { maxPasses: ESTIMATE_PASSES });
  return r.laneLengthM + r.transitLengthM + ctx.costs.turnCostM * r.turns;
}

/**
 * Plans one connected part. Whole-part candidates are built and each is routed (cells ordered,
 * connections and transits laid out, turns counted), and the cheapest by flight cost (length +
 * turn costs) is kept:
 *
 * - the boustrophedon decomposition at the best direction of the angle search and at the next
 *   best candidate directions, each also with small gaps (holes, bays up to a few lane spacings
 *   across) flown straight instead of split into cells, and with its cells merged into longer runs;
 * - for the best of those, each cell (or each run of lanes between abrupt changes of lane ends)
 *   re-planned in its own best direction, a change kept only when the routed plan of the whole
 *   part gets cheaper, so the transit it causes is charged;
 * - that one and the next two, each with caps across straight cell ends (see {@link capCell}),
 *   a cap kept only when the routed plan gets cheaper;
 * - the scanline plan (one direction, lines flown in order), so the result is never worse than
 *   the single-direction planner.
 *
 * With `fixedAngle`, or `perCell` false, the part is decomposed at one direction and not re-planned.
 */
export function planPart(
  part: PolygonXY,
  partIndex: number,
  fixedAngle: number | null,
  perCell: boolean,
  ctx: PartContext,
): PlannedCell[] {
  const { spacingM, laneOptions } = ctx;
  const sweepAt = (angleRad: number, bridgeGapM: number): SweepLines =>
    sweepLanes([part], angleRad, spacingM, {
      ...laneOptions,
      bridgeGapM: Math.max(laneOptions.bridgeGapM ?? 0, bridgeGapM),
    });
  const decompose = (angleRad: number, bridgeGapM: number): SweepCell[] =>
    decomposeSweep(sweepAt(angleRad, bridgeGapM));
  const asIs = (angleRad: number, cells: readonly SweepCell[]): PlannedCell[] =>
    plannedCells(
      part,
      partIndex,
      cells.map((c) => ({ angleRad, lanes: c.lanes, region: null })),
      ctx,
    );
  if (fixedAngle !== null) return asIs(fixedAngle, decompose(fixedAngle, 0));
  const found = searchSweepAngle([part], decompositionObjective([part], ctx));
  ctx.evaluations += found.evaluations;
  // A convex part is flown in one cell across its minimum width (the fewest turns); a plan with
  // more, shorter lanes can score a little lower only by trimming photo reach off more lane ends.
  if (!perCell || (isConvex(part) && !ctx.obstacleNear(part)))
    return asIs(found.angleRad, decompose(found.angleRad, 0));
  const first = decompose(found.angleRad, 0);
  // A part of a few lanes (an islet) has little to gain from candidates: fly it as found.
  if (first.reduce((n, c) => n + c.lanes.length, 0) < 2 * MIN_LANES_TO_REPLAN)
    return asIs(found.angleRad, first);
  return searchCandidates(part, partIndex, found, sweepAt, asIs, ctx).cells;
}

/**
 * The whole-part candidates (see {@link planPart}), each routed with its lane-end bends and extra
 * passes, the cheapest kept.
 */
function searchCandidates(
  part: PolygonXY,
  partIndex: number,
  found: ReturnType<typeof searchSweepAngle>,
  sweepAt: (angleRad: number, bridgeGapM: number) => SweepLines,
  asIs: (angleRad: number, cells: readonly SweepCell[]) => PlannedCell[],
  ctx: PartContext,
): Candidate {
  const { spacingM } = ctx;

  const angles = [found.angleRad];
  for (const { angleRad } of found.ranked) {
    if (angles.length > EXTRA_ANGLES) break;
    if (angles.every((a) => angleGap(a, angleRad) > 1e-3)) angles.push(angleRad);
  }
  const bases: (Candidate & { angleRad: number; sweepCells: SweepCell[] })[] = [];
  const seen = new Set<string>();
  for (const angleRad of angles) {
    const unbridged = sweepAt(angleRad, 0);
    const gapsM = lineGapsM(unbridged);
    let previousM = -1;
    for (const k of BRIDGE_LANE_SPACINGS) {
      // A wider bridge changes the lanes only when some gap lies between it and the last one.
      const bridgeM = k * spacingM;
      if (k > 0 && !gapsM.some((g) => g > previousM && g <= bridgeM)) continue;
      previousM = bridgeM;
      const split = decomposeSweep(k === 0 ? unbridged : sweepAt(angleRad, bridgeM));
      for (const sweepCells of [mergeCells(split, spacingM), split]) {
        const key = `${angleRad}:${sweepCells.length}:${sweepCells.reduce((n, c) => n + c.lanes.length, 0)}`;
        if (seen.has(key) || sweepCells.length === 0) continue;
        seen.add(key);
        const cells = asIs(angleRad, sweepCells);
        const plans = sweepCells.map((c) => ({ angleRad, lanes: c.lanes, region: null }));
        bases.push({ angleRad, sweepCells, cells, plans, costM: routedCostM(cells, ctx) });
      }
    }
  }
  bases.sort((a, b) => a.costM - b.costM);
  let best: Candidate = bases[0] ?? { cells: [], costM: Infinity, plans: null };
  const cache = new Map<string, { costM: number; cells: CellPlan[] } | null>();
  for (const base of bases.slice(0, REPLANNED_BASES)) {
    const improved = replanCells(
      part,
      partIndex,
      base.angleRad,
      base.sweepCells,
      base.costM,
      ctx,
      cache,
    );
    if (improved.costM < best.costM - 1e-6) best = improved;
  }
  if (best.plans) best = capCells(part, partIndex, best.plans, best.costM, ctx);
  // The next bases, capped but not re-planned, may come out cheaper than the first.
  for (const base of bases.slice(REPLANNED_BASES, REPLANNED_BASES + CAPPED_BASES)) {
    // Each cap tried is a routing of the whole part: on parts of many cells, only the best is capped.
    if (base.cells.length > MAX_CELLS_TO_CAP_MORE) continue;
    const capped = capCells(part, partIndex, base.plans!, base.costM, ctx);
    if (capped.costM < best.costM - 1e-6) best = capped;
  }
  // A part flown as one cell has no gap to cross: the scanline would be the same lanes.
  if (best.cells.length <= 1) return best;
  const scan = planScanline([part], null, ctx).map((c) => ({ ...c, part: partIndex }));
  const scanCostM = routedCostM(scan, ctx);
  if (scanCostM < best.costM - 1e-6) best = { cells: scan, costM: scanCostM, plans: null };
  return best;
}

function isConvex(part: PolygonXY): boolean {
  if (part.length !== 1) return false;
  const hullAreaM2 = Math.abs(ringSignedAreaM2(convexHull(part[0]!)));
  return polygonAreaM2(part) >= (1 - 1e-3) * hullAreaM2;
}

/**
 * Joins cells into longer boustrophedon runs: a cell ending on one sweep line continues into a
 * cell that starts on the next line with an overlapping lane (after a split, into the neighbour
 * it overlaps most), so that the two are flown as one back-and-forth run. The decomposition's
 * cells are monotone runs between events; many of them (jagged boundaries, slivers) are then one.
 */
export function mergeCells(cells: readonly SweepCell[], spacingM: number): SweepCell[] {
  const runs = cells.map((c) => ({ lanes: [...c.lanes], merged: false }));
  const byFirstLine = new Map<number, number[]>();
  const line = (yM: number): number => Math.round(yM / spacingM);
  for (const [i, r] of runs.entries()) {
    const k = line(r.lanes[0]!.yM);
    const list = byFirstLine.get(k);
    if (list) list.push(i);
    else byFirstLine.set(k, [i]);
  }
  const order = runs
    .map((_, i) => i)
    .sort((a, b) => runs[a]!.lanes[0]!.yM - runs[b]!.lanes[0]!.yM || a - b);
  for (const i of order) {
    const run = runs[i]!;
    if (run.merged) continue;
    for (;;) {
      const last = run.lanes[run.lanes.length - 1]!;
      let best = -1;
      let bestOverlapM = 0;
      for (const j of byFirstLine.get(line(last.yM) + 1) ?? []) {
        const next = runs[j]!;
        if (next.merged || j === i) continue;
        const first = next.lanes[0]!;
        const overlapM = Math.min(last.endM, first.endM) - Math.max(last.startM, first.startM);
        if (overlapM > bestOverlapM + 1e-9) {
          bestOverlapM = overlapM;
          best = j;
        }
      }
      if (best < 0) break;
      const next = runs[best]!;
      next.merged = true;
      run.lanes.push(...next.lanes);
    }
  }
  return runs.filter((r) => !r.merged).map((r) => ({ lanes: r.lanes }));
}

/** The gaps between consecutive band extents on each sweep line (holes, bays), metres. */
function lineGapsM(sweep: SweepLines): number[] {
  const out: number[] = [];
  for (const line of sweep.lines)
    for (let i = 1; i < line.intervals.length; i++)
      out.push(line.intervals[i]!.bandStartM - line.intervals[i - 1]!.bandEndM);
  return out;
}

/** Identifies a cell by its lanes (two cells with the same key are the same cell). */
function cellKey(cell: SweepCell): string {
  const a = cell.lanes[0]!;
  const b = cell.lanes[cell.lanes.length - 1]!;
  return `${cell.lanes.length}|${a.yM}|${a.startM}|${a.endM}|${b.yM}|${b.startM}|${b.endM}`;
}

function angleGap(a: number, b: number): number {
  const d = Math.abs(a - b) % Math.PI;
  return Math.min(d, Math.PI - d);
}

/**
 * Re-plans the cells of one decomposition in their own directions, one cell at a time: the best
 * alternative by the sweep objective (the cell whole, or split where its lane ends jump) is kept
 * only when the routed plan of the whole part gets cheaper.
 */
function replanCells(
  part: PolygonXY,
  partIndex: number,
  angleRad: number,
  cells: readonly SweepCell[],
  costM: number,
  ctx: PartContext,
  cache: Map<string, { costM: number; cells: CellPlan[] } | null>,
): Candidate {
  const { spacingM, laneOptions, costs, alongReachM } = ctx;
  const jumpM = JUMP_LANE_SPACINGS * spacingM;
  const current: CellPlan[][] = cells.map((c) => [{ angleRad, lanes: c.lanes, region: null }]);
  let currentCostM = costM;
  const replan = (pieces: SweepCell[], cell: SweepCell): { costM: number; cells: CellPlan[] } => {
    let estimateM = 0;
    const out: CellPlan[] = [];
    for (const piece of pieces) {
      const kept = bestCellCostM(piece, costs);
      const region = clipToBands(part, angleRad, cellRects(piece, spacingM, alongReachM));
      if (region.length === 0) {
        estimateM += kept;
        out.push({ angleRad, lanes: piece.lanes, region: null });
        continue;
      }
      // The strips' lanes stay over the part (not only over the strips).
      const within = { ...laneOptions, within: [part] };
      const found = searchSweepAngle(
        region,
        decompositionObjective(region, ctx, within),
        CELL_SEARCH,
      );
      ctx.evaluations += found.evaluations;
      const sub = decomposeSweep(sweepLanes(region, found.angleRad, spacingM, within));
      const subCost = sub.length > 0 ? sweepObjectiveM(sub, costs) : Infinity;
      if (subCost < kept - 1e-6) {
        estimateM += subCost;
        for (const s of sub) out.push({ angleRad: found.angleRad, lanes: s.lanes, region });
      } else {
        estimateM += kept;
        out.push({ angleRad, lanes: piece.lanes, region });
      }
    }
    estimateM += (pieces.length - 1) * 0.5 * meanLaneLengthM(cell);
    return { costM: estimateM, cells: out };
  };
  for (const [i, cell] of cells.entries()) {
    // A cell of a few lanes gains little from another direction: not worth ~30 evaluations.
    if (cell.lanes.length < MIN_LANES_TO_REPLAN) continue;
    const key = `${angleRad}|${cellKey(cell)}`;
    let best = cache.get(key);
    if (best === undefined) {
      best = null;
      const keptM = bestCellCostM(cell, costs);
      if (cells.length > 1) {
        const whole = replan([cell], cell);
        if (whole.costM < keptM - 1e-6) best = whole;
      }
      const pieces = splitAtJumps(cell, jumpM);
      if (pieces.length > 1) {
        const split = replan(pieces, cell);
        if (split.costM < (best?.costM ?? keptM) - 1e-6) best = split;
      }
      cache.set(key, best);
    }
    const options: CellPlan[][] = best ? [best.cells] : [];
    for (const option of options) {
      const trial = [...current];
      trial[i] = option;
      const trialCostM = routedCostM(plannedCells(part, partIndex, trial.flat(), ctx), ctx);
      if (trialCostM < currentCostM - 1e-6) {
        current[i] = trial[i]!;
        currentCostM = trialCostM;
      }
    }
  }
  const plans = current.flat();
  return { cells: plannedCells(part, partIndex, plans, ctx), costM: currentCostM, plans };
}

/**
 * The standard single-direction planner (the baseline): one sweep direction for the whole input
 * (`fixedAngle`, or the angle search over all parts with the scanline objective), lanes clipped by
 * holes and no-fly zones, each part flown line after line in order, crossing the gaps of a line
 * straight (around no-fly zones). Each part is one planned cell.
 */
export function planScanline(
  parts: MultiPolygonXY,
  fixedAngle: number | null,
  ctx: PartContext,
): PlannedCell[] {
  if (parts.length === 0) return [];
  let angleRad: number;
  if (fixedAngle === null) {
    const objective = (a: number): number => {
      let cost = 0;
      for (const part of parts)
        cost += scanlineObjectiveM(sweepLanes([part], a, ctx.spacingM, ctx.laneOptions), ctx.costs);
      return cost;
    };
    const found = searchSweepAngle(parts, objective);
    ctx.evaluations += found.evaluations;
    angleRad = found.angleRad;
  } else angleRad = fixedAngle;
  const out: PlannedCell[] = [];
  for (const [i, part] of parts.entries()) {
    const laid = sweepLanes([part], angleRad, ctx.spacingM, ctx.laneOptions);
    // The lines' intervals as lanes of one group (k numbers them line by line).
    const laidLanes: CellLane[] = [];
    const lineOf: number[] = [];
    for (const [li, line] of laid.lines.entries())
      for (const iv of line.intervals) {
        laidLanes.push({ ...iv, yM: line.yM });
        lineOf.push(li);
      }
    const [flown] = flyLanes(part, [{ angleRad, region: null, lanes: laidLanes }], ctx);
    const lines = laid.lines.map((line, li) => ({
      yM: line.yM,
      intervals: flown!.lanes.filter((f) => lineOf[f.k] === li).map((f) => f.lane),
    }));
    const sweep: SweepLines = { ...laid, lines };
    const a = scanlineLanesXY(sweep, true);
    if (a.length === 0) continue;
    out.push({ part: i, angleRad, region: null, paths: [a, scanlineLanesXY(sweep, false)] });
    for (const pass of flown!.passes)
      out.push({
        part: i,
        angleRad,
        region: null,
        paths: [cellLanesXY([pass], angleRad, true), cellLanesXY([pass], angleRad, false)],
      });
  }
  return out;
}

/** The rectangles a cell's lanes cover (band × the area's extent the lane's photos reach), rotated frame. */
function cellRects(cell: SweepCell, spacingM: number, alongReachM: number): Rect[] {
  const h = spacingM / 2;
  return cell.lanes.map((l) => {
    const left = Math.max(l.bandStartM, l.startM - alongReachM);
    const right = Math.max(left, Math.min(l.bandEndM, l.endM + alongReachM));
    return [left, l.yM - h, right, l.yM + h];
  });
}

function meanLaneLengthM(cell: SweepCell): number {
  let sum = 0;
  for (const l of cell.lanes) sum += l.bandEndM - l.bandStartM;
  return cell.lanes.length > 0 ? sum / cell.lanes.length : 0;
}

/** Splits a cell into runs of lanes whose ends move by at most `jumpM` from one lane to the next. */
function splitAtJumps(cell: SweepCell, jumpM: number): SweepCell[] {
  const out: SweepCell[] = [];
  let run: CellLane[] = [];
  for (const lane of cell.lanes) {
    const prev = run[run.length - 1];
    if (
      prev &&
      (Math.abs(prev.bandStartM - lane.bandStartM) > jumpM ||
        Math.abs(prev.bandEndM - lane.bandEndM) > jumpM)
    ) {
      out.push({ lanes: run });
      run = [];
    }
    run.push(lane);
  }
  if (run.length > 0) out.push({ lanes: run });
  return out;
}

/** A cell is capped only when its band ends on that side lie this close to one straight line. */
const CAP_STRAIGHTNESS_LANE_SPACINGS = 0.25;
/**
 * Steepest end capped: along-lane shift of the band ends per unit across (0.5 ≈ 27° off square);
 * a cap on a slanted end saves w(√(1 + s²) − s) per lane, little beyond this.
 */
const MAX_CAP_SLOPE = 0.5;
/** Cells of fewer lanes are not capped (the cap would save less than its turns cost). */
const MIN_LANES_TO_CAP = 3;

/**
 * Caps one end of a cell: a lane along the cell's lane ends (a straight end, square or slanted),
 * whose band covers that end's strip, so that every lane of the cell stops short of it. Routed,
 * the cap is where the drone would cross the cell's ends anyway (a pocket beside a hole is left
 * and re-entered along its outer edge): that transit then covers ground, and the cell's lanes get
 * shorter. Returns the trimmed cell and the cap, or null when the end is not straight, too
 * slanted, a lane would vanish, the saving is under one lane spacing, or the cap would leave the
 * area or enter an obstacle.
 *
 * In the cell's frame (lanes along x, line k at y_k, band k's area reaching x ≤ B_k), with the
 * end's line B(y) = B_0 + s (y − y_0) ≥ B_k and h = (w/2)√(1 + s²) (half the cap's band, measured
 * along x): the cap's centre line is c(y) = B(y) − h + |s| w/2, so that over every band its band
 * reaches B_k; lane k then only has to reach B(y_k) − 2h + |s| w. The cap runs over all the
 * bands, its ends pulled in by the photo reach and pushed out by the bands' slant.
 */
function capCell(
  part: PolygonXY,
  plan: CellPlan,
  high: boolean,
  ctx: PartContext,
): [CellPlan, CellPlan] | null {
  const { spacingM: w, alongReachM: reach } = ctx;
  const { lanes, angleRad } = plan;
  if (lanes.length < MIN_LANES_TO_CAP) return null;
  for (let k = 1; k < lanes.length; k++)
    if (Math.abs(lanes[k]!.yM - lanes[k - 1]!.yM - w) > 1e-6 * w) return null;
  // Mirrored on the low side (x → −x) so that the end is always towards +x.
  const sign = high ? 1 : -1;
  const ends = lanes.map((l) => (high ? l.bandEndM : -l.bandStartM));
  const first = lanes[0]!;
  const last = lanes[lanes.length - 1]!;
  const slope = (ends[ends.length - 1]! - ends[0]!) / (last.yM - first.yM);
  if (Math.abs(slope) > MAX_CAP_SLOPE) return null;
  const onLine = (yM: number): number => ends[0]! + slope * (yM - first.yM);
  let aboveM = -Infinity;
  let belowM = Infinity;
  for (const [k, l] of lanes.entries()) {
    aboveM = Math.max(aboveM, ends[k]! - onLine(l.yM));
    belowM = Math.min(belowM, ends[k]! - onLine(l.yM));
  }
  if (aboveM - belowM > CAP_STRAIGHTNESS_LANE_SPACINGS * w) return null;
  const endAt = (yM: number): number => onLine(yM) + aboveM;
  const halfM = (w / 2) * Math.sqrt(1 + slope * slope);
  const slantM = (Math.abs(slope) * w) / 2;
  const centreAt = (yM: number): number => endAt(yM) - halfM + slantM;
  const trimmed: CellLane[] = [];
  let savedM = 0;
  for (const l of lanes) {
    const limitM = endAt(l.yM) - 2 * halfM + 2 * slantM - reach;
    // The cap photographs the band beyond the trimmed end: no bend needed there.
    if (high) {
      const endM = Math.min(l.endM, limitM);
      if (endM < l.startM) return null;
      savedM += l.endM - endM;
      trimmed.push({ ...l, endM, bandEndM: Math.min(l.bandEndM, endM + reach) });
    } else {
      const startM = Math.max(l.startM, -limitM);
      if (startM > l.endM) return null;
      savedM += startM - l.startM;
      trimmed.push({ ...l, startM, bandStartM: Math.max(l.bandStartM, startM - reach) });
    }
  }
  if (savedM < w) return null;
  // The cap's centre line over all bands, then along it: pushed out by the slant, pulled in by the reach.
  const y0 = first.yM - w / 2;
  const y1 = last.yM + w / 2;
  const p0: XY = [centreAt(y0), y0];
  const p1: XY = [centreAt(y1), y1];
  const spanM = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  const u: XY = [(p1[0] - p0[0]) / spanM, (p1[1] - p0[1]) / spanM];
  const t0 = -slantM + reach;
  const t1 = spanM + slantM - reach;
  const tFrom = t1 > t0 ? t0 : spanM / 2;
  const tTo = t1 > t0 ? t1 : spanM / 2;
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const at = (t: number): XY =>
    rotateFromSweep([sign * (p0[0] + u[0] * t), p0[1] + u[1] * t], cos, sin);
  const a = at(tFrom);
  const b = at(tTo);
  if (ctx.router.blocked(a, b)) return null;
  // The cap stays over the area: both ends inside and no edge of the part crossed.
  if (!pointInPolygon(a, part) || !pointInPolygon(b, part)) return null;
  for (const ring of part)
    for (let i = 0; i < ring.length; i++)
      if (segmentsCross(a, b, ring[i]!, ring[(i + 1) % ring.length]!)) return null;
  const capAngleRad = tTo > tFrom ? Math.atan2(b[1] - a[1], b[0] - a[0]) : angleRad + Math.PI / 2;
  const c2 = Math.cos(capAngleRad);
  const s2 = Math.sin(capAngleRad);
  const pa = rotateToSweep(a, c2, s2);
  const pb = rotateToSweep(b, c2, s2);
  const startM = Math.min(pa[0], pb[0]);
  const endM = Math.max(pa[0], pb[0]);
  const cap: CellLane = {
    yM: (pa[1] + pb[1]) / 2,
    startM,
    endM,
    bandStartM: startM - reach,
    bandEndM: endM + reach,
  };
  return [
    { ...plan, lanes: trimmed },
    { angleRad: capAngleRad, lanes: [cap], region: null },
  ];
}

/**
 * Tries a cap (see {@link capCell}) at each end of each cell, keeping one only when the routed
 * plan of the whole part gets cheaper (length + turn costs).
 */
function capCells(
  part: PolygonXY,
  partIndex: number,
  start: readonly CellPlan[],
  costM: number,
  ctx: PartContext,
): Candidate {
  const plans = [...start];
  let currentCostM = costM;
  const count = plans.length;
  for (let i = 0; i < count; i++) {
    for (const high of [true, false]) {
      const capped = capCell(part, plans[i]!, high, ctx);
      if (!capped) continue;
      const trial = [...plans];
      trial[i] = capped[0];
      trial.push(capped[1]);
      const trialCostM = routedCostM(plannedCells(part, partIndex, trial, ctx), ctx);
      if (trialCostM < currentCostM - 1e-6) {
        plans.splice(0, plans.length, ...trial);
        currentCostM = trialCostM;
      }
    }
  }
  return { cells: plannedCells(part, partIndex, plans, ctx), costM: currentCostM, plans };
}
