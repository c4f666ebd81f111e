/**
 * Telemetry as a typed event stream per vehicle: raw MAVLink messages in, SI-unit events with
 * `[lon, lat]` positions out, plus the latest value of each kind per vehicle.
 */
import type { common, minimal } from 'node-mavlink';
import type { ReceivedFrame } from '../link/types';
import {
  decodeFlightMode,
  MAV_AUTOPILOT_ARDUPILOTMEGA,
  MAV_AUTOPILOT_PX4,
  MAV_MODE_FLAG_SAFETY_ARMED,
} from './flight-mode';

/** Anything frames can be subscribed from: a `MavLink`, a `MavEndpoint`, a tlog replay. */
export interface FrameSource {
  subscribe(listener: (frame: ReceivedFrame) => void): () => void;
}

const MAV_STATE = [
  'UNINIT',
  'BOOT',
  'CALIBRATING',
  'STANDBY',
  'ACTIVE',
  'CRITICAL',
  'EMERGENCY',
  'POWEROFF',
  'FLIGHT_TERMINATION',
];
const SEVERITY = [
  'EMERGENCY',
  'ALERT',
  'CRITICAL',
  'ERROR',
  'WARNING',
  'NOTICE',
  'INFO',
  'DEBUG',
] as const;
const GPS_FIX = [
  'no-gps',
  'no-fix',
  '2d',
  '3d',
  'dgps',
  'rtk-float',
  'rtk-fixed',
  'static',
  'ppp',
] as const;
const MISSION_STATE = [null, 'no-mission', 'not-started', 'active', 'paused', 'complete'] as const;
const LANDED_STATE = ['unknown', 'on-ground', 'in-air', 'takeoff', 'landing'] as const;
const UINT16_MAX = 65535;
const INT16_MAX = 32767;

interface Base {
  systemId: number;
  componentId: number;
  atMs: number;
}

/**
 * One telemetry event; `kind` discriminates. Positions `[lon, lat]` in degrees, altitudes in m,
 * speeds in m/s, angles in rad (attitude) or deg (heading), `atMs` the receive time.
 *
 * @example
 * if (e.kind === 'battery' && e.batteryPct !== null && e.batteryPct < 25) returnToDock();
 */
export type TelemetryEvent =
  | (Base & {
      kind: 'heartbeat';
      autopilot: 'ardupilot' | 'px4' | 'other';
      mavType: number;
      mode: string;
      baseMode: number;
      customMode: number;
      armed: boolean;
      systemState: string;
    })
  | (Base & {
      kind: 'position';
      position: [number, number];
      /** False for exactly 0,0: ArduPilot reports that until its estimator has converged. */
      positionValid: boolean;
      altitudeAmslM: number;
      altitudeRelativeM: number;
      velocityNorthMps: number;
      velocityEastMps: number;
      velocityDownMps: number;
      headingDeg: number | null;
      timeBootMs: number;
    })
  | (Base & {
      kind: 'attitude';
      rollRad: number;
      pitchRad: number;
      yawRad: number;
      rollRateRadps: number;
      pitchRateRadps: number;
      yawRateRadps: number;
    })
  | (Base & {
      kind: 'battery';
      source: 'SYS_STATUS' | 'BATTERY_STATUS';
      batteryId: number;
      batteryPct: number | null;
      voltageV: number | null;
      currentA: number | null;
      temperatureC: number | null;
    })
  | (Base & {
      kind: 'gps';
      fix: (typeof GPS_FIX)[number] | 'unknown';
      fixType: number;
      satellites: number | null;
      position: [number, number];
      altitudeAmslM: number;
      hdop: number | null;
    })
  | (Base & {
      kind: 'system-status';
      /** Sensors (MAV_SYS_STATUS_SENSOR bits) present and enabled but reported unhealthy. */
      unhealthySensorsMask: number;
      loadPct: number;
      commDropRatePct: number;
    })
  | (Base & {
      kind: 'mission-current';
      seq: number;
      total: number | null;
      missionState: Exclude<(typeof MISSION_STATE)[number], null> | 'unknown';
    })
  | (Base & { kind: 'mission-item-reached'; seq: number })
  | (Base & { kind: 'landed-state'; landedState: (typeof LANDED_STATE)[number] })
  | (Base & { kind: 'home'; position: [number, number]; altitudeAmslM: number })
  | (Base & {
      kind: 'status-text';
      severity: number;
      severityName: (typeof SEVERITY)[number];
      text: string;
    })
  | (Base & {
      kind: 'camera-capture';
      imageIndex: number;
      cameraId: number;
      success: boolean;
      position: [number, number];
      altitudeAmslM: number;
      altitudeRelativeM: number;
      timeUtcUs: bigint;
      fileUrl: string;
    });

/** The event kinds, e.g. `'position'`. */
export type TelemetryKind = TelemetryEvent['kind'];
/** The event type of one kind, e.g. `TelemetryOf<'gps'>`. */
export type TelemetryOf<K extends TelemetryKind> = Extract<TelemetryEvent, { kind: K }>;
/** The latest event of each kind for one vehicle. */
export type VehicleSnapshot = { [K in TelemetryKind]?: TelemetryOf<K> };

const degE7 = (v: number): number => v / 1e7;

/**
 * Maps one frame to its telemetry event, or undefined for messages outside the stream.
 * Heartbeats of ground stations (MAV_TYPE_GCS) and of components without an autopilot are skipped:
 * they do not describe the vehicle.
 *
 * @example
 * const e = toTelemetryEvent(frame); // { kind: 'position', position: [120.1, 30.2], … }
 */
export function toTelemetryEvent(frame: ReceivedFrame): TelemetryEvent | undefined {
  const base = {
    systemId: frame.systemId,
    componentId: frame.componentId,
    atMs: frame.receivedAtMs,
  };
  switch (frame.name) {
    case 'HEARTBEAT': {
      const m = frame.message as minimal.Heartbeat;
      const autopilot = Number(m.autopilot);
      const mavType = Number(m.type);
      if (mavType === 6 || autopilot === 8) return undefined;
      const baseMode = Number(m.baseMode);
      return {
        ...base,
        kind: 'heartbeat',
        autopilot:
          autopilot === MAV_AUTOPILOT_ARDUPILOTMEGA
            ? 'ardupilot'
            : autopilot === MAV_AUTOPILOT_PX4
              ? 'px4'
              : 'other',
        mavType,
        mode: decodeFlightMode(autopilot, mavType, baseMode, m.customMode),
        baseMode,
        customMode: m.customMode,
        armed: (baseMode & MAV_MODE_FLAG_SAFETY_ARMED) !== 0,
        systemState: MAV_STATE[Number(m.systemStatus)] ?? `STATE_${Number(m.systemStatus)}`,
      };
    }
    case 'GLOBAL_POSITION_INT': {
      const m = frame.message as common.GlobalPositionInt;
      return {
        ...base,
        kind: 'position',
        position: [degE7(m.lon), degE7(m.lat)],
        positionValid: m.lat !== 0 || m.lon !== 0,
        altitudeAmslM: m.alt / 1000,
        altitudeRelativeM: m.relativeAlt / 1000,
        velocityNorthMps: m.vx / 100,
        velocityEastMps: m.vy / 100,
        velocityDownMps: m.vz / 100,
        headingDeg: m.hdg === UINT16_MAX ? null : m.hdg / 100,
        timeBootMs: m.timeBootMs,
      };
    }
    case 'ATTITUDE': {
      const m = frame.message as common.Attitude;
      return {
        ...base,
        kind: 'attitude',
        rollRad: m.roll,
        pitchRad: m.pitch,
        yawRad: m.yaw,
        rollRateRadps: m.rollspeed,
        pitchRateRadps: m.pitchspeed,
        yawRateRadps: m.yawspeed,
      };
    }
    case 'SYS_STATUS': {
      // Emitted as two events: battery and system status; see Telemetry#handle.
      return undefined;
    }
    case 'BATTERY_STATUS': {
      const m = frame.message as common.BatteryStatus;
      const cells = [
        ...(m.voltages as number[]),
        ...((m.voltagesExt as number[] | undefined) ?? []),
      ];
      const valid = cells.filter((v, i) =>
        i < 10 ? v !== UINT16_MAX : v !== 0 && v !== UINT16_MAX,
      );
      const summed = valid.reduce((s, v) => s + v, 0);
      return {
        ...base,
        kind: 'battery',
        source: 'BATTERY_STATUS',
        batteryId: m.id,
        batteryPct: m.batteryRemaining < 0 ? null : m.batteryRemaining,
        voltageV: valid.length === 0 ? null : summed / 1000,
        currentA: m.currentBattery < 0 ? null : m.currentBattery / 100,
        temperatureC: m.temperature === INT16_MAX ? null : m.temperature / 100,
      };
    }
    case 'GPS_RAW_INT': {
      const m = frame.message as common.GpsRawInt;
      const fixType = Number(m.fixType);
      return {
        ...base,
        kind: 'gps',
        fix: GPS_FIX[fixType] ?? 'unknown',
        fixType,
        satellites: m.satellitesVisible === 255 ? null : m.satellitesVisible,
        position: [degE7(m.lon), degE7(m.lat)],
        altitudeAmslM: m.alt / 1000,
        hdop: m.eph === UINT16_MAX ? null : m.eph / 100,
      };
    }
    case 'MISSION_CURRENT': {
      const m = frame.message as common.MissionCurrent;
      const state = MISSION_STATE[Number(m.missionState)];
      return {
        ...base,
        kind: 'mission-current',
        seq: m.seq,
        total: m.total === UINT16_MAX || m.total === 0 ? null : m.total,
        missionState: state ?? 'unknown',
      };
    }
    case 'MISSION_ITEM_REACHED':
      return {
        ...base,
        kind: 'mission-item-reached',
        seq: (frame.message as common.MissionItemReached).seq,
      };
    case 'EXTENDED_SYS_STATE': {
      const m = frame.message as common.ExtendedSysState;
      return {
        ...base,
        kind: 'landed-state',
        landedState: LANDED_STATE[Number(m.landedState)] ?? 'unknown',
      };
    }
    case 'HOME_POSITION': {
      const m = frame.message as common.HomePosition;
      return {
        ...base,
        kind: 'home',
        position: [degE7(m.longitude), degE7(m.latitude)],
        altitudeAmslM: m.altitude / 1000,
      };
    }
    case 'CAMERA_IMAGE_CAPTURED': {
      const m = frame.message as common.CameraImageCaptured;
      return {
        ...base,
        kind: 'camera-capture',
        imageIndex: m.imageIndex,
        cameraId: m.cameraId,
        success: m.captureResult === 1,
        position: [degE7(m.lon), degE7(m.lat)],
        altitudeAmslM: m.alt / 1000,
        altitudeRelativeM: m.relativeAlt / 1000,
        timeUtcUs: BigInt(m.timeUtc),
        fileUrl: m.fileUrl,
      };
    }
    default:
      return undefined;
  }
}

function sysStatusEvents(frame: ReceivedFrame): TelemetryEvent[] {
  const m = frame.message as common.SysStatus;
  const base = {
    systemId: frame.systemId,
    componentId: frame.componentId,
    atMs: frame.receivedAtMs,
  };
  const present = Number(m.onboardControlSensorsPresent);
  const enabled = Number(m.onboardControlSensorsEnabled);
  const health = Number(m.onboardControlSensorsHealth);
  return [
    {
      ...base,
      kind: 'battery',
      source: 'SYS_STATUS',
      batteryId: 0,
      batteryPct: m.batteryRemaining < 0 ? null : m.batteryRemaining,
      voltageV: m.voltageBattery === UINT16_MAX ? null : m.voltageBattery / 1000,
      currentA: m.currentBattery < 0 ? null : m.currentBattery / 100,
      temperatureC: null,
    },
    {
      ...base,
      kind: 'system-status',
      unhealthySensorsMask: (present & enabled & ~health) >>> 0,
      loadPct: m.load / 10,
      commDropRatePct: m.dropRateComm / 100,
    },
  ];
}

/** Which systems a {@link Telemetry} follows. */
export interface TelemetryOptions {
  /** Only these systems (default: all). */
  systemIds?: readonly number[];
}

/**
 * @example
 * const telemetry = new Telemetry(link);
 * telemetry.on('position', (e) => console.log(e.position, e.altitudeRelativeM));
 * telemetry.snapshot(1).battery?.batteryPct;
 */
export class Telemetry {
  readonly #listeners = new Map<TelemetryKind | '*', Set<(e: TelemetryEvent) => void>>();
  readonly #latest = new Map<number, VehicleSnapshot>();
  readonly #systems: ReadonlySet<number> | undefined;
  /** STATUSTEXT chunk reassembly, keyed by system id and message id. */
  readonly #chunks = new Map<string, string[]>();
  readonly #unsubscribe: () => void;

  constructor(source: FrameSource, options: TelemetryOptions = {}) {
    this.#systems = options.systemIds ? new Set(options.systemIds) : undefined;
    this.#unsubscribe = source.subscribe((f) => this.handle(f));
  }

  /** Listens to one kind (typed), or to every event with `'*'`. Returns the unsubscribe function. */
  on<K extends TelemetryKind>(kind: K, listener: (e: TelemetryOf<K>) => void): () => void;
  on(kind: '*', listener: (e: TelemetryEvent) => void): () => void;
  on(kind: TelemetryKind | '*', listener: (e: never) => void): () => void {
    let set = this.#listeners.get(kind);
    if (!set) this.#listeners.set(kind, (set = new Set()));
    const l = listener as (e: TelemetryEvent) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** The latest event of each kind for a system. */
  snapshot(systemId: number): VehicleSnapshot {
    return { ...this.#latest.get(systemId) };
  }

  /** Systems seen so far. */
  systems(): number[] {
    return [...this.#latest.keys()];
  }

  close(): void {
    this.#unsubscribe();
  }

  /** Feeds one frame (called by the subscription; public for replays and tests). */
  handle(frame: ReceivedFrame): void {
    if (this.#systems && !this.#systems.has(frame.systemId)) return;
    if (frame.name === 'SYS_STATUS') {
      for (const e of sysStatusEvents(frame)) this.#emit(e);
      return;
    }
    if (frame.name === 'STATUSTEXT') {
      const e = this.#statusText(frame);
      if (e) this.#emit(e);
      return;
    }
    const e = toTelemetryEvent(frame);
    if (e) this.#emit(e);
  }

  #statusText(frame: ReceivedFrame): TelemetryEvent | undefined {
    const m = frame.message as common.StatusText;
    const severity = Number(m.severity);
    const base = {
      systemId: frame.systemId,
      componentId: frame.componentId,
      atMs: frame.receivedAtMs,
    };
    const make = (text: string): TelemetryEvent => ({
      ...base,
      kind: 'status-text',
      severity,
      severityName: SEVERITY[severity] ?? 'DEBUG',
      text,
    });
    const id = Number(m.id ?? 0);
    if (id === 0) return make(m.text);
    // Chunked text (MAVLink 2 extension): 50-char chunks until one shorter than 50.
    const key = `${frame.systemId}:${id}`;
    const parts = this.#chunks.get(key) ?? [];
    parts[Number(m.chunkSeq ?? 0)] = m.text;
    if (m.text.length < 50) {
      this.#chunks.delete(key);
      return make(parts.map((p) => p ?? '').join(''));
    }
    this.#chunks.set(key, parts);
    if (this.#chunks.size > 32) {
      const oldest = this.#chunks.keys().next().value;
      if (oldest !== undefined) this.#chunks.delete(oldest);
    }
    return undefined;
  }

  #emit(e: TelemetryEvent): void {
    let snap = this.#latest.get(e.systemId);
    if (!snap) this.#latest.set(e.systemId, (snap = {}));
    (snap as Record<string, TelemetryEvent>)[e.kind] = e;
    const kindSet = this.#listeners.get(e.kind);
    if (kindSet) for (const l of kindSet) l(e);
    const all = this.#listeners.get('*');
    if (all) for (const l of all) l(e);
  }
}
