// Inspection tours: the ordering of points (construction + 2-opt/Or-opt iterated local search),
// the Held–Karp lower bound, and the MAVLink items of each point's actions.
export { solveTour, tourLength, nearestNeighbourTour } from './solve-tour';
export type { SolveTourOptions, SolvedTour } from './solve-tour';
export { heldKarpBound } from './held-karp-bound';
export type { HeldKarpOptions, HeldKarpBound } from './held-karp-bound';
export { neighbourLists } from './neighbour-lists';
export { inspectionItems } from './inspection-items';
export type { InspectionPoint, InspectionItemOptions } from './inspection-items';
