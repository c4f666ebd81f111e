/**
 * MAV_CMD ids used by the planner (MAVLink common.xml). Named so that items read as prose.
 *
 * @example
 * item.command === MAV_CMD.NAV_WAYPOINT;
 */
export const MAV_CMD = {
  NAV_WAYPOINT: 16,
  NAV_LOITER_TIME: 19,
  NAV_RETURN_TO_LAUNCH: 20,
  NAV_LAND: 21,
  NAV_TAKEOFF: 22,
  CONDITION_YAW: 115,
  DO_CHANGE_SPEED: 178,
  DO_SET_ROI: 201,
  DO_DIGICAM_CONTROL: 203,
  DO_MOUNT_CONTROL: 205,
  DO_SET_CAM_TRIGG_DIST: 206,
  IMAGE_START_CAPTURE: 2000,
  DO_GIMBAL_MANAGER_PITCHYAW: 1000,
  NAV_FENCE_RETURN_POINT: 5000,
  NAV_FENCE_POLYGON_VERTEX_INCLUSION: 5001,
  NAV_FENCE_POLYGON_VERTEX_EXCLUSION: 5002,
  NAV_FENCE_CIRCLE_INCLUSION: 5003,
  NAV_FENCE_CIRCLE_EXCLUSION: 5004,
  NAV_RALLY_POINT: 5100,
} as const;

/**
 * MAV_FRAME ids used by the planner.
 *
 * @example
 * item.frame === MAV_FRAME.GLOBAL_RELATIVE_ALT;
 */
export const MAV_FRAME = {
  GLOBAL: 0,
  MISSION: 2,
  GLOBAL_RELATIVE_ALT: 3,
  GLOBAL_INT: 5,
  GLOBAL_RELATIVE_ALT_INT: 6,
  GLOBAL_TERRAIN_ALT: 10,
} as const;

/** Commands whose x/y are a position (NAV_* below 100, fence and rally items, DO_SET_ROI). */
export function isPositionalCommand(command: number): boolean {
  return command < 100 || (command >= 5000 && command <= 5100) || command === 201;
}
