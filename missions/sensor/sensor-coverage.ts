import { MissionInputError } from '../frame/mission-input-error';

/**
 * A frame camera looking straight down, long side across track. Give the lens either as
 * `focalLengthMm` or as `horizontalFovDeg` (the field of view across the sensor width).
 */
export interface CameraSensor {
  kind: 'camera';
  sensorWidthMm: number;
  sensorHeightMm: number;
  imageWidthPx: number;
  imageHeightPx: number;
  focalLengthMm?: number;
  horizontalFovDeg?: number;
}

/** A line-scanning lidar looking straight down, scanning across track over `fovDeg`. */
export interface LidarSensor {
  kind: 'lidar';
  fovDeg: number;
}

export type Sensor = CameraSensor | LidarSensor;

export interface SensorCoverageOptions {
  /** Height above ground, metres (> 0). */
  altitudeAglM: number;
  /** Overlap between neighbouring lanes, percent of the swath, in [0, 95]. Default 70. */
  sideOverlapPct?: number;
  /** Overlap between consecutive photos along track, percent, in [0, 95]. Default 80. Ignored for lidar. */
  frontOverlapPct?: number;
}

/** What one sensor at one height covers on flat ground. */
export interface SensorCoverage {
  kind: 'camera' | 'lidar';
  altitudeAglM: number;
  /** Ground width covered across track, metres (the swath). */
  footprintAcrossM: number;
  /** Ground length of one photo along track, metres; `null` for a lidar (a continuous strip). */
  footprintAlongM: number | null;
  /** Ground sample distance, metres per pixel (across track); `null` for a lidar. */
  gsdM: number | null;
  /** Distance between neighbouring lanes for the side overlap, metres. */
  laneSpacingM: number;
  /** Distance between photos for the front overlap, metres; `null` for a lidar. */
  triggerDistanceM: number | null;
  sideOverlapPct: number;
  frontOverlapPct: number | null;
}

const DEFAULT_SIDE_OVERLAP_PCT = 70;
const DEFAULT_FRONT_OVERLAP_PCT = 80;

/** A 1-inch 20 MP mapping camera (13.2 × 8.8 mm sensor, 8.8 mm lens, 5472 × 3648 px). */
export const DEFAULT_MAPPING_CAMERA: CameraSensor = {
  kind: 'camera',
  sensorWidthMm: 13.2,
  sensorHeightMm: 8.8,
  imageWidthPx: 5472,
  imageHeightPx: 3648,
  focalLengthMm: 8.8,
};

/** A 640 × 512 radiometric thermal camera with 12 µm pixels and a 13 mm lens. */
export const DEFAULT_THERMAL_CAMERA: CameraSensor = {
  kind: 'camera',
  sensorWidthMm: 7.68,
  sensorHeightMm: 6.144,
  imageWidthPx: 640,
  imageHeightPx: 512,
  focalLengthMm: 13,
};

function fail(path: string, message: string): never {
  throw new MissionInputError('SENSOR_INVALID', path, message);
}

function positive(value: unknown, path: string, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(path, `${path} must be a finite number > 0 ${unit}, got ${String(value)}`);
  }
  return value;
}

function overlapPct(value: number | undefined, fallback: number, path: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || v > 95) {
    fail(path, `${path} must be a percentage in [0, 95], got ${String(v)}`);
  }
  return v;
}

function fovDeg(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= 170) {
    fail(path, `${path} must be a field of view in (0, 170) degrees, got ${String(value)}`);
  }
  return value;
}

/**
 * Checks a sensor description and returns it unchanged, or throws naming the first bad value.
 *
 * @throws MissionInputError `SENSOR_INVALID` with `path` such as `sensor.focalLengthMm`.
 * @example
 * validateSensor({ kind: 'lidar', fovDeg: 70 });
 */
export function validateSensor(sensor: Sensor): Sensor {
  if (sensor.kind === 'lidar') {
    fovDeg(sensor.fovDeg, 'sensor.fovDeg');
    return sensor;
  }
  if (sensor.kind !== 'camera') {
    fail(
      'sensor.kind',
      `sensor.kind must be 'camera' or 'lidar', got ${String((sensor as { kind: unknown }).kind)}`,
    );
  }
  positive(sensor.sensorWidthMm, 'sensor.sensorWidthMm', 'mm');
  positive(sensor.sensorHeightMm, 'sensor.sensorHeightMm', 'mm');
  positive(sensor.imageWidthPx, 'sensor.imageWidthPx', 'px');
  positive(sensor.imageHeightPx, 'sensor.imageHeightPx', 'px');
  if (sensor.focalLengthMm === undefined && sensor.horizontalFovDeg === undefined) {
    fail('sensor.focalLengthMm', 'sensor needs focalLengthMm or horizontalFovDeg, got neither');
  }
  if (sensor.focalLengthMm !== undefined)
    positive(sensor.focalLengthMm, 'sensor.focalLengthMm', 'mm');
  else fovDeg(sensor.horizontalFovDeg, 'sensor.horizontalFovDeg');
  return sensor;
}

/**
 * Ground footprint, GSD, lane spacing and trigger distance of a nadir sensor at a height above
 * flat ground. The camera's long side (sensor width) lies across track.
 *
 * footprintAcross = sensorWidth · h / f (or 2h·tan(hfov/2)); GSD = footprintAcross / imageWidthPx;
 * laneSpacing = footprintAcross · (1 − side%); triggerDistance = footprintAlong · (1 − front%);
 * lidar swath = 2h·tan(fov/2).
 *
 * @throws MissionInputError `SENSOR_INVALID` naming the bad value (e.g. `options.altitudeAglM`).
 * @example
 * const c = sensorCoverage(DEFAULT_MAPPING_CAMERA, { altitudeAglM: 100, sideOverlapPct: 70, frontOverlapPct: 80 });
 * // c.footprintAcrossM = 150, c.gsdM ≈ 0.0274, c.laneSpacingM = 45, c.triggerDistanceM = 20
 */
export function sensorCoverage(sensor: Sensor, options: SensorCoverageOptions): SensorCoverage {
  validateSensor(sensor);
  const altitudeAglM = positive(options.altitudeAglM, 'options.altitudeAglM', 'm');
  const sideOverlapPct = overlapPct(
    options.sideOverlapPct,
    DEFAULT_SIDE_OVERLAP_PCT,
    'options.sideOverlapPct',
  );
  if (sensor.kind === 'lidar') {
    const footprintAcrossM = 2 * altitudeAglM * Math.tan((sensor.fovDeg * Math.PI) / 360);
    return {
      kind: 'lidar',
      altitudeAglM,
      footprintAcrossM,
      footprintAlongM: null,
      gsdM: null,
      laneSpacingM: footprintAcrossM * (1 - sideOverlapPct / 100),
      triggerDistanceM: null,
      sideOverlapPct,
      frontOverlapPct: null,
    };
  }
  const frontOverlapPct = overlapPct(
    options.frontOverlapPct,
    DEFAULT_FRONT_OVERLAP_PCT,
    'options.frontOverlapPct',
  );
  let footprintAcrossM: number;
  let footprintAlongM: number;
  if (sensor.focalLengthMm !== undefined) {
    footprintAcrossM = (sensor.sensorWidthMm * altitudeAglM) / sensor.focalLengthMm;
    footprintAlongM = (sensor.sensorHeightMm * altitudeAglM) / sensor.focalLengthMm;
  } else {
    const halfTan = Math.tan(((sensor.horizontalFovDeg ?? 0) * Math.PI) / 360);
    footprintAcrossM = 2 * altitudeAglM * halfTan;
    footprintAlongM = footprintAcrossM * (sensor.sensorHeightMm / sensor.sensorWidthMm);
  }
  return {
    kind: 'camera',
    altitudeAglM,
    footprintAcrossM,
    footprintAlongM,
    gsdM: footprintAcrossM / sensor.imageWidthPx,
    laneSpacingM: footprintAcrossM * (1 - sideOverlapPct / 100),
    triggerDistanceM: footprintAlongM * (1 - frontOverlapPct / 100),
    sideOverlapPct,
    frontOverlapPct,
  };
}

/**
 * The height above ground at which a camera reaches a ground sample distance.
 *
 * @param gsdM wanted ground sample distance, metres per pixel (> 0)
 * @throws MissionInputError `SENSOR_INVALID` for a lidar or a bad value.
 * @example
 * altitudeForGsd(DEFAULT_MAPPING_CAMERA, 0.02); // ≈ 72.96 m
 */
export function altitudeForGsd(sensor: Sensor, gsdM: number): number {
  validateSensor(sensor);
  positive(gsdM, 'gsdM', 'm/px');
  if (sensor.kind !== 'camera')
    fail('sensor.kind', `altitudeForGsd needs a camera, got ${sensor.kind}`);
  const footprintPerMetreAgl =
    sensor.focalLengthMm !== undefined
      ? sensor.sensorWidthMm / sensor.focalLengthMm
      : 2 * Math.tan(((sensor.horizontalFovDeg ?? 0) * Math.PI) / 360);
  return (gsdM * sensor.imageWidthPx) / footprintPerMetreAgl;
}
