/**
 * Conversion between the bridge's {@link MissionItem} (`[lon, lat]` degrees) and the wire's
 * MISSION_ITEM_INT (degE7 integers, lat in x, lon in y). MISSION_ITEM (float degrees) is
 * accepted on receive because some vehicles still send it. Also the mission-protocol messages
 * both transfer directions send (MISSION_ACK, MISSION_REQUEST_LIST) and the filter for replies.
 */
import { common } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import type { MissionItem, MissionType } from '../mission-item';
import { isAddressedTo } from './target';

/** MAV_MISSION_TYPE by name. */
export const MISSION_TYPE_ID: Record<MissionType, number> = { mission: 0, fence: 1, rally: 2 };

/**
 * Returns the bridge's mission type name for a MAV_MISSION_TYPE value, or undefined.
 *
 * @example
 * missionTypeName(1); // 'fence'
 */
export function missionTypeName(id: number): MissionType | undefined {
  return id === 0 ? 'mission' : id === 1 ? 'fence' : id === 2 ? 'rally' : undefined;
}

/**
 * Builds the MISSION_ITEM_INT for `item` at `seq`.
 *
 * @example
 * const msg = toMissionItemInt(item, 3, 'mission', { systemId: 1, componentId: 1 });
 */
export function toMissionItemInt(
  item: MissionItem,
  seq: number,
  missionType: MissionType,
  target: { systemId: number; componentId: number },
): common.MissionItemInt {
  const msg = new common.MissionItemInt();
  msg.targetSystem = target.systemId;
  msg.targetComponent = target.componentId;
  msg.seq = seq;
  msg.frame = item.frame;
  msg.command = item.command;
  msg.current = 0;
  msg.autocontinue = item.autocontinue ? 1 : 0;
  msg.param1 = item.param1;
  msg.param2 = item.param2;
  msg.param3 = item.param3;
  msg.param4 = item.param4;
  msg.x = item.position ? Math.round(item.position[1] * 1e7) : 0;
  msg.y = item.position ? Math.round(item.position[0] * 1e7) : 0;
  msg.z = item.altM;
  msg.missionType = MISSION_TYPE_ID[missionType];
  return msg;
}

/** A received item with its sequence number and mission type. */
export interface WireMissionItem {
  seq: number;
  missionType: number;
  item: MissionItem;
}

/**
 * Reads a MISSION_ITEM_INT or MISSION_ITEM into a {@link MissionItem}; undefined for other messages.
 * `x = y = 0` on the wire means "no position".
 *
 * @example
 * const got = fromMissionItem(frame.message); // { seq, missionType, item }
 */
export function fromMissionItem(message: MavLinkData): WireMissionItem | undefined {
  if (message instanceof common.MissionItemInt) {
    const position: [number, number] | null =
      message.x === 0 && message.y === 0 ? null : [message.y / 1e7, message.x / 1e7];
    return {
      seq: message.seq,
      missionType: message.missionType ?? 0,
      item: base(message, position),
    };
  }
  if (message instanceof common.MissionItem) {
    const position: [number, number] | null =
      message.x === 0 && message.y === 0 ? null : [message.y, message.x];
    return {
      seq: message.seq,
      missionType: message.missionType ?? 0,
      item: base(message, position),
    };
  }
  return undefined;
}

function base(
  m: common.MissionItemInt | common.MissionItem,
  position: [number, number] | null,
): MissionItem {
  return {
    command: m.command,
    frame: m.frame,
    param1: m.param1,
    param2: m.param2,
    param3: m.param3,
    param4: m.param4,
    position,
    altM: m.z,
    autocontinue: m.autocontinue !== 0,
  };
}

/** Tolerances of {@link sameMissionItem}: degE7 rounding and float32 params/altitude. */
const POSITION_TOLERANCE_DEG = 1.5e-7;

/**
 * True when two items are equal as the wire can carry them (degE7 positions, float32 numbers).
 *
 * @example
 * sameMissionItem(sent, downloaded); // true after a lossless round trip
 */
export function sameMissionItem(a: MissionItem, b: MissionItem): boolean {
  if (a.command !== b.command || a.frame !== b.frame || a.autocontinue !== b.autocontinue)
    return false;
  const f32 = (x: number, y: number): boolean =>
    (Number.isNaN(x) && Number.isNaN(y)) || Math.fround(x) === Math.fround(y);
  if (!f32(a.param1, b.param1) || !f32(a.param2, b.param2)) return false;
  if (!f32(a.param3, b.param3) || !f32(a.param4, b.param4) || !f32(a.altM, b.altM)) return false;
  if (a.position === null || b.position === null) return a.position === b.position;
  return (
    Math.abs(a.position[0] - b.position[0]) <= POSITION_TOLERANCE_DEG &&
    Math.abs(a.position[1] - b.position[1]) <= POSITION_TOLERANCE_DEG
  );
}

/** Frames that mean the same altitude reference (the _INT variants are the same frame). */
const FRAME_CLASS: Readonly<Record<number, number>> = { 5: 0, 6: 3, 11: 10 };
const frameClass = (frame: number): number => FRAME_CLASS[frame] ?? frame;

/**
 * True when `stored` (downloaded from an ArduPilot vehicle) is what ArduPilot keeps of `sent`.
 * ArduPilot stores per command only the parameters it uses and answers 0 for the others (a
 * copter waypoint's acceptance radius, a NaN yaw), keeps altitudes in centimetres, does not keep
 * `autocontinue` (1 for mission items, 0 for fence and rally points, as ArduCopter SITL answers),
 * and reports frames GLOBAL / GLOBAL_RELATIVE_ALT / TERRAIN
 * (AP_Mission::mission_cmd_to_mavlink_int). Commands, positions and altitudes must match; a
 * parameter must match unless the vehicle answers 0 for it.
 *
 * @example
 * sameAsStoredByArduPilot({ ...wp, param2: 2, param4: NaN }, { ...wp, param2: 0, param4: 0 }); // true
 */
export function sameAsStoredByArduPilot(sent: MissionItem, stored: MissionItem): boolean {
  if (sent.command !== stored.command) return false;
  const param = (x: number, y: number): boolean =>
    y === 0 || (Number.isNaN(x) && Number.isNaN(y)) || Math.fround(x) === Math.fround(y);
  if (!param(sent.param1, stored.param1) || !param(sent.param2, stored.param2)) return false;
  if (!param(sent.param3, stored.param3) || !param(sent.param4, stored.param4)) return false;
  if (sent.position === null || stored.position === null) {
    if (sent.position !== stored.position) return false;
    // No position: the frame means nothing, and z is a parameter like the others.
    return param(sent.altM, stored.altM);
  }
  if (frameClass(sent.frame) !== frameClass(stored.frame)) return false;
  return (
    Math.abs(sent.position[0] - stored.position[0]) <= POSITION_TOLERANCE_DEG &&
    Math.abs(sent.position[1] - stored.position[1]) <= POSITION_TOLERANCE_DEG &&
    Math.abs(sent.altM - stored.altM) <= 0.005 + 1e-6
  );
}

/**
 * Index of the first differing item between two lists, or -1 when they are equal on the wire
 * (`storedBy: 'ardupilot'`: when `b` is what an ArduPilot vehicle keeps of `a`, see
 * {@link sameAsStoredByArduPilot}).
 *
 * @example
 * firstMismatch(sent, downloaded); // -1
 */
export function firstMismatch(
  a: readonly MissionItem[],
  b: readonly MissionItem[],
  options: { storedBy?: 'ardupilot' } = {},
): number {
  const same = options.storedBy === 'ardupilot' ? sameAsStoredByArduPilot : sameMissionItem;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || !same(x, y)) return i;
  }
  return -1;
}

/**
 * Builds a MISSION_ACK of `result` (MAV_MISSION_RESULT) for `missionType`; we have no plan ids,
 * so `opaque_id` is 0.
 *
 * @example
 * endpoint.send(missionAck(target, 'fence', common.MavMissionResult.ACCEPTED));
 */
export function missionAck(
  target: { systemId: number; componentId: number },
  missionType: MissionType,
  result: number,
): common.MissionAck {
  const msg = new common.MissionAck();
  msg.targetSystem = target.systemId;
  msg.targetComponent = target.componentId;
  msg.type = result;
  msg.missionType = MISSION_TYPE_ID[missionType];
  msg.opaqueId = 0;
  return msg;
}

/**
 * Builds the MISSION_REQUEST_LIST that asks the vehicle for its `missionType` (answered with
 * MISSION_COUNT).
 *
 * @example
 * endpoint.send(missionRequestList(target, 'rally'));
 */
export function missionRequestList(
  target: { systemId: number; componentId: number },
  missionType: MissionType,
): common.MissionRequestList {
  const msg = new common.MissionRequestList();
  msg.targetSystem = target.systemId;
  msg.targetComponent = target.componentId;
  msg.missionType = MISSION_TYPE_ID[missionType];
  return msg;
}

/**
 * True when a mission-protocol message is addressed to `me` (0 = broadcast) and is about
 * `missionType` (an absent `mission_type` extension means `mission`).
 *
 * @example
 * if (m instanceof common.MissionAck && isMissionReplyTo(m, endpoint, 'fence')) onAck(m);
 */
export function isMissionReplyTo(
  message: { targetSystem?: number; targetComponent?: number; missionType?: number },
  me: { systemId: number; componentId: number },
  missionType: MissionType,
): boolean {
  return isAddressedTo(message, me) && (message.missionType ?? 0) === MISSION_TYPE_ID[missionType];
}
