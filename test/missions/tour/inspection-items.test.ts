import { describe, expect, it } from 'vitest';
import { inspectionItems } from '../../../missions/tour/index';
import { MAV_CMD } from '../../../missions/types/index';

describe('inspectionItems', () => {
  it('writes hold, yaw, gimbal and photo in flight order', () => {
    const items = inspectionItems(
      { position: [119.95, 30.4], hoverS: 4, headingDeg: -90, gimbalPitchDeg: -45 },
      { altitudeAglM: 60 },
    );
    expect(items.map((i) => i.command)).toEqual([
      MAV_CMD.NAV_WAYPOINT,
      MAV_CMD.CONDITION_YAW,
      MAV_CMD.DO_GIMBAL_MANAGER_PITCHYAW,
      MAV_CMD.IMAGE_START_CAPTURE,
    ]);
    expect(items[0]).toMatchObject({ param1: 4, position: [119.95, 30.4], altM: 60, frame: 3 });
    expect(items[1]).toMatchObject({ param1: 270, position: null, frame: 2 });
    expect(items[2]!.param1).toBe(-45);
    expect(items[3]!.param3).toBe(1);
  });

  it('uses DO_MOUNT_CONTROL on request and skips the photo when asked', () => {
    const items = inspectionItems(
      { position: [0, 0], gimbalPitchDeg: -90, photo: false, altitudeAglM: 30 },
      { altitudeAglM: 60, gimbalCommand: 'mount-control' },
    );
    expect(items.map((i) => i.command)).toEqual([MAV_CMD.NAV_WAYPOINT, MAV_CMD.DO_MOUNT_CONTROL]);
    expect(items[0]!.altM).toBe(30);
    expect(items[1]!.altM).toBe(2);
  });

  it('rejects a bad pitch or hover naming the value', () => {
    expect(() =>
      inspectionItems({ position: [0, 0], gimbalPitchDeg: -120 }, { altitudeAglM: 60 }),
    ).toThrow(/gimbalPitchDeg must be in \[-90, 30\] degrees, got -120/);
    expect(() => inspectionItems({ position: [0, 0], hoverS: -1 }, { altitudeAglM: 60 })).toThrow(
      /hoverS/,
    );
  });
});
