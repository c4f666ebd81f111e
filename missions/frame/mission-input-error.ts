/**
 * Closed list of the input codes the coverage side of the planning library can reject.
 * The service maps them to HTTP 400 in one place; the CLI prints `message` as its one-line reason.
 */
export type MissionInputCode =
  'FRAME_INVALID' | 'SENSOR_INVALID' | 'AREA_INVALID' | 'CORRIDOR_INVALID' | 'DEM_INVALID';

/**
 * A typed error for bad planning input. `path` names the offending value (e.g. `sensor.focalLengthMm`)
 * and `message` says what it was and what was expected.
 *
 * @example
 * throw new MissionInputError('SENSOR_INVALID', 'sensor.focalLengthMm', 'sensor.focalLengthMm must be > 0 mm, got -4');
 */
export class MissionInputError extends Error {
  override readonly name = 'MissionInputError';
  constructor(
    readonly code: MissionInputCode,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
