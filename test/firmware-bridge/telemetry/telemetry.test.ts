import { describe, expect, it } from 'vitest';
import { common, minimal, type MavLinkData } from 'node-mavlink';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import { parseFrames } from '../../../firmware-bridge/codec/frame-parser';
import { createMessageRegistry } from '../../../firmware-bridge/codec/message-registry';
import type { ReceivedFrame } from '../../../firmware-bridge/link/types';
import { decodeFlightMode, encodeFlightMode } from '../../../firmware-bridge/telemetry/flight-mode';
import {
  Telemetry,
  type FrameSource,
  type TelemetryEvent,
} from '../../../firmware-bridge/telemetry/telemetry';

const registry = createMessageRegistry();

/** A frame source fed by encoding real messages and parsing them back. */
class EncodedSource implements FrameSource {
  readonly #listeners = new Set<(f: ReceivedFrame) => void>();
  readonly #encoders = new Map<number, FrameEncoder>();
  subscribe(l: (f: ReceivedFrame) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
  emit(message: MavLinkData, systemId = 1, atMs = 1000): void {
    let enc = this.#encoders.get(systemId);
    if (!enc)
      this.#encoders.set(
        systemId,
        (enc = new FrameEncoder({ registry, systemId, componentId: 1 })),
      );
    for (const f of parseFrames(enc.encode(message), registry, atMs).frames)
      for (const l of this.#listeners) l(f);
  }
}

const msg = <T extends MavLinkData>(m: T, fields: Partial<Record<keyof T, unknown>>): T =>
  Object.assign(m, fields);

describe('flight modes', () => {
  it('decodes ArduCopter, ArduPlane and PX4 modes', () => {
    expect(decodeFlightMode(3, 2, 217, 4)).toBe('GUIDED');
    expect(decodeFlightMode(3, 13, 89, 3)).toBe('AUTO');
    expect(decodeFlightMode(3, 1, 89, 11)).toBe('RTL');
    expect(decodeFlightMode(3, 2, 89, 99)).toBe('CUSTOM_99');
    expect(decodeFlightMode(12, 2, 157, 0x04040000)).toBe('AUTO.MISSION');
    expect(decodeFlightMode(12, 2, 157, 0x05040000)).toBe('AUTO.RTL');
    expect(decodeFlightMode(12, 2, 157, 0x00030000)).toBe('POSCTL');
    expect(decodeFlightMode(3, 2, 0, 4)).toBe('UNKNOWN');
  });

  it('encodes names back to (base_mode, custom_mode)', () => {
    expect(encodeFlightMode(3, 2, 'rtl')).toMatchObject({ baseMode: 1, customMode: 6 });
    expect(encodeFlightMode(3, 2, 'LAND')).toMatchObject({ customMode: 9 });
    expect(encodeFlightMode(12, 2, 'AUTO.MISSION')).toMatchObject({
      customMode: 0x04040000,
      px4MainMode: 4,
      px4SubMode: 4,
    });
    expect(encodeFlightMode(12, 2, 'POSCTL')).toMatchObject({ customMode: 0x00030000 });
    expect(encodeFlightMode(3, 2, 'WARP')).toBeUndefined();
    for (const name of ['STABILIZE', 'AUTO', 'SMART_RTL', 'BRAKE']) {
      const e = encodeFlightMode(3, 2, name)!;
      expect(decodeFlightMode(3, 2, e.baseMode, e.customMode)).toBe(name);
    }
  });
});

describe('Telemetry', () => {
  it('turns a heartbeat into mode and armed state, ignoring ground stations', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    const got: TelemetryEvent[] = [];
    t.on('*', (e) => got.push(e));
    src.emit(
      msg(new minimal.Heartbeat(), {
        type: 2,
        autopilot: 3,
        baseMode: 217,
        customMode: 3,
        systemStatus: 4,
        mavlinkVersion: 3,
      }),
    );
    src.emit(
      msg(new minimal.Heartbeat(), {
        type: 6,
        autopilot: 8,
        baseMode: 0,
        customMode: 0,
        systemStatus: 4,
        mavlinkVersion: 3,
      }),
      255,
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      kind: 'heartbeat',
      systemId: 1,
      autopilot: 'ardupilot',
      mode: 'AUTO',
      armed: true,
      systemState: 'ACTIVE',
    });
  });

  it('converts GLOBAL_POSITION_INT to [lon, lat], metres and m/s', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    let pos: TelemetryEvent | undefined;
    t.on('position', (e) => (pos = e));
    src.emit(
      msg(new common.GlobalPositionInt(), {
        timeBootMs: 5000,
        lat: 302745123,
        lon: 1199876543,
        alt: 123456,
        relativeAlt: 45678,
        vx: 150,
        vy: -250,
        vz: 30,
        hdg: 27000,
      }),
    );
    expect(pos).toMatchObject({
      kind: 'position',
      altitudeAmslM: 123.456,
      altitudeRelativeM: 45.678,
      velocityNorthMps: 1.5,
      velocityEastMps: -2.5,
      velocityDownMps: 0.3,
      headingDeg: 270,
    });
    const p = (pos as Extract<TelemetryEvent, { kind: 'position' }>).position;
    expect(p[0]).toBeCloseTo(119.9876543, 7);
    expect(p[1]).toBeCloseTo(30.2745123, 7);
    expect(pos).toMatchObject({ positionValid: true });
  });

  it('marks the 0,0 position ArduPilot reports before its estimator converges as invalid', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    src.emit(
      msg(new common.GlobalPositionInt(), {
        timeBootMs: 1,
        lat: 0,
        lon: 0,
        alt: 0,
        relativeAlt: 0,
        vx: 0,
        vy: 0,
        vz: 0,
        hdg: 65535,
      }),
    );
    expect(t.snapshot(1).position).toMatchObject({
      position: [0, 0],
      positionValid: false,
      headingDeg: null,
    });
  });

  it('reports battery from SYS_STATUS and BATTERY_STATUS, with unknowns as null', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    const got: TelemetryEvent[] = [];
    t.on('battery', (e) => got.push(e));
    t.on('system-status', (e) => got.push(e));
    src.emit(
      msg(new common.SysStatus(), {
        onboardControlSensorsPresent: 0b111,
        onboardControlSensorsEnabled: 0b111,
        onboardControlSensorsHealth: 0b101,
        load: 455,
        voltageBattery: 24350,
        currentBattery: -1,
        dropRateComm: 250,
        batteryRemaining: 67,
      }),
    );
    src.emit(
      msg(new common.BatteryStatus(), {
        id: 1,
        batteryFunction: 0,
        type: 1,
        temperature: 3150,
        voltages: [4100, 4100, 4100, 4100, 4100, 4100, 65535, 65535, 65535, 65535],
        currentBattery: 1234,
        currentConsumed: 0,
        energyConsumed: -1,
        batteryRemaining: -1,
        timeRemaining: 0,
        chargeState: 1,
        voltagesExt: [0, 0, 0, 0],
        mode: 0,
        faultBitmask: 0,
      }),
    );
    expect(got[0]).toMatchObject({
      kind: 'battery',
      source: 'SYS_STATUS',
      batteryPct: 67,
      voltageV: 24.35,
      currentA: null,
    });
    expect(got[1]).toMatchObject({
      kind: 'system-status',
      unhealthySensorsMask: 0b010,
      loadPct: 45.5,
      commDropRatePct: 2.5,
    });
    expect(got[2]).toMatchObject({
      kind: 'battery',
      source: 'BATTERY_STATUS',
      batteryId: 1,
      batteryPct: null,
      voltageV: 24.6,
      currentA: 12.34,
      temperatureC: 31.5,
    });
  });

  it('reports GPS fix and satellites', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    let gps: TelemetryEvent | undefined;
    t.on('gps', (e) => (gps = e));
    src.emit(
      msg(new common.GpsRawInt(), {
        timeUsec: 1n,
        fixType: 6,
        lat: 300000000,
        lon: 1200000000,
        alt: 10000,
        eph: 70,
        epv: 65535,
        vel: 0,
        cog: 0,
        satellitesVisible: 21,
      }),
    );
    expect(gps).toMatchObject({
      kind: 'gps',
      fix: 'rtk-fixed',
      satellites: 21,
      hdop: 0.7,
      position: [120, 30],
      altitudeAmslM: 10,
    });
  });

  it('reports mission progress, landed state and home', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    const got: TelemetryEvent[] = [];
    t.on('*', (e) => got.push(e));
    src.emit(
      msg(new common.MissionCurrent(), {
        seq: 3,
        total: 12,
        missionState: 3,
        missionMode: 1,
        missionId: 0,
        fenceId: 0,
        rallyPointsId: 0,
      }),
    );
    src.emit(msg(new common.MissionItemReached(), { seq: 2 }));
    src.emit(msg(new common.ExtendedSysState(), { vtolState: 0, landedState: 2 }));
    src.emit(
      msg(new common.HomePosition(), {
        latitude: 301000000,
        longitude: 1201000000,
        altitude: 5000,
        x: 0,
        y: 0,
        z: 0,
        q: [1, 0, 0, 0],
        approachX: 0,
        approachY: 0,
        approachZ: 0,
        timeUsec: 0n,
      }),
    );
    expect(got.map((e) => e.kind)).toEqual([
      'mission-current',
      'mission-item-reached',
      'landed-state',
      'home',
    ]);
    expect(got[0]).toMatchObject({ seq: 3, total: 12, missionState: 'active' });
    expect(got[1]).toMatchObject({ seq: 2 });
    expect(got[2]).toMatchObject({ landedState: 'in-air' });
    expect(got[3]).toMatchObject({ position: [120.1, 30.1], altitudeAmslM: 5 });
  });

  it('reassembles chunked STATUSTEXT and names the severity', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    const texts: string[] = [];
    t.on('status-text', (e) => texts.push(`${e.severityName}:${e.text}`));
    src.emit(
      msg(new common.StatusText(), {
        severity: 4,
        text: 'PreArm: GPS not healthy',
        id: 0,
        chunkSeq: 0,
      }),
    );
    const long = 'x'.repeat(50) + 'tail';
    src.emit(
      msg(new common.StatusText(), { severity: 6, text: long.slice(0, 50), id: 7, chunkSeq: 0 }),
    );
    src.emit(
      msg(new common.StatusText(), { severity: 6, text: long.slice(50), id: 7, chunkSeq: 1 }),
    );
    expect(texts).toEqual(['WARNING:PreArm: GPS not healthy', `INFO:${long}`]);
  });

  it('reports camera captures with position and file', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src);
    let cap: TelemetryEvent | undefined;
    t.on('camera-capture', (e) => (cap = e));
    src.emit(
      msg(new common.CameraImageCaptured(), {
        timeUtc: 1_700_000_000_000_000n,
        timeBootMs: 1,
        lat: 302000000,
        lon: 1199000000,
        alt: 150000,
        relativeAlt: 80000,
        q: [1, 0, 0, 0],
        imageIndex: 42,
        cameraId: 1,
        captureResult: 1,
        fileUrl: 'file:///DCIM/IR_0042.jpg',
      }),
    );
    expect(cap).toMatchObject({
      kind: 'camera-capture',
      imageIndex: 42,
      success: true,
      position: [119.9, 30.2],
      altitudeAmslM: 150,
      altitudeRelativeM: 80,
      timeUtcUs: 1_700_000_000_000_000n,
      fileUrl: 'file:///DCIM/IR_0042.jpg',
    });
  });

  it('keeps a snapshot per vehicle and filters by system id', () => {
    const src = new EncodedSource();
    const t = new Telemetry(src, { systemIds: [1, 2] });
    src.emit(
      msg(new common.Attitude(), {
        timeBootMs: 1,
        roll: 0.1,
        pitch: 0.2,
        yaw: 0.3,
        rollspeed: 0,
        pitchspeed: 0,
        yawspeed: 0,
      }),
      1,
    );
    src.emit(msg(new common.MissionItemReached(), { seq: 9 }), 2);
    src.emit(msg(new common.MissionItemReached(), { seq: 9 }), 3);
    expect(t.snapshot(1).attitude?.rollRad).toBeCloseTo(0.1, 6);
    expect(t.snapshot(2)['mission-item-reached']?.seq).toBe(9);
    expect(t.systems().sort()).toEqual([1, 2]);
    t.close();
    src.emit(msg(new common.MissionItemReached(), { seq: 10 }), 2);
    expect(t.snapshot(2)['mission-item-reached']?.seq).toBe(9);
  });
});
