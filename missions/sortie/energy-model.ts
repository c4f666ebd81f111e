import type { DroneProfile, XY } from '../types/index';

/**
 * Usable flight time on one battery: endurance minus the reserve, seconds.
 *
 * @example
 * usableTimeS({ ...DEFAULT_DRONE, enduranceS: 2400, reservePct: 25 }); // 1800
 */
export function usableTimeS(drone: DroneProfile): number {
  return drone.enduranceS * (1 - drone.reservePct / 100);
}

/**
 * Ground speed planned for horizontal legs: cruise speed minus the wind allowance (every leg is
 * flown as if into a head wind), m/s.
 *
 * @example
 * plannedSpeedMps({ ...DEFAULT_DRONE, cruiseSpeedMps: 10, windMps: 3 }); // 7
 */
export function plannedSpeedMps(drone: DroneProfile): number {
  return drone.cruiseSpeedMps - drone.windMps;
}

/**
 * Horizontal range on the usable battery at the planned speed, metres.
 *
 * @example
 * usableRangeM(DEFAULT_DRONE); // 1800 s × 7 m/s = 12 600
 */
export function usableRangeM(drone: DroneProfile): number {
  return usableTimeS(drone) * plannedSpeedMps(drone);
}

/**
 * Extra time a turn of `angleRad` costs over flying straight, seconds: braking to a stop and
 * accelerating again costs v/a (a 180° turn), scaled by (1 − cos θ)/2 for gentler turns.
 *
 * @example
 * turnTimeS(Math.PI, { ...DEFAULT_DRONE, cruiseSpeedMps: 10, accelerationMps2: 2 }); // 5
 */
export function turnTimeS(angleRad: number, drone: DroneProfile): number {
  return (drone.cruiseSpeedMps / drone.accelerationMps2) * ((1 - Math.cos(angleRad)) / 2);
}

/**
 * Stopping distance at cruise speed v²/2a, metres: the least safety margin to a no-fly zone.
 *
 * @example
 * stoppingDistanceM({ ...DEFAULT_DRONE, cruiseSpeedMps: 10, accelerationMps2: 2 }); // 25
 */
export function stoppingDistanceM(drone: DroneProfile): number {
  return drone.cruiseSpeedMps ** 2 / (2 * drone.accelerationMps2);
}

/**
 * The turning angle at `b` of the polyline a → b → c, radians in [0, π] (0 = straight on).
 *
 * @example
 * turnAngleRad([0, 0], [1, 0], [1, 1]); // π/2
 */
export function turnAngleRad(a: XY, b: XY, c: XY): number {
  const ux = b[0] - a[0];
  const uy = b[1] - a[1];
  const vx = c[0] - b[0];
  const vy = c[1] - b[1];
  const lu = Math.hypot(ux, uy);
  const lv = Math.hypot(vx, vy);
  if (lu === 0 || lv === 0) return 0;
  return Math.acos(Math.max(-1, Math.min(1, (ux * vx + uy * vy) / (lu * lv))));
}

/** Length and turn figures of one polyline. */
export interface PathCost {
  lengthM: number;
  /** Vertices where the path turns by more than 30°. */
  turns: number;
  /** Flight time at the planned speed plus turn costs, seconds (no climb, no hover). */
  timeS: number;
}

/**
 * Length, turns and flight time of a metric polyline for `drone`.
 *
 * @example
 * pathCost([[0, 0], [700, 0], [700, 700]], DEFAULT_DRONE); // { lengthM: 1400, turns: 1, timeS: 200 + 2.5 }
 */
export function pathCost(path: readonly XY[], drone: DroneProfile): PathCost {
  let lengthM = 0;
  let turns = 0;
  let turnS = 0;
  for (let i = 1; i < path.length; i++) {
    lengthM += Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]);
    if (i + 1 < path.length) {
      const angle = turnAngleRad(path[i - 1]!, path[i]!, path[i + 1]!);
      turnS += turnTimeS(angle, drone);
      if (angle > Math.PI / 6) turns++;
    }
  }
  return { lengthM, turns, timeS: lengthM / plannedSpeedMps(drone) + turnS };
}

/**
 * Checks a drone profile and returns every problem as `field: message` (empty when valid).
 *
 * @example
 * droneProfileIssues({ ...DEFAULT_DRONE, windMps: 12 }); // ['windMps: must be below cruiseSpeedMps (10 m/s), got 12']
 */
export function droneProfileIssues(drone: DroneProfile): string[] {
  const issues: string[] = [];
  const positive = (field: keyof DroneProfile, unit: string): void => {
    const v = drone[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      issues.push(`${field}: must be a number > 0 ${unit}, got ${String(v)}`);
    }
  };
  positive('cruiseSpeedMps', 'm/s');
  positive('enduranceS', 's');
  positive('climbRateMps', 'm/s');
  positive('descentRateMps', 'm/s');
  positive('accelerationMps2', 'm/s²');
  if (!Number.isFinite(drone.reservePct) || drone.reservePct < 0 || drone.reservePct >= 100) {
    issues.push(`reservePct: must be in [0, 100) percent, got ${String(drone.reservePct)}`);
  }
  if (!Number.isFinite(drone.windMps) || drone.windMps < 0) {
    issues.push(`windMps: must be a number ≥ 0 m/s, got ${String(drone.windMps)}`);
  } else if (drone.windMps >= drone.cruiseSpeedMps) {
    issues.push(
      `windMps: must be below cruiseSpeedMps (${drone.cruiseSpeedMps} m/s), got ${drone.windMps}`,
    );
  }
  return issues;
}
