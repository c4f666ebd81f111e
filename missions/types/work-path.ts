import type { LonLat } from './mission-item';

/**
 * One piece of ordered work from the coverage planner (a survey lane, a river pass or a transit
 * between them). Sorties may be cut only between work paths, never inside one.
 *
 * @example
 * const lane: WorkPath = { kind: 'lane', coordinates: [[120, 30], [120.01, 30]],
 *   altitudeAglM: 80, triggerDistanceM: 25 };
 */
export interface WorkPath {
  kind: 'lane' | 'pass' | 'transit';
  /** `[lon, lat]` vertices in flight order. */
  coordinates: LonLat[];
  /** Height above ground in metres. */
  altitudeAglM: number;
  /** Camera trigger distance in metres along the path, or null when the camera is off. */
  triggerDistanceM: number | null;
}
