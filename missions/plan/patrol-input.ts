import type { Sensor } from '../sensor/index';
import type { Dem } from '../terrain/index';
import type { Dock, DroneProfile, Plan } from '../types/index';

/** The kinds of patrol area (same list as the area validation library). */
export type PatrolAreaKind = 'forest' | 'river' | 'points' | 'no_fly';

/**
 * One patrol area: GeoJSON (a geometry, a Feature or a FeatureCollection — e.g. a stored
 * `ValidArea.featureCollection`) with its kind. Feature properties carry per-point actions
 * (`hoverS`, `photo`, `gimbalPitchDeg`, `headingDeg`) and river `corridorWidthM`.
 *
 * @example
 * const forest: PatrolArea = { id: 'changle', kind: 'forest', geojson: polygon };
 */
export interface PatrolArea {
  /** Used in messages and previews; default `areas[i]`. */
  id?: string;
  kind: PatrolAreaKind;
  geojson: unknown;
  /** River corridor width for features without `corridorWidthM`, metres. */
  corridorWidthM?: number;
}

/** Planning options; every length in metres, every time in seconds. */
export interface PatrolOptions {
  /** Flight height above ground (above the dock without a DEM). Default 100 m. */
  altitudeAglM?: number;
  /** Height of inspection-point waypoints. Default `altitudeAglM`. */
  pointAltitudeAglM?: number;
  /** Camera overlaps. Defaults 70 % side, 80 % front. */
  sideOverlapPct?: number;
  frontOverlapPct?: number;
  /** Regulatory ceiling. Default 120 m. */
  ceilingM?: number;
  /** Least distance to a no-fly zone; raised to the stopping distance v²/2a. Default 0 m. */
  safetyMarginM?: number;
  /** Margin of the inclusion fence around each sortie's route. Default 50 m. */
  fenceMarginM?: number;
  /** Straight overshoot beyond each lane end before turning. Default 10 m (coverage default). */
  turnaroundM?: number;
  /** Seed of the tour search. Default 1. */
  seed?: number;
  /** Perturbation rounds of the tour search; default 25 · n (see `solveTour`). */
  tourKicks?: number;
  /** Gimbal command for point actions. Default `gimbal-manager`. */
  gimbalCommand?: 'gimbal-manager' | 'mount-control';
  /** Sortie moves between docks for balance may add this share to the total time. Default 10 %. */
  balanceTolerancePct?: number;
  /** Samples of the independent coverage check. Default 20 000. */
  coverageSamples?: number;
  /** With a DEM: allowed deviation from the target height above ground along legs. Default 5 m. */
  terrainToleranceM?: number;
  /**
   * When the sorties will fly, RFC 3339 date-times with an offset. A no-fly zone whose active
   * windows (`validFrom` / `validTo`, `activeWindows`) all miss it does not apply. Without it,
   * every zone is treated as always active, and a warning says so for zones with windows.
   */
  flightWindow?: { from: string; to: string };
  /** Height added above and below a no-fly zone's altitude band (barometric error). Default 10 m. */
  noFlyVerticalMarginM?: number;
  /** Called with the fraction done, 0…1, as planning proceeds (synchronously). */
  onProgress?: (fraction: number) => void;
}

/**
 * Everything `planPatrol` needs: areas, docks, the drone and its camera, options.
 *
 * @example
 * planPatrol({ areas: [forest], docks: [{ id: 'nest-1', position: [119.95, 30.4], groundAltM: 40 }] });
 */
export interface PatrolInput {
  areas: readonly PatrolArea[];
  docks: readonly Dock[];
  /** Overrides of `DEFAULT_DRONE`. */
  drone?: Partial<DroneProfile>;
  /** The payload. Default the sensor model's `DEFAULT_MAPPING_CAMERA`. */
  camera?: Sensor;
  /**
   * Ground model (see `readDemGeoTiff`): waypoints then hold their height above the ground within
   * `options.terrainToleranceM`. Without one, altitudes are relative to the dock (a warning says so).
   */
  dem?: Dem | null;
  options?: PatrolOptions;
}

/** Closed list of planning failure codes (the service maps them to HTTP status in one place). */
export type PlanFailureCode =
  | 'INPUT_INVALID'
  | 'AREA_INVALID'
  | 'SENSOR_INVALID'
  | 'CORRIDOR_INVALID'
  | 'DEM_INVALID'
  | 'FRAME_INVALID'
  | 'DOCK_UNREACHABLE'
  | 'PREFLIGHT_FAILED';

/** Why no plan: a one-line `message` and every issue with the path of the offending input. */
export interface PlanFailure {
  code: PlanFailureCode;
  message: string;
  issues: { path: string; message: string }[];
}

/** Result of `planPatrol`: failures are values, never exceptions. */
export type PatrolResult = { ok: true; plan: Plan } | { ok: false; error: PlanFailure };
