/**
 * A mission item as the bridge accepts it. `missions/` produces the same shape (structural
 * typing joins them; neither module imports the other). Coordinates are `[lon, lat]` in degrees;
 * only the codec converts them to MAVLink's degE7 integers.
 */
export type MissionType = 'mission' | 'fence' | 'rally';

export interface MissionItem {
  /** MAV_CMD id, e.g. 16 = MAV_CMD_NAV_WAYPOINT. */
  command: number;
  /** MAV_FRAME id, e.g. 3 = GLOBAL_RELATIVE_ALT, 10 = GLOBAL_TERRAIN_ALT, 2 = MISSION. */
  frame: number;
  param1: number;
  param2: number;
  param3: number;
  param4: number;
  /** `[lon, lat]` in degrees for positional items; null for others (x = y = 0 on the wire). */
  position: [number, number] | null;
  /** Altitude in metres, in `frame`'s reference. */
  altM: number;
  autocontinue: boolean;
}
