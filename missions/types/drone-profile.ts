import type { LonLat } from './mission-item';

/**
 * A dock (nest) that launches, recovers and charges one drone.
 *
 * @example
 * const dock: Dock = { id: 'nest-1', position: [119.95, 30.4], groundAltM: 42 };
 */
export interface Dock {
  id: string;
  /** `[lon, lat]` in degrees. */
  position: LonLat;
  /** Ground altitude above mean sea level in metres. */
  groundAltM: number;
}

/**
 * Performance of the drone used for energy, timing and stopping-distance estimates.
 *
 * @example
 * const drone: DroneProfile = { ...DEFAULT_DRONE, enduranceS: 1800 };
 */
export interface DroneProfile {
  /** Cruise ground speed in still air, m/s. */
  cruiseSpeedMps: number;
  /** Flight time on a full battery, seconds (at cruise; hover counted the same). */
  enduranceS: number;
  /** Battery share never planned for, percent (e.g. 25). */
  reservePct: number;
  /** Vertical speeds in m/s. */
  climbRateMps: number;
  descentRateMps: number;
  /** Horizontal acceleration / braking in m/s² (turn cost and stopping distance). */
  accelerationMps2: number;
  /** Wind the plan must absorb, m/s (flown as a head wind on every leg). */
  windMps: number;
}

/** Defaults of a dock-based quadcopter in the DJI M30 / Matrice 3TD class. */
export const DEFAULT_DRONE: DroneProfile = {
  cruiseSpeedMps: 10,
  enduranceS: 40 * 60,
  reservePct: 25,
  climbRateMps: 4,
  descentRateMps: 3,
  accelerationMps2: 2,
  windMps: 3,
};
