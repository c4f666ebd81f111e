/**
 * Flight modes on the command side: mode names → DO_SET_MODE parameters and the HEARTBEAT
 * `custom_mode` that confirms them, for ArduCopter and PX4. The numbers come from the bridge's
 * one mode table, `telemetry/flight-mode.ts`; this file adds only the QGC-style PX4 aliases
 * (`HOLD`, `MISSION`, `GUIDED`…) and the short names `modeName` prints (`AUTO`, not `AUTO.MISSION`).
 */
import {
  COPTER_MODE_NUMBERS,
  MAV_AUTOPILOT_ARDUPILOTMEGA,
  MAV_AUTOPILOT_PX4,
  MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
  PX4_AUTO_SUB_MODES,
  PX4_AUTO_SUB_MODE_NUMBERS,
  PX4_MAIN_MODES,
  PX4_MAIN_MODE_AUTO,
  PX4_MAIN_MODE_NUMBERS,
  ARDUCOPTER_MODES,
  px4CustomMode,
} from '../telemetry/flight-mode';

export {
  COPTER_MODE_NUMBERS,
  PX4_AUTO_SUB_MODE_NUMBERS,
  PX4_MAIN_MODE_NUMBERS,
  type ArduCopterModeName,
} from '../telemetry/flight-mode';

/** MAV_AUTOPILOT values we tell apart. */
export type AutopilotKind = 'ardupilot' | 'px4' | 'generic';

/**
 * MAV_AUTOPILOT (HEARTBEAT.autopilot) to our autopilot kind.
 *
 * @example
 * autopilotKind(3); // 'ardupilot'
 */
export function autopilotKind(mavAutopilot: number): AutopilotKind {
  return mavAutopilot === MAV_AUTOPILOT_ARDUPILOTMEGA
    ? 'ardupilot'
    : mavAutopilot === MAV_AUTOPILOT_PX4
      ? 'px4'
      : 'generic';
}

const MAIN = PX4_MAIN_MODE_NUMBERS;
const SUB = PX4_AUTO_SUB_MODE_NUMBERS;

/** Names accepted for PX4: its own main modes, AUTO sub modes, and the names QGC shows. */
const PX4_NAMED: Readonly<Record<string, { main: number; sub: number }>> = {
  MANUAL: { main: MAIN.MANUAL, sub: 0 },
  ALTCTL: { main: MAIN.ALTCTL, sub: 0 },
  ALT_HOLD: { main: MAIN.ALTCTL, sub: 0 },
  POSCTL: { main: MAIN.POSCTL, sub: 0 },
  POSHOLD: { main: MAIN.POSCTL, sub: 0 },
  ACRO: { main: MAIN.ACRO, sub: 0 },
  OFFBOARD: { main: MAIN.OFFBOARD, sub: 0 },
  GUIDED: { main: MAIN.OFFBOARD, sub: 0 },
  STABILIZED: { main: MAIN.STABILIZED, sub: 0 },
  STABILIZE: { main: MAIN.STABILIZED, sub: 0 },
  READY: { main: MAIN.AUTO, sub: SUB.READY },
  TAKEOFF: { main: MAIN.AUTO, sub: SUB.TAKEOFF },
  LOITER: { main: MAIN.AUTO, sub: SUB.LOITER },
  HOLD: { main: MAIN.AUTO, sub: SUB.LOITER },
  BRAKE: { main: MAIN.AUTO, sub: SUB.LOITER },
  AUTO: { main: MAIN.AUTO, sub: SUB.MISSION },
  MISSION: { main: MAIN.AUTO, sub: SUB.MISSION },
  RTL: { main: MAIN.AUTO, sub: SUB.RTL },
  LAND: { main: MAIN.AUTO, sub: SUB.LAND },
  PRECLAND: { main: MAIN.AUTO, sub: SUB.PRECLAND },
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
 * Names are case-insensitive. ArduPilot names are ArduCopter's (the fleet flies copters).
 *
 * @example
 * modeCommand('ardupilot', 'guided'); // { baseMode: 1, customMode: 4, subMode: 0, heartbeatCustomMode: 4 }
 * modeCommand('px4', 'RTL'); // { baseMode: 1, customMode: 4, subMode: 5, heartbeatCustomMode: 0x05040000 }
 */
export function modeCommand(autopilot: AutopilotKind, name: string): ModeCommand | undefined {
  const key = name.trim().toUpperCase();
  if (autopilot === 'px4') {
    const m = Object.hasOwn(PX4_NAMED, key) ? PX4_NAMED[key] : undefined;
    if (!m) return undefined;
    return {
      baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
      customMode: m.main,
      subMode: m.sub,
      heartbeatCustomMode: px4CustomMode(m.main, m.sub),
    };
  }
  if (!Object.hasOwn(COPTER_MODE_NUMBERS, key)) return undefined;
  const custom = COPTER_MODE_NUMBERS[key as keyof typeof COPTER_MODE_NUMBERS];
  return {
    baseMode: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
    customMode: custom,
    subMode: 0,
    heartbeatCustomMode: custom,
  };
}

/**
 * The short mode name for a HEARTBEAT custom_mode (`AUTO` for PX4's AUTO.MISSION, `RTL` for
 * AUTO.RTL), or `MODE_<n>` when unknown. Telemetry's `decodeFlightMode` gives the full names.
 *
 * @example
 * modeName('ardupilot', 6); // 'RTL'
 * modeName('px4', 0x04040000); // 'AUTO'
 */
export function modeName(autopilot: AutopilotKind, customMode: number): string {
  if (autopilot === 'px4') {
    const main = (customMode >>> 16) & 0xff;
    const sub = (customMode >>> 24) & 0xff;
    if (main === PX4_MAIN_MODE_AUTO) {
      const s = PX4_AUTO_SUB_MODES[sub];
      return s ? (s === 'MISSION' ? 'AUTO' : s) : `AUTO_${sub}`;
    }
    return PX4_MAIN_MODES[main] ?? `MODE_${customMode}`;
  }
  return ARDUCOPTER_MODES[customMode] ?? `MODE_${customMode}`;
}
