// Geofence, rally points and the pre-flight check.
export { inclusionRing, fenceItems, rallyItems, zonesFromFenceItems } from './fence-items';
export type { FenceZone } from './fence-items';
export { preflightCheck } from './preflight-check';
export {
  noFlyRules,
  parseDateTimeMs,
  hasNoFlyLimits,
  zoneActiveDuring,
  bandMeets,
  describeNoFlyRules,
} from './no-fly-rules';
export type { NoFlyRules, FlightWindow } from './no-fly-rules';
export type {
  PreflightSortie,
  PreflightOptions,
  PreflightCode,
  PreflightViolation,
  PreflightResult,
} from './preflight-check';
export {
  pointInRing,
  pointSegmentDistanceM,
  segmentsIntersect,
  segmentDistanceM,
  segmentPolygonDistanceM,
  convexHullXY,
} from './planar';
