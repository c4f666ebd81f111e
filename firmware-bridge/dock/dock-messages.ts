/**
 * The dock dialect (dock.xml) as node-mavlink message classes, written with node-mavlink's own
 * API (`MavLinkData` subclasses with FIELDS, MSG_ID, MAGIC_NUMBER). Register
 * {@link DOCK_MESSAGES} with the link's registry: `createMessageRegistry({ extra: DOCK_MESSAGES })`.
 * CRC_EXTRA is computed from the field list the way the spec's generator does (tests recompute
 * it from dock.xml).
 */
import { MavLinkData, MavLinkPacketField } from 'node-mavlink';
import type { MessageClass } from '../codec/message-registry';

export const DOCK_ROOF_STATE = { CLOSED: 0, OPENING: 1, OPEN: 2, CLOSING: 3, FAULT: 4 } as const;
export type DockRoofState = 'closed' | 'opening' | 'open' | 'closing' | 'fault';
export const DOCK_CHARGER_STATE = { IDLE: 0, CHARGING: 1, FULL: 2, FAULT: 3 } as const;
export type DockChargerState = 'idle' | 'charging' | 'full' | 'fault';

export const DOCK_ALARM = {
  ROOF_FAULT: 1,
  CHARGER_FAULT: 2,
  HIGH_WIND: 4,
  RAIN: 8,
  TEMPERATURE: 16,
  INTRUSION: 32,
  POWER: 64,
} as const;
export type DockAlarm = Lowercase<keyof typeof DOCK_ALARM>;

/** MAV_CMD ids of the dock dialect (COMMAND_LONG to the dock's system id, component 1). */
export const MAV_CMD_DOCK = { SET_ROOF: 42700, SET_CHARGER: 42701, RESET: 42702 } as const;

/** DOCK_STATUS (53200): dock state at 1 Hz. */
export class DockStatus extends MavLinkData {
  static override MSG_ID = 53200;
  static override MSG_NAME = 'DOCK_STATUS';
  static override PAYLOAD_LENGTH = 23;
  static override MAGIC_NUMBER = 225;
  static override FIELDS = [
    new MavLinkPacketField('time_boot_ms', 'timeBootMs', 0, false, 4, 'uint32_t', 'ms'),
    new MavLinkPacketField('alarms', 'alarms', 4, false, 4, 'uint32_t', ''),
    new MavLinkPacketField('wind_speed', 'windSpeed', 8, false, 4, 'float', 'm/s'),
    new MavLinkPacketField('temperature', 'temperature', 12, false, 4, 'float', 'degC'),
    new MavLinkPacketField('roof_state', 'roofState', 16, false, 1, 'uint8_t', ''),
    new MavLinkPacketField('roof_position', 'roofPosition', 17, false, 1, 'uint8_t', '%'),
    new MavLinkPacketField('charger_state', 'chargerState', 18, false, 1, 'uint8_t', ''),
    new MavLinkPacketField('drone_present', 'dronePresent', 19, false, 1, 'uint8_t', ''),
    new MavLinkPacketField('drone_system_id', 'droneSystemId', 20, false, 1, 'uint8_t', ''),
    new MavLinkPacketField(
      'drone_battery_remaining',
      'droneBatteryRemaining',
      21,
      false,
      1,
      'int8_t',
      '%',
    ),
    new MavLinkPacketField('rain', 'rain', 22, false, 1, 'uint8_t', ''),
  ];
  timeBootMs = 0;
  alarms = 0;
  /** m/s */
  windSpeed = 0;
  /** °C */
  temperature = 0;
  roofState = 0;
  /** % travel, 0 closed .. 100 open */
  roofPosition = 0;
  chargerState = 0;
  dronePresent = 0;
  droneSystemId = 0;
  /** %, -1 unknown */
  droneBatteryRemaining = -1;
  /** 0 none, 1 light, 2 heavy */
  rain = 0;
}

/** Every class of the dock dialect, for `createMessageRegistry({ extra })`. */
export const DOCK_MESSAGES: readonly MessageClass[] = [DockStatus];

/** The dock state as the bridge reports it. */
export interface DockState {
  dockSystemId: number;
  roof: DockRoofState;
  /** 0 closed .. 100 open. */
  roofPositionPct: number;
  charger: DockChargerState;
  dronePresent: boolean;
  droneSystemId: number;
  /** null when unknown. */
  droneBatteryPct: number | null;
  windMps: number;
  rain: 'none' | 'light' | 'heavy';
  temperatureC: number;
  alarms: DockAlarm[];
  /** Dock clock, ms since its boot. */
  timeBootMs: number;
}

const ROOF: readonly DockRoofState[] = ['closed', 'opening', 'open', 'closing', 'fault'];
const CHARGER: readonly DockChargerState[] = ['idle', 'charging', 'full', 'fault'];
const RAIN = ['none', 'light', 'heavy'] as const;

/**
 * Reads a DOCK_STATUS into a {@link DockState}.
 *
 * @example
 * const state = dockStateFrom(frame.systemId, frame.message as DockStatus);
 */
export function dockStateFrom(dockSystemId: number, m: DockStatus): DockState {
  const alarms = (Object.entries(DOCK_ALARM) as [keyof typeof DOCK_ALARM, number][])
    .filter(([, bit]) => (m.alarms & bit) !== 0)
    .map(([name]) => name.toLowerCase() as DockAlarm);
  return {
    dockSystemId,
    roof: ROOF[m.roofState] ?? 'fault',
    roofPositionPct: m.roofPosition,
    charger: CHARGER[m.chargerState] ?? 'fault',
    dronePresent: m.dronePresent !== 0,
    droneSystemId: m.droneSystemId,
    droneBatteryPct: m.droneBatteryRemaining < 0 ? null : m.droneBatteryRemaining,
    windMps: m.windSpeed,
    rain: RAIN[m.rain] ?? 'heavy',
    temperatureC: m.temperature,
    alarms,
    timeBootMs: m.timeBootMs,
  };
}
