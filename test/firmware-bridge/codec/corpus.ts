/**
 * Seeded test corpora for the codec: a realistic mix of the telemetry an ArduPilot copter streams,
 * and noisy streams where each valid frame is preceded by random bytes.
 */
import { common, minimal, type MavLinkData } from 'node-mavlink';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import type { MessageRegistry } from '../../../firmware-bridge/codec/message-registry';

import { seededRandom } from '../../../missions/index';

/** mulberry32, the planner's own seeded source: floats in [0, 1). */
export { seededRandom };

export function randomBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

const int = (rand: () => number, min: number, max: number): number =>
  min + Math.floor(rand() * (max - min + 1));

/** One telemetry message of a kind weighted like a real 10 Hz copter stream. */
export function randomTelemetryMessage(rand: () => number): MavLinkData {
  const pick = rand();
  if (pick < 0.05) {
    const m = new minimal.Heartbeat();
    Object.assign(m, {
      type: 2,
      autopilot: 3,
      baseMode: 217,
      customMode: int(rand, 0, 27),
      systemStatus: 4,
      mavlinkVersion: 3,
    });
    return m;
  }
  if (pick < 0.25) {
    const m = new common.GlobalPositionInt();
    Object.assign(m, {
      timeBootMs: int(rand, 0, 1e9),
      lat: int(rand, -900000000, 900000000),
      lon: int(rand, -1800000000, 1800000000),
      alt: int(rand, 0, 500000),
      relativeAlt: int(rand, 0, 120000),
      vx: int(rand, -2000, 2000),
      vy: int(rand, -2000, 2000),
      vz: int(rand, -500, 500),
      hdg: int(rand, 0, 35999),
    });
    return m;
  }
  if (pick < 0.45) {
    const m = new common.Attitude();
    Object.assign(m, {
      timeBootMs: int(rand, 0, 1e9),
      roll: rand() - 0.5,
      pitch: rand() - 0.5,
      yaw: rand() * 6 - 3,
      rollspeed: rand() - 0.5,
      pitchspeed: rand() - 0.5,
      yawspeed: rand() - 0.5,
    });
    return m;
  }
  if (pick < 0.55) {
    const m = new common.VfrHud();
    Object.assign(m, {
      airspeed: rand() * 15,
      groundspeed: rand() * 15,
      heading: int(rand, 0, 359),
      throttle: int(rand, 0, 100),
      alt: rand() * 200,
      climb: rand() - 0.5,
    });
    return m;
  }
  if (pick < 0.65) {
    const m = new common.GpsRawInt();
    Object.assign(m, {
      timeUsec: BigInt(int(rand, 0, 1e9)) * 1000n,
      fixType: int(rand, 0, 6),
      lat: int(rand, -900000000, 900000000),
      lon: int(rand, -1800000000, 1800000000),
      alt: int(rand, 0, 500000),
      eph: int(rand, 50, 300),
      epv: int(rand, 50, 300),
      vel: int(rand, 0, 2000),
      cog: int(rand, 0, 35999),
      satellitesVisible: int(rand, 0, 30),
      altEllipsoid: 0,
      hAcc: 0,
      vAcc: 0,
      velAcc: 0,
      hdgAcc: 0,
      yaw: 0,
    });
    return m;
  }
  if (pick < 0.73) {
    const m = new common.SysStatus();
    Object.assign(m, {
      onboardControlSensorsPresent: 0x1fffff,
      onboardControlSensorsEnabled: 0x1fffff,
      onboardControlSensorsHealth: 0x1fffff,
      load: int(rand, 0, 1000),
      voltageBattery: int(rand, 20000, 25200),
      currentBattery: int(rand, 0, 3000),
      batteryRemaining: int(rand, 0, 100),
      dropRateComm: 0,
      errorsComm: 0,
      errorsCount1: 0,
      errorsCount2: 0,
      errorsCount3: 0,
      errorsCount4: 0,
      onboardControlSensorsPresentExtended: 0,
      onboardControlSensorsEnabledExtended: 0,
      onboardControlSensorsHealthExtended: 0,
    });
    return m;
  }
  if (pick < 0.8) {
    const m = new common.BatteryStatus();
    Object.assign(m, {
      id: 0,
      batteryFunction: 0,
      type: 1,
      temperature: int(rand, 1000, 4000),
      voltages: Array.from({ length: 10 }, (_, i) => (i < 6 ? int(rand, 3500, 4200) : 65535)),
      currentBattery: int(rand, 0, 3000),
      currentConsumed: int(rand, 0, 10000),
      energyConsumed: -1,
      batteryRemaining: int(rand, 0, 100),
      timeRemaining: 0,
      chargeState: 1,
      voltagesExt: [0, 0, 0, 0],
      mode: 0,
      faultBitmask: 0,
    });
    return m;
  }
  if (pick < 0.9) {
    const m = new common.RawImu();
    Object.assign(m, {
      timeUsec: BigInt(int(rand, 0, 1e9)),
      xacc: int(rand, -1000, 1000),
      yacc: int(rand, -1000, 1000),
      zacc: int(rand, -1000, 1000),
      xgyro: int(rand, -100, 100),
      ygyro: int(rand, -100, 100),
      zgyro: int(rand, -100, 100),
      xmag: int(rand, -500, 500),
      ymag: int(rand, -500, 500),
      zmag: int(rand, -500, 500),
      id: 0,
      temperature: int(rand, 1000, 4000),
    });
    return m;
  }
  if (pick < 0.95) {
    const m = new common.MissionCurrent();
    Object.assign(m, {
      seq: int(rand, 0, 100),
      total: 100,
      missionState: 3,
      missionMode: 1,
      missionId: 0,
      fenceId: 0,
      rallyPointsId: 0,
    });
    return m;
  }
  const m = new common.StatusText();
  Object.assign(m, {
    severity: int(rand, 0, 7),
    text: `PreArm: check ${int(rand, 0, 999)}`,
    id: 0,
    chunkSeq: 0,
  });
  return m;
}

/** Frames of a mixed telemetry stream, `count` of them, from system 1. */
export function telemetryFrames(registry: MessageRegistry, seed: number, count: number): Buffer[] {
  const rand = seededRandom(seed);
  const encoder = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
  const v1 = new FrameEncoder({ registry, systemId: 1, componentId: 1, protocol: 1 });
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const msg = randomTelemetryMessage(rand);
    out.push(rand() < 0.1 ? v1.encode(msg) : encoder.encode(msg));
  }
  return out;
}

/** Interleaves `minNoise..maxNoise` random bytes before each frame. */
export function noisyStream(
  frames: readonly Buffer[],
  seed: number,
  minNoise = 1,
  maxNoise = 8,
): Buffer {
  const rand = seededRandom(seed);
  const parts: Buffer[] = [];
  for (const f of frames) {
    parts.push(randomBytes(rand, int(rand, minNoise, maxNoise)));
    parts.push(f);
  }
  return Buffer.concat(parts);
}
