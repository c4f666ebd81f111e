/**
 * Sensor model: footprint, GSD, lane spacing and trigger distance of a nadir camera or lidar.
 *
 * - `sensorCoverage(sensor, { altitudeAglM, sideOverlapPct?, frontOverlapPct? }): SensorCoverage`
 * - `altitudeForGsd(sensor, gsdM): number`
 * - `validateSensor(sensor)` — throws `MissionInputError('SENSOR_INVALID', path, …)`.
 * - `DEFAULT_MAPPING_CAMERA`, `DEFAULT_THERMAL_CAMERA`.
 */
export {
  altitudeForGsd,
  DEFAULT_MAPPING_CAMERA,
  DEFAULT_THERMAL_CAMERA,
  sensorCoverage,
  validateSensor,
} from './sensor-coverage';
export type {
  CameraSensor,
  LidarSensor,
  Sensor,
  SensorCoverage,
  SensorCoverageOptions,
} from './sensor-coverage';
