import { describe, expect, it } from 'vitest';
import {
  ARDUCOPTER_MODES,
  COPTER_MODE_NUMBERS,
  PX4_AUTO_SUB_MODE_NUMBERS,
  decodeFlightMode,
  encodeFlightMode,
  px4CustomMode,
} from '../../../firmware-bridge/index';
import {
  BridgeError,
  autopilotKind,
  fail,
  modeCommand,
  modeName,
  unwrap,
} from '../../../firmware-bridge/protocol/index';

describe('flight modes', () => {
  it('maps ArduCopter mode names to custom modes and back', () => {
    const expected: Record<string, number> = {
      GUIDED: 4,
      AUTO: 3,
      RTL: 6,
      LAND: 9,
      LOITER: 5,
      BRAKE: 17,
      STABILIZE: 0,
      SMART_RTL: 21,
    };
    for (const [name, custom] of Object.entries(expected)) {
      expect(modeCommand('ardupilot', name.toLowerCase())).toEqual({
        baseMode: 1,
        customMode: custom,
        subMode: 0,
        heartbeatCustomMode: custom,
      });
      expect(modeName('ardupilot', custom)).toBe(name);
    }
    expect(modeCommand('ardupilot', 'MISSION')).toBeUndefined();
    expect(modeName('ardupilot', 99)).toBe('MODE_99');
  });

  it('maps PX4 names to main/sub modes packed as PX4 does', () => {
    expect(modeCommand('px4', 'RTL')).toEqual({
      baseMode: 1,
      customMode: 4,
      subMode: 5,
      heartbeatCustomMode: 0x05040000,
    });
    expect(modeCommand('px4', 'mission')).toMatchObject({
      customMode: 4,
      subMode: 4,
      heartbeatCustomMode: 0x04040000,
    });
    expect(modeCommand('px4', 'POSCTL')).toEqual({
      baseMode: 1,
      customMode: 3,
      subMode: 0,
      heartbeatCustomMode: 0x00030000,
    });
    expect(modeCommand('px4', 'HOLD')?.heartbeatCustomMode).toBe(0x03040000);
    expect(modeName('px4', 0x05040000)).toBe('RTL');
    expect(modeName('px4', 0x04040000)).toBe('AUTO');
    expect(modeName('px4', 0x00060000)).toBe('OFFBOARD');
    expect(modeCommand('px4', 'BRAKE_HARD')).toBeUndefined();
  });

  it('reads the same table as telemetry: every mode a command sets decodes back to its name', () => {
    for (const [name, custom] of Object.entries(COPTER_MODE_NUMBERS)) {
      const cmd = modeCommand('ardupilot', name);
      expect(cmd?.heartbeatCustomMode).toBe(custom);
      expect(decodeFlightMode(3, 2, cmd!.baseMode, cmd!.heartbeatCustomMode)).toBe(name);
      expect(encodeFlightMode(3, 2, name)?.customMode).toBe(custom);
      expect(modeName('ardupilot', custom)).toBe(name);
    }
    expect(ARDUCOPTER_MODES[28]).toBe('TURTLE');
    expect(modeName('ardupilot', 28)).toBe('TURTLE');
    for (const alias of ['HOLD', 'MISSION', 'RTL', 'LAND', 'TAKEOFF', 'POSCTL', 'OFFBOARD']) {
      const cmd = modeCommand('px4', alias)!;
      const full = decodeFlightMode(12, 2, cmd.baseMode, cmd.heartbeatCustomMode);
      const encoded = encodeFlightMode(12, 2, full);
      expect(encoded?.customMode).toBe(cmd.heartbeatCustomMode);
      expect(encoded?.px4SubMode ?? 0).toBe(cmd.subMode);
      // modeName prints PX4's AUTO sub modes without the AUTO. prefix
      expect(
        full.endsWith(modeName('px4', cmd.heartbeatCustomMode).replace(/^AUTO$/, 'MISSION')),
      ).toBe(true);
    }
    expect(Object.keys(PX4_AUTO_SUB_MODE_NUMBERS)).toContain('VTOL_TAKEOFF');
    expect(decodeFlightMode(12, 2, 1, px4CustomMode(4, 10))).toBe('AUTO.VTOL_TAKEOFF');
    expect(modeCommand('ardupilot', 'constructor')).toBeUndefined();
    expect(encodeFlightMode(3, 2, 'toString')).toBeUndefined();
  });

  it('tells autopilots apart by MAV_AUTOPILOT', () => {
    expect([autopilotKind(3), autopilotKind(12), autopilotKind(0)]).toEqual([
      'ardupilot',
      'px4',
      'generic',
    ]);
  });
});

describe('outcomes at the boundary', () => {
  it('turns a failure into a BridgeError with a SCREAMING_SNAKE code', () => {
    const f = fail('protocol-error', 'vehicle requested item 9 of a 5-item mission', 13);
    const err = new BridgeError('mission', f);
    expect(err.code).toBe('MISSION_PROTOCOL_ERROR');
    expect(err.kind).toBe('protocol-error');
    expect(err.mavResult).toBe(13);
    expect(() => unwrap('command', fail('link-down', 'closed'))).toThrow(
      expect.objectContaining({ code: 'COMMAND_LINK_DOWN' }),
    );
    expect(unwrap('dock', { ok: true, value: 3 })).toBe(3);
  });
});
