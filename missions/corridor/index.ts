/**
 * River corridors: parallel passes along a river centre line (or a river polygon covered as an area).
 *
 * - `planCorridor(river, { widthM, sensor?, altitudeAglM?, … }): CorridorPlan` — `plan.workPaths`
 *   (`pass` / `transit`) in flight order, `plan.passes`, `plan.footprints`, `plan.stats`.
 * - `offsetPolyline(points, offsetM)`, `removeLoops`, `densify`, `smoothPolyline`, `polylineSelfCrosses`
 *   in a local metric frame.
 */
export { planCorridor } from './corridor-plan';
export type { CorridorOptions, CorridorPass, CorridorPlan } from './corridor-plan';
export {
  densify,
  offsetPolyline,
  polylineSelfCrosses,
  removeLoops,
  smoothPolyline,
} from './offset-polyline';
