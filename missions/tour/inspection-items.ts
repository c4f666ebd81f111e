import { MAV_CMD, MAV_FRAME, type LonLat, type MissionItem } from '../types/index';

/**
 * One inspection point and what the drone does there.
 *
 * @example
 * const p: InspectionPoint = { position: [119.95, 30.4], hoverS: 5, photo: true, gimbalPitchDeg: -45 };
 */
export interface InspectionPoint {
  /** `[lon, lat]` in degrees. */
  position: LonLat;
  /** Optional caller id, carried into the plan's GeoJSON preview. */
  id?: string;
  /** Hold time at the point in seconds (NAV_WAYPOINT param1). Default 0. */
  hoverS?: number;
  /** Take one photo at the point. Default true. */
  photo?: boolean;
  /** Gimbal pitch in degrees (0 = level, −90 = straight down). Default: unchanged. */
  gimbalPitchDeg?: number;
  /** Vehicle heading in degrees clockwise from north. Default: unchanged. */
  headingDeg?: number;
  /** Height above ground in metres; default the plan's altitude. */
  altitudeAglM?: number;
}

/** How point actions are written as MAVLink commands. */
export interface InspectionItemOptions {
  /** Default height above ground in metres. */
  altitudeAglM: number;
  /** MAV_FRAME of positional items. Default 3 (GLOBAL_RELATIVE_ALT). */
  frame?: number;
  /**
   * Gimbal command: `gimbal-manager` = DO_GIMBAL_MANAGER_PITCHYAW (gimbal protocol v2, PX4 and
   * ArduPilot 4.3+), `mount-control` = DO_MOUNT_CONTROL (older autopilots). Default `gimbal-manager`.
   */
  gimbalCommand?: 'gimbal-manager' | 'mount-control';
}

/**
 * The mission items of one inspection point: a NAV_WAYPOINT holding `hoverS` (param1), then
 * CONDITION_YAW (heading), the gimbal command (pitch) and IMAGE_START_CAPTURE (one photo), in
 * that order so the photo is taken with the final attitude. DO_DIGICAM_CONTROL is not used: its
 * "shoot" flag is param5 (x), which positionless items cannot carry.
 *
 * @example
 * inspectionItems({ position: [119.95, 30.4], hoverS: 3, headingDeg: 90 }, { altitudeAglM: 60 });
 * // [NAV_WAYPOINT(16) hold 3 s, CONDITION_YAW(115) 90°, IMAGE_START_CAPTURE(2000)]
 */
export function inspectionItems(
  point: InspectionPoint,
  options: InspectionItemOptions,
): MissionItem[] {
  const frame = options.frame ?? MAV_FRAME.GLOBAL_RELATIVE_ALT;
  const hoverS = point.hoverS ?? 0;
  if (!Number.isFinite(hoverS) || hoverS < 0) {
    throw new RangeError(`hoverS must be a number ≥ 0 s, got ${String(point.hoverS)}`);
  }
  const items: MissionItem[] = [
    {
      command: MAV_CMD.NAV_WAYPOINT,
      frame,
      param1: hoverS,
      param2: 0,
      param3: 0,
      param4: Number.NaN,
      position: [point.position[0], point.position[1]],
      altM: point.altitudeAglM ?? options.altitudeAglM,
      autocontinue: true,
    },
  ];
  const command = (
    cmd: number,
    p1: number,
    p2: number,
    p3: number,
    p4: number,
    altM = 0,
  ): MissionItem => ({
    command: cmd,
    frame: MAV_FRAME.MISSION,
    param1: p1,
    param2: p2,
    param3: p3,
    param4: p4,
    position: null,
    altM,
    autocontinue: true,
  });
  if (point.headingDeg !== undefined) {
    if (!Number.isFinite(point.headingDeg)) {
      throw new RangeError(
        `headingDeg must be a number of degrees, got ${String(point.headingDeg)}`,
      );
    }
    const heading = ((point.headingDeg % 360) + 360) % 360;
    // param2 rate 0 = default, param3 direction 0 = shortest, param4 0 = absolute angle.
    items.push(command(MAV_CMD.CONDITION_YAW, heading, 0, 0, 0));
  }
  if (point.gimbalPitchDeg !== undefined) {
    const pitch = point.gimbalPitchDeg;
    if (!Number.isFinite(pitch) || pitch < -90 || pitch > 30) {
      throw new RangeError(`gimbalPitchDeg must be in [-90, 30] degrees, got ${String(pitch)}`);
    }
    if ((options.gimbalCommand ?? 'gimbal-manager') === 'gimbal-manager') {
      // param2 yaw NaN = keep; rates NaN = default; param7 (altM) 0 = primary gimbal.
      items.push(
        command(MAV_CMD.DO_GIMBAL_MANAGER_PITCHYAW, pitch, Number.NaN, Number.NaN, Number.NaN),
      );
    } else {
      // param7 (altM) 2 = MAV_MOUNT_MODE_MAVLINK_TARGETING.
      items.push(command(MAV_CMD.DO_MOUNT_CONTROL, pitch, 0, 0, 0, 2));
    }
  }
  if (point.photo ?? true) {
    // camera 0 = all, interval 0, one image, sequence 0.
    items.push(command(MAV_CMD.IMAGE_START_CAPTURE, 0, 0, 1, 0));
  }
  return items;
}
