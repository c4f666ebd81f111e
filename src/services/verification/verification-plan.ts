/**
 * What a verification sortie flies: a close-up look at one alert from one dock. Pure: no I/O, no
 * clock. The pattern is a small inspection tour (the planner's `points` kind) — one point over
 * the alert looking straight down, and a ring of points around it looking in at the alert —
 * at a low height, each with a hover, a gimbal pitch, a heading and a photo.
 */
import {
  createLocalFrame,
  DEFAULT_DRONE,
  usableRangeM,
  type DroneProfile,
  type PatrolInput,
} from '../../../missions/index';
import type { AlertType, MissionPurposeName, PayloadKind } from '../../../db/index';

/** The payload a verification of each alert type needs (IR sees heat and warm plumes; lidar sees canopy and water levels). */
export const VERIFICATION_PAYLOAD: Readonly<Record<AlertType, PayloadKind>> = {
  fire: 'ir',
  pollution: 'ir',
  illegal_logging: 'lidar',
  flood: 'lidar',
};

/**
 * The mission purpose (and so the fleet priority) of a verification of each alert type:
 * fire > flood > pollution > logging, as for patrols of the same kind.
 */
export const VERIFICATION_PURPOSE: Readonly<Record<AlertType, MissionPurposeName>> = {
  fire: 'forest_fire_patrol',
  flood: 'river_flood',
  pollution: 'pollution',
  illegal_logging: 'anti_logging',
};

/**
 * Close-up height above the dock (no DEM) per alert type, metres: over a fire the heat and
 * smoke keep the drone higher; elsewhere it stays just above a typical subtropical canopy
 * (25–30 m in the Yuhang hills) so photos resolve stumps, outfalls and water lines.
 */
export const VERIFICATION_ALTITUDE_AGL_M: Readonly<Record<AlertType, number>> = {
  fire: 60,
  flood: 45,
  pollution: 40,
  illegal_logging: 40,
};

/** Ring radius bounds around the alert's centre, metres. */
export const RING_RADIUS_MIN_M = 40;
export const RING_RADIUS_MAX_M = 400;

/** The alert as the verification planner needs it. */
export interface VerificationTarget {
  id: string;
  alertType: AlertType;
  /** `[lon, lat]` of the alert's centroid, degrees. */
  centroid: [number, number];
  /** The alert's extent / uncertainty radius, metres. */
  radiusM: number;
}

/** A dock with the drone that would fly, as stored. */
export interface VerificationDock {
  id: string;
  /** `[lon, lat]`, degrees. */
  position: [number, number];
  groundAltM: number;
  drone: { cruiseSpeedMps: number; maxFlightTimeMin: number; batteryReservePct: number };
}

export interface VerificationPatternOptions {
  /** Points on the ring around the centre; 0 flies the centre only. Default 4. */
  ringPoints?: number;
  /** Height above the dock, metres. Default {@link VERIFICATION_ALTITUDE_AGL_M} of the type. */
  altitudeAglM?: number;
  /** Hover over the centre, seconds. Default 10. */
  centreHoverS?: number;
  /** Hover at each ring point, seconds. Default 4. */
  ringHoverS?: number;
  /** No-fly zones (GeoJSON geometries or features) the tour must avoid. */
  noFlyZones?: readonly unknown[];
}

/**
 * The drone profile the planner uses for a stored drone (wind and rates from the defaults).
 *
 * @example
 * droneProfileOf({ cruiseSpeedMps: 10, maxFlightTimeMin: 30, batteryReservePct: 25 }).enduranceS; // 1800
 */
export function droneProfileOf(drone: VerificationDock['drone']): DroneProfile {
  return {
    ...DEFAULT_DRONE,
    cruiseSpeedMps: drone.cruiseSpeedMps,
    enduranceS: drone.maxFlightTimeMin * 60,
    reservePct: drone.batteryReservePct,
  };
}

/**
 * The ring radius for an alert: its extent, kept between {@link RING_RADIUS_MIN_M} and
 * {@link RING_RADIUS_MAX_M} metres so the camera frames it from a close, oblique angle.
 *
 * @example
 * ringRadiusM(12); // 40
 */
export function ringRadiusM(alertRadiusM: number): number {
  const r = Number.isFinite(alertRadiusM) ? alertRadiusM : RING_RADIUS_MIN_M;
  return Math.min(RING_RADIUS_MAX_M, Math.max(RING_RADIUS_MIN_M, r));
}

/**
 * Straight-line reachability by the energy model before any planning: out to the alert and
 * back (2 × distance + the ring) must fit the drone's usable range (endurance after reserve at
 * cruise minus a head wind). `null` when reachable, otherwise the reason.
 *
 * @example
 * unreachableReason(target, dock); // 'alert is 9.4 km from dock d1: out and back needs 19.0 km, …'
 */
export function unreachableReason(
  target: VerificationTarget,
  dock: VerificationDock,
  distanceM: number,
): string | null {
  const drone = droneProfileOf(dock.drone);
  const rangeM = usableRangeM(drone);
  const needM = 2 * distanceM + 2 * Math.PI * ringRadiusM(target.radiusM);
  if (needM <= rangeM) return null;
  return `alert is ${(distanceM / 1000).toFixed(1)} km from dock ${dock.id}: out, around and back needs ${(needM / 1000).toFixed(1)} km, the drone's usable range is ${(rangeM / 1000).toFixed(1)} km (${dock.drone.maxFlightTimeMin} min, ${dock.drone.batteryReservePct} % reserve, ${drone.windMps} m/s wind)`;
}

/**
 * The inspection points over and around an alert as a GeoJSON FeatureCollection of the
 * planner's `points` kind: the centre looking straight down (gimbal −90°) with a long hover,
 * then `ringPoints` points on a ring of {@link ringRadiusM}, each heading towards the centre
 * with the gimbal pitched down at the alert (atan of height over radius).
 *
 * @example
 * verificationPoints({ id: 'alr_1', alertType: 'fire', centroid: [119.78, 30.4], radiusM: 25 }).features.length; // 5
 */
export function verificationPoints(
  target: VerificationTarget,
  options: VerificationPatternOptions = {},
) {
  const altitudeAglM = options.altitudeAglM ?? VERIFICATION_ALTITUDE_AGL_M[target.alertType];
  const ringPoints = options.ringPoints ?? 4;
  const radiusM = ringRadiusM(target.radiusM);
  const frame = createLocalFrame(target.centroid);
  const pitchDeg = -Math.round((Math.atan2(altitudeAglM, radiusM) * 180) / Math.PI);
  const features = [
    {
      type: 'Feature' as const,
      properties: {
        name: `${target.id} centre`,
        hoverS: options.centreHoverS ?? 10,
        photo: true,
        gimbalPitchDeg: -90,
        headingDeg: 0,
      },
      geometry: { type: 'Point' as const, coordinates: target.centroid },
    },
  ];
  for (let k = 0; k < ringPoints; k++) {
    // Bearing from the centre, clockwise from north; the drone looks back along it.
    const bearingRad = (2 * Math.PI * k) / ringPoints;
    const xy: [number, number] = [radiusM * Math.sin(bearingRad), radiusM * Math.cos(bearingRad)];
    const headingDeg = Math.round(((bearingRad * 180) / Math.PI + 180) % 360);
    features.push({
      type: 'Feature' as const,
      properties: {
        name: `${target.id} ring ${k + 1}`,
        hoverS: options.ringHoverS ?? 4,
        photo: true,
        gimbalPitchDeg: pitchDeg,
        headingDeg,
      },
      geometry: { type: 'Point' as const, coordinates: frame.toLonLat(xy) },
    });
  }
  return { type: 'FeatureCollection' as const, features };
}

/**
 * The planner's input for a verification sortie of `target` from `dock`: the inspection points,
 * the no-fly zones, the dock and its drone, at the close-up height.
 *
 * @example
 * const result = planPatrol(verificationPatrolInput(target, dock, { ringPoints: 4 }));
 */
export function verificationPatrolInput(
  target: VerificationTarget,
  dock: VerificationDock,
  options: VerificationPatternOptions = {},
): PatrolInput {
  const altitudeAglM = options.altitudeAglM ?? VERIFICATION_ALTITUDE_AGL_M[target.alertType];
  const { cruiseSpeedMps, enduranceS, reservePct } = droneProfileOf(dock.drone);
  return {
    areas: [
      {
        id: `verification of ${target.id}`,
        kind: 'points',
        geojson: verificationPoints(target, options),
      },
      ...(options.noFlyZones ?? []).map((geojson, i) => ({
        id: `no-fly ${i + 1}`,
        kind: 'no_fly' as const,
        geojson,
      })),
    ],
    docks: [{ id: dock.id, position: dock.position, groundAltM: dock.groundAltM }],
    drone: { cruiseSpeedMps, enduranceS, reservePct },
    options: { altitudeAglM, pointAltitudeAglM: altitudeAglM, gimbalCommand: 'gimbal-manager' },
  };
}
