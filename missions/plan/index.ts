// Plan assembly: areas + docks + drone → sorties with mission, fence and rally items, statistics.
// Also the library's shared types (except `LonLat`, which the area library exports too).
export { planPatrol } from './plan-patrol';
export type {
  PatrolArea,
  PatrolAreaKind,
  PatrolInput,
  PatrolOptions,
  PatrolResult,
  PlanFailure,
  PlanFailureCode,
} from './patrol-input';
export { sampleCoveragePct } from './coverage-sampling';
export {
  MAV_CMD,
  MAV_FRAME,
  isPositionalCommand,
  DEFAULT_DRONE,
  seededRandom,
} from '../types/index';
export type {
  XY,
  MissionItem,
  MissionType,
  MissionSet,
  WorkPath,
  Dock,
  DroneProfile,
  Plan,
  PlanSortie,
  PlanStatistics,
  PlannedPath,
  PlannedPoint,
} from '../types/index';
