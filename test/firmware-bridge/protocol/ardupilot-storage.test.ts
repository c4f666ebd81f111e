import { describe, expect, it } from 'vitest';
import { firstMismatch, sameAsStoredByArduPilot } from '../../../firmware-bridge/protocol/index';
import type { MissionItem } from '../../../firmware-bridge/index';

const takeoff: MissionItem = {
  command: 22,
  frame: 3,
  param1: 0,
  param2: 0,
  param3: 0,
  param4: Number.NaN,
  position: [119.9, 30.3],
  altM: 12,
  autocontinue: true,
};
const waypoint: MissionItem = {
  ...takeoff,
  command: 16,
  param2: 2,
  position: [119.9006, 30.3003],
  altM: 15,
};
const rtl: MissionItem = { ...takeoff, command: 20, frame: 2, param4: 0, position: null, altM: 0 };

describe('comparing with what ArduPilot stores', () => {
  it('accepts what ArduCopter SITL returned for the patrol fixture', () => {
    // As downloaded from ArduCopter SITL (its tlog): NaN yaw → 0, acceptance radius not kept,
    // RTL in frame 0.
    const stored = [
      { ...takeoff, param4: 0 },
      { ...waypoint, param2: 0, param4: 0 },
      { ...rtl, frame: 0 },
    ];
    expect(firstMismatch([takeoff, waypoint, rtl], stored)).toBe(0); // the exact comparison fails
    expect(firstMismatch([takeoff, waypoint, rtl], stored, { storedBy: 'ardupilot' })).toBe(-1);
    const fencePoint: MissionItem = {
      ...takeoff,
      command: 5001,
      frame: 0,
      param1: 4,
      param4: 0,
      altM: 0,
    };
    expect(sameAsStoredByArduPilot(fencePoint, { ...fencePoint, autocontinue: false })).toBe(true);
  });

  it('still catches a different command, position, altitude, frame or kept parameter', () => {
    const ok = (stored: MissionItem): boolean => sameAsStoredByArduPilot(waypoint, stored);
    expect(ok({ ...waypoint, frame: 6, altM: 15.004 })).toBe(true);
    expect(ok({ ...waypoint, command: 17 })).toBe(false);
    expect(ok({ ...waypoint, position: [119.9006, 30.3004] })).toBe(false);
    expect(ok({ ...waypoint, altM: 15.02 })).toBe(false);
    expect(ok({ ...waypoint, frame: 0 })).toBe(false);
    expect(ok({ ...waypoint, param1: 5 })).toBe(false);
    expect(ok({ ...waypoint, position: null })).toBe(false);
    expect(sameAsStoredByArduPilot(rtl, { ...rtl, altM: 30 })).toBe(false);
  });
});
