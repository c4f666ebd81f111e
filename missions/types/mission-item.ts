/**
 * A mission item exactly as `firmware-bridge` accepts it (structural typing joins the two; neither
 * module imports the other). Coordinates are `[lon, lat]` in degrees.
 */
export type MissionType = 'mission' | 'fence' | 'rally';

/** A position `[lon, lat]` in degrees (WGS 84). */
export type LonLat = [number, number];

/** A position `[x, y]` in metres in a local east-north frame. */
export type XY = [number, number];

/**
 * One MAVLink mission item (MISSION_ITEM_INT without sequence numbers).
 *
 * @example
 * const wp: MissionItem = { command: 16, frame: 3, param1: 2, param2: 0, param3: 0, param4: NaN,
 *   position: [120.0, 30.3], altM: 60, autocontinue: true };
 */
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

/**
 * What one vehicle upload holds: the mission, its fence and its rally points.
 *
 * @example
 * const set: MissionSet = { mission: [], fence: [], rally: [] };
 */
export interface MissionSet {
  mission: MissionItem[];
  fence: MissionItem[];
  rally: MissionItem[];
}
