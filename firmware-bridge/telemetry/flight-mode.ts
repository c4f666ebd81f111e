/**
 * Flight-mode names for ArduPilot (Copter and Plane custom modes) and PX4 (main/sub modes packed
 * into `custom_mode`), both ways: HEARTBEAT → name, and name → (base_mode, custom_mode) for
 * MAV_CMD_DO_SET_MODE / SET_MODE.
 */

/** MAV_AUTOPILOT values this module decodes. */
export const MAV_AUTOPILOT_ARDUPILOTMEGA = 3;
export const MAV_AUTOPILOT_PX4 = 12;
/** MAV_MODE_FLAG bits: custom mode valid; motors armed. */
export const MAV_MODE_FLAG_CUSTOM_MODE_ENABLED = 1;
export const MAV_MODE_FLAG_SAFETY_ARMED = 128;

/** ArduCopter `custom_mode` values (ArduCopter/mode.h). */
export const ARDUCOPTER_MODES: Readonly<Record<number, string>> = {
  0: 'STABILIZE',
  1: 'ACRO',
  2: 'ALT_HOLD',
  3: 'AUTO',
  4: 'GUIDED',
  5: 'LOITER',
  6: 'RTL',
  7: 'CIRCLE',
  9: 'LAND',
  11: 'DRIFT',
  13: 'SPORT',
  14: 'FLIP',
  15: 'AUTOTUNE',
  16: 'POSHOLD',
  17: 'BRAKE',
  18: 'THROW',
  19: 'AVOID_ADSB',
  20: 'GUIDED_NOGPS',
  21: 'SMART_RTL',
  22: 'FLOWHOLD',
  23: 'FOLLOW',
  24: 'ZIGZAG',
  25: 'SYSTEMID',
  26: 'AUTOROTATE',
  27: 'AUTO_RTL',
  28: 'TURTLE',
};

/** ArduPlane `custom_mode` values (ArduPlane/mode.h). */
export const ARDUPLANE_MODES: Readonly<Record<number, string>> = {
  0: 'MANUAL',
  1: 'CIRCLE',
  2: 'STABILIZE',
  3: 'TRAINING',
  4: 'ACRO',
  5: 'FBWA',
  6: 'FBWB',
  7: 'CRUISE',
  8: 'AUTOTUNE',
  10: 'AUTO',
  11: 'RTL',
  12: 'LOITER',
  13: 'TAKEOFF',
  14: 'AVOID_ADSB',
  15: 'GUIDED',
  17: 'QSTABILIZE',
  18: 'QHOVER',
  19: 'QLOITER',
  20: 'QLAND',
  21: 'QRTL',
  22: 'QAUTOTUNE',
  23: 'QACRO',
  24: 'THERMAL',
  25: 'LOITER_ALT_QLAND',
};

/** PX4 main modes (px4_custom_mode.h), `custom_mode` bits 16..23. */
export const PX4_MAIN_MODES: Readonly<Record<number, string>> = {
  1: 'MANUAL',
  2: 'ALTCTL',
  3: 'POSCTL',
  4: 'AUTO',
  5: 'ACRO',
  6: 'OFFBOARD',
  7: 'STABILIZED',
  8: 'RATTITUDE',
};

/** PX4 AUTO sub modes, `custom_mode` bits 24..31. */
export const PX4_AUTO_SUB_MODES: Readonly<Record<number, string>> = {
  1: 'READY',
  2: 'TAKEOFF',
  3: 'LOITER',
  4: 'MISSION',
  5: 'RTL',
  6: 'LAND',
  8: 'FOLLOW_TARGET',
  9: 'PRECLAND',
  10: 'VTOL_TAKEOFF',
};

/** MAV_TYPE values ArduPlane reports (fixed wing and the VTOL family). */
const PLANE_TYPES = new Set([1, 19, 20, 21, 22, 23, 24, 25]);

function modeTable(
  autopilot: number,
  mavType: number,
): Readonly<Record<number, string>> | undefined {
  if (autopilot !== MAV_AUTOPILOT_ARDUPILOTMEGA) return undefined;
  return PLANE_TYPES.has(mavType) ? ARDUPLANE_MODES : ARDUCOPTER_MODES;
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
    if (main !== 4) return mainName;
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
    const [mainPart, subPart] = wanted.split('.');
    const main = Object.entries(PX4_MAIN_MODES).find(([, n]) => n === mainPart);
    if (!main) return undefined;
    const mainMode = Number(main[0]);
    let subMode = 0;
    if (subPart !== undefined) {
      if (mainMode !== 4) return undefined;
      const sub = Object.entries(PX4_AUTO_SUB_MODES).find(([, n]) => n === subPart);
      if (!sub) return undefined;
      subMode = Number(sub[0]);
    }
    return {
      baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
      customMode: ((subMode << 24) | (mainMode << 16)) >>> 0,
      px4MainMode: mainMode,
      px4SubMode: subMode,
    };
  }
  const table = modeTable(autopilot, mavType);
  if (!table) return undefined;
  const hit = Object.entries(table).find(([, n]) => n === wanted);
  if (!hit) return undefined;
  return {
    baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
    customMode: Number(hit[0]),
    px4MainMode: undefined,
    px4SubMode: undefined,
  };
}
