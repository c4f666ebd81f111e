// Sorties from docks: the energy model and the split of ordered work into battery-feasible flights.
export {
  usableTimeS,
  plannedSpeedMps,
  usableRangeM,
  turnTimeS,
  stoppingDistanceM,
  turnAngleRad,
  pathCost,
  droneProfileIssues,
} from './energy-model';
export type { PathCost } from './energy-model';
export { planSorties, provenSortieCount } from './plan-sorties';
export { minimisePointRoutes } from './minimise-point-routes';
export type {
  PointRouteProblem,
  MinimisePointRoutesOptions,
  PointRoutes,
} from './minimise-point-routes';
export type {
  WorkUnit,
  DockSite,
  PlanSortiesOptions,
  PlannedSortie,
  UnreachableWork,
  SortiePlan,
  ProvenMinimum,
} from './plan-sorties';
