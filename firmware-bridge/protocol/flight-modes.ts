/**
 * Flight modes by name for ArduPilot Copter (custom_mode numbers) and PX4 (main/sub modes packed
 * into custom_mode as PX4 does: main << 16 | sub << 24), both directions.
 */

/** MAV_AUTOPILOT values we tell apart. */
export type AutopilotKind = 'ardupilot' | 'px4' | 'generic';

/**
 * MAV_AUTOPILOT (HEARTBEAT.autopilot) to our autopilot kind.
 *
 * @example
 * autopilotKind(3); // 'ardupilot'
 */
export function autopilotKind(mavAutopilot: number): AutopilotKind {
  return mavAutopilot === 3 ? 'ardupilot' : mavAutopilot === 12 ? 'px4' : 'generic';
}

/** ArduCopter custom modes (ArduCopter/mode.h `Mode::Number`). */
export const COPTER_MODE_NUMBERS = {
  STABILIZE: 0,
  ACRO: 1,
  ALT_HOLD: 2,
  AUTO: 3,
  GUIDED: 4,
  LOITER: 5,
  RTL: 6,
  CIRCLE: 7,
  LAND: 9,
  DRIFT: 11,
  SPORT: 13,
  FLIP: 14,
  AUTOTUNE: 15,
  POSHOLD: 16,
  BRAKE: 17,
  THROW: 18,
  AVOID_ADSB: 19,
  GUIDED_NOGPS: 20,
  SMART_RTL: 21,
  FLOWHOLD: 22,
  FOLLOW: 23,
  ZIGZAG: 24,
  SYSTEMID: 25,
  AUTOROTATE: 26,
  AUTO_RTL: 27,
} as const;

export type ArduCopterModeName = keyof typeof COPTER_MODE_NUMBERS;

/** PX4 main modes (px4_custom_mode.h). */
export const PX4_MAIN_MODE_NUMBERS = {
  MANUAL: 1,
  ALTCTL: 2,
  POSCTL: 3,
  AUTO: 4,
  ACRO: 5,
  OFFBOARD: 6,
  STABILIZED: 7,
  RATTITUDE: 8,
} as const;

/** PX4 AUTO sub modes (px4_custom_mode.h). */
export const PX4_AUTO_SUB_MODE_NUMBERS = {
  READY: 1,
  TAKEOFF: 2,
  LOITER: 3,
  MISSION: 4,
  RTL: 5,
  LAND: 6,
  RTGS: 7,
  FOLLOW_TARGET: 8,
  PRECLAND: 9,
} as const;

/** Common names mapped onto PX4 (main, sub); names as QGC shows them where they differ. */
const PX4_NAMED: Record<string, { main: number; sub: number }> = {
  MANUAL: { main: 1, sub: 0 },
  ALTCTL: { main: 2, sub: 0 },
  ALT_HOLD: { main: 2, sub: 0 },
  POSCTL: { main: 3, sub: 0 },
  POSHOLD: { main: 3, sub: 0 },
  ACRO: { main: 5, sub: 0 },
  OFFBOARD: { main: 6, sub: 0 },
  GUIDED: { main: 6, sub: 0 },
  STABILIZED: { main: 7, sub: 0 },
  STABILIZE: { main: 7, sub: 0 },
  READY: { main: 4, sub: 1 },
  TAKEOFF: { main: 4, sub: 2 },
  LOITER: { main: 4, sub: 3 },
  HOLD: { main: 4, sub: 3 },
  BRAKE: { main: 4, sub: 3 },
  AUTO: { main: 4, sub: 4 },
  MISSION: { main: 4, sub: 4 },
  RTL: { main: 4, sub: 5 },
  LAND: { main: 4, sub: 6 },
  PRECLAND: { main: 4, sub: 9 },
};

/** What DO_SET_MODE needs: param1 base mode flag, param2 custom (main) mode, param3 sub mode. */
export interface ModeCommand {
  /** MAV_MODE_FLAG_CUSTOM_MODE_ENABLED (1). */
  baseMode: number;
  customMode: number;
  subMode: number;
  /** The HEARTBEAT.custom_mode value that confirms the mode. */
  heartbeatCustomMode: number;
}

/**
 * The DO_SET_MODE parameters for `name` on `autopilot`, or undefined when the name is unknown.
 * Names are case-insensitive.
 *
 * @example
 * modeCommand('ardupilot', 'guided'); // { baseMode: 1, customMode: 4, subMode: 0, heartbeatCustomMode: 4 }
 * modeCommand('px4', 'RTL'); // { baseMode: 1, customMode: 4, subMode: 5, heartbeatCustomMode: 0x05040000 }
 */
export function modeCommand(autopilot: AutopilotKind, name: string): ModeCommand | undefined {
  const key = name.trim().toUpperCase();
  if (autopilot === 'px4') {
    const m = PX4_NAMED[key];
    if (!m) return undefined;
    return {
      baseMode: 1,
      customMode: m.main,
      subMode: m.sub,
      heartbeatCustomMode: ((m.main << 16) | (m.sub << 24)) >>> 0,
    };
  }
  const custom = (COPTER_MODE_NUMBERS as Record<string, number>)[key];
  if (custom === undefined) return undefined;
  return { baseMode: 1, customMode: custom, subMode: 0, heartbeatCustomMode: custom };
}

/**
 * The mode name for a HEARTBEAT custom_mode, or `MODE_<n>` when unknown.
 *
 * @example
 * modeName('ardupilot', 6); // 'RTL'
 */
export function modeName(autopilot: AutopilotKind, customMode: number): string {
  if (autopilot === 'px4') {
    const main = (customMode >>> 16) & 0xff;
    const sub = (customMode >>> 24) & 0xff;
    if (main === 4) {
      const s = Object.entries(PX4_AUTO_SUB_MODE_NUMBERS).find(([, v]) => v === sub);
      return s ? (s[0] === 'MISSION' ? 'AUTO' : s[0]) : `AUTO_${sub}`;
    }
    const m = Object.entries(PX4_MAIN_MODE_NUMBERS).find(([, v]) => v === main);
    return m ? m[0] : `MODE_${customMode}`;
  }
  const a = Object.entries(COPTER_MODE_NUMBERS).find(([, v]) => v === customMode);
  return a ? a[0] : `MODE_${customMode}`;
}
