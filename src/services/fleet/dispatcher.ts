/**
 * What the bridge side must provide to fly a sortie from a dock. The dispatch sequence
 * ({@link SortieDispatch}) drives a Dispatcher; the bridge implements it over MAVLink
 * (`bridge-dispatcher.ts`, when the bridge lands), tests implement it in memory.
 *
 * Every command takes an AbortSignal: the sequence aborts it when the step's timeout passes,
 * and maps the step to a `timeout` failure whatever the Dispatcher does afterwards.
 */
import type { MissionItem } from '../../../firmware-bridge/index';

/**
 * The closed failure taxonomy of dispatch commands: the bridge's protocol outcomes
 * (timeout, rejected, denied, unsupported, busy, protocol-error, cancelled, link-down,
 * mismatch) plus `dock-fault` for the dock's own mechanisms.
 */
export type DispatchFailureKind =
  | 'timeout'
  | 'rejected'
  | 'denied'
  | 'unsupported'
  | 'busy'
  | 'protocol-error'
  | 'cancelled'
  | 'link-down'
  | 'mismatch'
  | 'dock-fault';

export type DispatchOutcome<T = undefined> =
  { ok: true; value: T } | { ok: false; kind: DispatchFailureKind; reason: string };

/** Which dock and drone, and how to reach them. */
export interface DispatchTarget {
  sortieId: string;
  dockId: string;
  droneId: string;
  /** MAVSDK-style link URL of the dock (serial:///dev/ttyUSB0:57600, udpin://…). */
  linkUrl: string;
  dockSystemId: number | null;
  droneSystemId: number;
}

/** The dock and its drone, as reported just before a launch. */
export interface DockStatus {
  roof: 'open' | 'closed' | 'moving' | 'fault';
  /** The roof mechanism reports no fault. */
  roofOk: boolean;
  droneInDock: boolean;
  droneBatteryPct: number;
  windMps: number;
  raining: boolean;
  charging: boolean;
  /** Heartbeats from the drone arrive on time. */
  linkHealthy: boolean;
}

export type UploadKind = 'fence' | 'rally' | 'mission';

/** What the vehicle reports during a sortie. */
export type VehicleEvent =
  /** The vehicle reached mission item `reachedItem` (MISSION_ITEM_REACHED, 0-based seq). */
  | { type: 'progress'; reachedItem: number; totalItems: number }
  /** The last item was reached: the mission is flown. */
  | { type: 'mission_complete' }
  /** On the ground and disarmed; `inDock` when the dock sees it on its pad. */
  | { type: 'landed'; inDock: boolean }
  | { type: 'battery'; pct: number }
  /** The vehicle switched itself into a failsafe (RTL, LAND, …): never override it. */
  | { type: 'failsafe'; cause: string; mode: string }
  | { type: 'link'; healthy: boolean }
  | {
      type: 'position';
      lon: number;
      lat: number;
      altM: number;
      groundSpeedMps: number | null;
      batteryPct: number | null;
      mode: string | null;
      /** Time on the link's clock, ms. */
      atMs: number;
    };

/**
 * The bridge's side of dispatch. Every method resolves (never rejects on a vehicle-side
 * failure): failures are {@link DispatchOutcome} values with a kind and a reason.
 */
export interface Dispatcher {
  dockStatus(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome<DockStatus>>;
  openRoof(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  closeRoof(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  /** Uploads items of one mission type and reads them back; `mismatch` when they differ. */
  uploadAndVerify(
    target: DispatchTarget,
    kind: UploadKind,
    items: readonly MissionItem[],
    signal: AbortSignal,
  ): Promise<DispatchOutcome<{ count: number }>>;
  arm(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  disarm(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  /** Sets the current item to `fromItem`, takes off and switches to AUTO. */
  startMission(
    target: DispatchTarget,
    fromItem: number,
    signal: AbortSignal,
  ): Promise<DispatchOutcome>;
  /** Pause: hold position (BRAKE / LOITER). */
  hold(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  /** Resume the mission where it was held (AUTO). */
  resumeMission(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  returnToLaunch(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  land(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  startCharging(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome>;
  /** Subscribes to the vehicle's events; returns the unsubscribe function. */
  watch(target: DispatchTarget, listener: (event: VehicleEvent) => void): () => void;
}

/** A dock's live state for the fleet picture (roof, charger, weather). */
export interface DockLiveState {
  live: boolean;
  roof: 'closed' | 'opening' | 'open' | 'closing' | 'fault' | 'unknown';
  charger: 'idle' | 'charging' | 'full' | 'fault' | 'unknown';
  dronePresent: boolean | null;
  droneBatteryPct: number | null;
  windMps: number | null;
  rain: 'none' | 'light' | 'heavy' | 'unknown';
  temperatureC: number | null;
  alarms: string[];
}

/** What to watch outside sorties: a dock and the drone that lives in it. */
export interface ObservedDock {
  dockId: string;
  linkUrl: string;
  dockSystemId: number | null;
  droneId: string | null;
  droneSystemId: number | null;
}

/**
 * Optional capability of a Dispatcher: watch docks and their drones all the time (not only
 * during a sortie), for the live fleet stream and the stored telemetry.
 */
export interface FleetObserver {
  observe(
    dock: ObservedDock,
    listeners: {
      dock(state: DockLiveState): void;
      drone(event: Extract<VehicleEvent, { type: 'position' }>): void;
    },
  ): () => void;
}

export function isFleetObserver(d: Dispatcher): d is Dispatcher & FleetObserver {
  return typeof (d as Partial<FleetObserver>).observe === 'function';
}

/** Per-step timeouts of the dispatch sequence, ms. */
export interface DispatchTimeouts {
  dockStatusMs: number;
  openRoofMs: number;
  closeRoofMs: number;
  uploadMs: number;
  armMs: number;
  takeoffMs: number;
  /** No progress, position or link event for this long: the link is reported lost. */
  silenceMs: number;
  /** Longest the flight may last before the sequence commands a return (also after resume). */
  flightMaxMs: number;
  /** From return commanded (or failsafe) to landed. */
  returnMs: number;
  chargeMs: number;
  /** For commands sent in flight (hold, resume, RTL, land). */
  commandMs: number;
}

/** QGC-like named timing: generous for mechanics, tight for the link. */
export const DEFAULT_DISPATCH_TIMEOUTS: DispatchTimeouts = {
  dockStatusMs: 5_000,
  openRoofMs: 60_000,
  closeRoofMs: 60_000,
  uploadMs: 30_000,
  armMs: 10_000,
  takeoffMs: 30_000,
  silenceMs: 5_000,
  flightMaxMs: 60 * 60_000,
  returnMs: 15 * 60_000,
  chargeMs: 10_000,
  commandMs: 5_000,
};
