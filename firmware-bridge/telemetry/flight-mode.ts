/**
 * The one table of flight modes in the bridge: ArduPilot (Copter and Plane custom modes) and PX4
 * (main/sub modes packed into `custom_mode` as PX4 does: main << 16 | sub << 24), both ways —
 * HEARTBEAT → name, and name → (base_mode, custom_mode) for MAV_CMD_DO_SET_MODE / SET_MODE.
 *
 * The tables are written name → number (so their keys are literal types); the number → name
 * views ({@link ARDUCOPTER_MODES}…) are derived from them. `protocol/flight-modes.ts` (the
 * command side: `modeCommand`, `modeName`) reads the same tables.
 */

/** MAV_AUTOPILOT values this module decodes. */
export const MAV_AUTOPILOT_ARDUPILOTMEGA = 3;
export const MAV_AUTOPILOT_PX4 = 12;
/** MAV_MODE_FLAG bits: custom mode valid; motors armed. */
export const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;
export const MAV_MODE_FLAG_SAFETY_ARMED = 128;

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
  TURTLE: 28,
} as const;

/** An ArduCopter mode name. */
export type ArduCopterModeName = keyof typeof COPTER_MODE_NUMBERS;

/** ArduPlane custom modes (ArduPlane/mode.h `Mode::Number`). */
export const PLANE_MODE_NUMBERS = {
  MANUAL: 0,
  CIRCLE: 1,
  STABILIZE: 2,
  TRAINING: 3,
  ACRO: 4,
  FBWA: 5,
  FBWB: 6,
  CRUISE: 7,
  AUTOTUNE: 8,
  AUTO: 10,
  RTL: 11,
  LOITER: 12,
  TAKEOFF: 13,
  AVOID_ADSB: 14,
  GUIDED: 15,
  QSTABILIZE: 17,
  QHOVER: 18,
  QLOITER: 19,
  QLAND: 20,
  QRTL: 21,
  QAUTOTUNE: 22,
  QACRO: 23,
  THERMAL: 24,
  LOITER_ALT_QLAND: 25,
} as const;

/** PX4 main modes (px4_custom_mode.h), `custom_mode` bits 16..23. */
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

/**
 * PX4 AUTO sub modes (px4_custom_mode.h), `custom_mode` bits 24..31. 7 was RTGS in older PX4
 * releases and is reserved in newer ones.
 */
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
  VTOL_TAKEOFF: 10,
} as const;

function byNumber(table: Readonly<Record<string, number>>): Readonly<Record<number, string>> {
  return Object.freeze(Object.fromEntries(Object.entries(table).map(([name, n]) => [n, name])));
}

/** ArduCopter `custom_mode` → name (derived from {@link COPTER_MODE_NUMBERS}). */
export const ARDUCOPTER_MODES: Readonly<Record<number, string>> = byNumber(COPTER_MODE_NUMBERS);
/** ArduPlane `custom_mode` → name (derived from {@link PLANE_MODE_NUMBERS}). */
export const ARDUPLANE_MODES: Readonly<Record<number, string>> = byNumber(PLANE_MODE_NUMBERS);
/** PX4 main mode → name (derived from {@link PX4_MAIN_MODE_NUMBERS}). */
export const PX4_MAIN_MODES: Readonly<Record<number, string>> = byNumber(PX4_MAIN_MODE_NUMBERS);
/** PX4 AUTO sub mode → name (derived from {@link PX4_AUTO_SUB_MODE_NUMBERS}). */
export const PX4_AUTO_SUB_MODES: Readonly<Record<number, string>> =
  byNumber(PX4_AUTO_SUB_MODE_NUMBERS);

/** PX4 AUTO main mode number, whose sub mode names the mode. */
export const PX4_MAIN_MODE_AUTO = PX4_MAIN_MODE_NUMBERS.AUTO;

/** MAV_TYPE values ArduPlane reports (fixed wing and the VTOL family). */
const PLANE_TYPES = new Set([1, 19, 20, 21, 22, 23, 24, 25]);

/**
 * The ArduPilot mode table for a vehicle type: Plane for fixed wings and VTOLs, else Copter.
 *
 * @example
 * arduPilotModeNumbers(1).AUTO; // 10 (ArduPlane)
 * arduPilotModeNumbers(2).AUTO; // 3 (ArduCopter)
 */
export function arduPilotModeNumbers(mavType: number): Readonly<Record<string, number>> {
  return PLANE_TYPES.has(mavType) ? PLANE_MODE_NUMBERS : COPTER_MODE_NUMBERS;
}

function modeTable(
  autopilot: number,
  mavType: number,
): Readonly<Record<number, string>> | undefined {
  if (autopilot !== MAV_AUTOPILOT_ARDUPILOTMEGA) return undefined;
  return PLANE_TYPES.has(mavType) ? ARDUPLANE_MODES : ARDUCOPTER_MODES;
}

/** Own-property lookup, so `constructor` or `toString` are never mode names. */
function lookup(table: Readonly<Record<string, number>>, name: string): number | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * PX4 (main, sub) packed into `custom_mode` as PX4 reports it in HEARTBEAT.
 *
 * @example
 * px4CustomMode(4, 4); // 0x04040000 (AUTO.MISSION)
 */
export function px4CustomMode(mainMode: number, subMode: number): number {
  return ((subMode << 24) | (mainMode << 16)) >>> 0;
}

/**
 * The mode name a HEARTBEAT reports: `GUIDED`, `AUTO` (ArduPilot) or `AUTO.MISSION`, `POSCTL`
 * (PX4); `CUSTOM_<n>` for values outside the tables and `UNKNOWN` without custom mode.
 *
 * @example
 * decodeFlightMode(3, 2, 217, 4); // 'GUIDED'
 * decodeFlightMode(12, 2, 157, 0x04040000); // 'AUTO.MISSION'
 */
export function decodeFlightMode(
  autopilot: number,
  mavType: number,
  baseMode: number,
  customMode: number,
): string {
  if ((baseMode & MAV_MODE_FLAG_CUSTOM_MODE_ENABLED) === 0) return 'UNKNOWN';
  if (autopilot === MAV_AUTOPILOT_PX4) {
    const main = (customMode >>> 16) & 0xff;
    const sub = (customMode >>> 24) & 0xff;
    const mainName = PX4_MAIN_MODES[main];
    if (!mainName) return `CUSTOM_${customMode >>> 0}`;
    if (main !== PX4_MAIN_MODE_AUTO) return mainName;
    const subName = PX4_AUTO_SUB_MODES[sub];
    return subName ? `AUTO.${subName}` : `AUTO.${sub}`;
  }
  const table = modeTable(autopilot, mavType);
  return table?.[customMode] ?? `CUSTOM_${customMode >>> 0}`;
}

/**
 * `(base_mode, custom_mode)` for a mode name, for MAV_CMD_DO_SET_MODE (param1, param2, param3 =
 * PX4 sub mode) — or undefined if the autopilot has no such mode.
 *
 * @example
 * encodeFlightMode(3, 2, 'RTL'); // { baseMode: 1, customMode: 6, px4MainMode: undefined, px4SubMode: undefined }
 * encodeFlightMode(12, 2, 'AUTO.MISSION'); // { baseMode: 1, customMode: 0x04040000, px4MainMode: 4, px4SubMode: 4 }
 */
export function encodeFlightMode(
  autopilot: number,
  mavType: number,
  name: string,
):
  | {
      baseMode: number;
      customMode: number;
      px4MainMode: number | undefined;
      px4SubMode: number | undefined;
    }
  | undefined {
  const wanted = name.toUpperCase();
  if (autopilot === MAV_AUTOPILOT_PX4) {
    const [mainPart = '', subPart] = wanted.split('.');
    const mainMode = lookup(PX4_MAIN_MODE_NUMBERS, mainPart);
    if (mainMode === undefined) return undefined;
    let subMode = 0;
    if (subPart !== undefined) {
      if (mainMode !== PX4_MAIN_MODE_AUTO) return undefined;
      const sub = lookup(PX4_AUTO_SUB_MODE_NUMBERS, subPart);
      if (sub === undefined) return undefined;
      subMode = sub;
    }
    return {
      baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
      customMode: px4CustomMode(mainMode, subMode),
      px4MainMode: mainMode,
      px4SubMode: subMode,
    };
  }
  if (autopilot !== MAV_AUTOPILOT_ARDUPILOTMEGA) return undefined;
  const customMode = lookup(arduPilotModeNumbers(mavType), wanted);
  if (customMode === undefined) return undefined;
  return {
    baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
    customMode,
    px4MainMode: undefined,
    px4SubMode: undefined,
  };
}
