import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { minimal, common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import {
  DOCK_ALARM,
  DOCK_MESSAGES,
  MAV_CMD_DOCK,
  crcExtra,
  wireOrder,
} from '../../../firmware-bridge/dock/index';
import type { DialectField } from '../../../firmware-bridge/dock/index';
import { createMessageRegistry, FrameEncoder, parseFrames } from '../../../firmware-bridge/index';
import { DockStatus } from '../../../firmware-bridge/dock/index';

const xmlPath = fileURLToPath(new URL('../../../firmware-bridge/dock/dock.xml', import.meta.url));

interface XmlField {
  '@_type': string;
  '@_name': string;
}
interface XmlMessage {
  '@_id': string;
  '@_name': string;
  field: XmlField[];
}
interface XmlEntry {
  '@_value': string;
  '@_name': string;
}

const parsed = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => ['field', 'message', 'enum', 'entry'].includes(name),
}).parse(readFileSync(xmlPath, 'utf8')) as {
  mavlink: {
    messages: { message: XmlMessage[] };
    enums: { enum: { '@_name': string; entry: XmlEntry[] }[] };
  };
};

function fieldsOf(type: string): DialectField {
  const m = /^(\w+?)(?:\[(\d+)\])?$/.exec(type);
  if (!m) throw new Error(`bad type ${type}`);
  return { type: m[1]!, name: '', arrayLength: m[2] ? Number(m[2]) : 0, extension: false };
}

describe('dock dialect', () => {
  it('computes CRC_EXTRA as the spec does (oracle: HEARTBEAT 50, COMMAND_ACK 143, MISSION_ITEM_INT 38)', () => {
    for (const [clazz, name] of [
      [minimal.Heartbeat, 'HEARTBEAT'],
      [common.CommandAck, 'COMMAND_ACK'],
      [common.MissionItemInt, 'MISSION_ITEM_INT'],
    ] as const) {
      const fields = clazz.FIELDS.map((f) => ({
        type: f.type.replace('[]', ''),
        name: f.source,
        arrayLength: f.length,
        extension: f.extension,
      }));
      // FIELDS are already in wire order; wireOrder must keep that order.
      expect(wireOrder(fields).map((f) => f.name)).toEqual(fields.map((f) => f.name));
      expect(crcExtra(name, fields)).toBe(clazz.MAGIC_NUMBER);
    }
  });

  it('defines every class exactly as dock.xml says (id, name, wire order, offsets, CRC_EXTRA)', () => {
    const messages = parsed.mavlink.messages.message;
    expect(messages.map((m) => m['@_name'])).toEqual(DOCK_MESSAGES.map((c) => c.MSG_NAME));
    for (const xml of messages) {
      const clazz = DOCK_MESSAGES.find((c) => c.MSG_NAME === xml['@_name'])!;
      expect(clazz.MSG_ID).toBe(Number(xml['@_id']));
      const fields = xml.field.map((f) => ({ ...fieldsOf(f['@_type']), name: f['@_name'] }));
      const ordered = wireOrder(fields);
      expect(clazz.FIELDS.map((f) => f.source)).toEqual(ordered.map((f) => f.name));
      let offset = 0;
      for (const [i, f] of clazz.FIELDS.entries()) {
        expect(f.offset).toBe(offset);
        expect(f.type).toBe(ordered[i]!.type);
        offset += f.size * Math.max(1, f.length);
      }
      expect(clazz.PAYLOAD_LENGTH).toBe(offset);
      expect(clazz.MAGIC_NUMBER).toBe(crcExtra(xml['@_name'], fields));
    }
  });

  it('matches dock.xml enum values for commands and alarms', () => {
    const enums = parsed.mavlink.enums.enum;
    const cmd = enums.find((e) => e['@_name'] === 'MAV_CMD')!.entry;
    expect(Object.fromEntries(cmd.map((e) => [e['@_name'], Number(e['@_value'])]))).toEqual({
      MAV_CMD_DOCK_SET_ROOF: MAV_CMD_DOCK.SET_ROOF,
      MAV_CMD_DOCK_SET_CHARGER: MAV_CMD_DOCK.SET_CHARGER,
      MAV_CMD_DOCK_RESET: MAV_CMD_DOCK.RESET,
    });
    const alarms = enums.find((e) => e['@_name'] === 'DOCK_ALARM')!.entry;
    expect(
      Object.fromEntries(
        alarms.map((e) => [e['@_name'].replace('DOCK_ALARM_', ''), Number(e['@_value'])]),
      ),
    ).toEqual(DOCK_ALARM);
  });

  it('encodes and decodes DOCK_STATUS through the real codec', () => {
    const registry = createMessageRegistry({ extra: DOCK_MESSAGES });
    const encoder = new FrameEncoder({ registry, systemId: 101, componentId: 1 });
    const s = new DockStatus();
    s.timeBootMs = 12345;
    s.alarms = DOCK_ALARM.HIGH_WIND | DOCK_ALARM.RAIN;
    s.windSpeed = 13.5;
    s.temperature = -4.25;
    s.roofState = 1;
    s.roofPosition = 40;
    s.chargerState = 1;
    s.dronePresent = 1;
    s.droneSystemId = 1;
    s.droneBatteryRemaining = 87;
    s.rain = 1;
    const { frames } = parseFrames(
      Buffer.concat([Buffer.from('noise'), encoder.encode(s)]),
      registry,
    );
    expect(frames).toHaveLength(1);
    expect(frames[0]!.name).toBe('DOCK_STATUS');
    expect(frames[0]!.message).toBeInstanceOf(DockStatus);
    expect(frames[0]!.message).toMatchObject({
      windSpeed: 13.5,
      temperature: -4.25,
      roofPosition: 40,
      droneBatteryRemaining: 87,
      alarms: 12,
    });
  });
});
