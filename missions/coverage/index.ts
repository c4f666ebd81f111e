/**
 * Area coverage: boustrophedon lanes over forest polygons (holes, MultiPolygons, concave shapes),
 * direction searched per cell, cells ordered, transits routed around no-fly zones.
 *
 * - `planCoverage(area, options?): CoveragePlan` — `plan.workPaths: WorkPath[]` in flight order,
 *   `plan.cells`, `plan.footprints`, `plan.stats`.
 * - `planCoverage(area, { method: 'scanline' })`: the standard single-direction planner (baseline).
 * - Building blocks (for benchmarks and other planners): `sweepLanes`, `decomposeSweep`,
 *   `mergeCells`, `sweepObjectiveM`, `scanlineObjectiveM`, `searchSweepAngle`, `bruteForceSweepAngle`, `sweepAngleCandidates`,
 *   `createObstacleRouter`, `orderCells`, `minimumWidth`, `convexHull`.
 */
export { planCoverage, courseToSweepAngleRad, sweepAngleToCourseDeg } from './coverage-plan';
export { footprintAt } from './camera-footprint';
export type {
  CameraFootprint,
  CoverageCell,
  CoverageOptions,
  CoveragePlan,
  CoverageStats,
} from './types';
export { sweepLanes } from './sweep-lanes';
export type { LaneInterval, SweepLaneOptions, SweepLine, SweepLines } from './sweep-lanes';
export {
  bestCellCostM,
  cellPathCostM,
  decomposeSweep,
  sweepObjectiveM,
} from './boustrophedon-cells';
export type { CellLane, SweepCell, SweepCostOptions } from './boustrophedon-cells';
export { mergeCells } from './plan-part';
export { scanlineObjectiveM } from './scanline-objective';
export { bruteForceSweepAngle, searchSweepAngle, sweepAngleCandidates } from './sweep-angle-search';
export type { AngleSearchOptions, AngleSearchResult } from './sweep-angle-search';
export { createObstacleRouter } from './obstacle-router';
export type { ObstacleRouter } from './obstacle-router';
export { orderCells } from './cell-order';
export type { CellEnds, CellVisit, OrderOptions } from './cell-order';
export { convexHull, minimumWidth, polygonAreaM2, ringSignedAreaM2 } from './planar-geometry';
export type { MultiPolygonXY, PolygonXY, RingXY } from './planar-geometry';
