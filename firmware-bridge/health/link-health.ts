/**
 * Link health, both ways:
 *
 * - Our heartbeat at 1 Hz, honest about the command path. Like MAVSDK, it is a deadman: when the
 *   path is wedged (a send has not completed for `sendStallMs`, or the owner has not called
 *   `kick()` within `kickTimeoutMs`) we stop sending it, so the vehicle's GCS-loss failsafe can
 *   fire instead of trusting a ground station that can no longer command it.
 * - Each remote system's heartbeat: declared lost after 3.5 s of silence (3.5 missed 1 Hz
 *   heartbeats, QGroundControl's and MAVSDK's threshold), found again on the next one.
 *
 * All time comes from the injected clock.
 */
import { minimal } from 'node-mavlink';
import {
  systemClock,
  type Clock,
  type MavEndpoint,
  type ReceivedFrame,
  type TimerHandle,
} from '../link/types';

/** Our heartbeat period (the spec's 1 Hz). */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** Silence after which a remote system is declared lost (3.5 missed heartbeats). */
export const VEHICLE_LOST_AFTER_MS = 3500;
/** A send pending this long means the command path is wedged: stop our heartbeat. */
export const SEND_STALL_MS = 3000;
/** MAV_TYPE_GCS: heartbeats of other ground stations are not vehicles. */
export const MAV_TYPE_GCS = 6;
/** MAV_AUTOPILOT_INVALID: what a ground station puts in its heartbeat. */
export const MAV_AUTOPILOT_INVALID = 8;

/** What {@link LinkHealth.on} listeners receive; times in ms on the injected clock. */
export type HealthEvent =
  | { type: 'vehicle-found'; systemId: number; atMs: number; mavType: number; autopilot: number }
  | { type: 'vehicle-lost'; systemId: number; atMs: number; silentForMs: number }
  | { type: 'heartbeat-paused'; reason: 'send-stalled' | 'owner-silent'; atMs: number }
  | { type: 'heartbeat-resumed'; atMs: number };

/** One remote system's liveness. */
export interface VehicleLiveness {
  systemId: number;
  alive: boolean;
  lastHeartbeatMs: number;
}

/** Timing and deadman options; only `endpoint` is required. */
export interface LinkHealthOptions {
  /** Sends our heartbeat and hears theirs. */
  endpoint: MavEndpoint;
  clock?: Clock;
  heartbeatIntervalMs?: number;
  lostAfterMs?: number;
  /** Pause our heartbeat while a send has been pending this long (default 3000 ms). */
  sendStallMs?: number;
  /**
   * Age of the oldest unfinished write on the link (e.g. `() => link.oldestPendingWriteAgeMs()`).
   * Our own heartbeat sends are tracked regardless.
   */
  pendingWriteAgeMs?: () => number;
  /** When set, pause our heartbeat unless `kick()` was called within this many ms. */
  kickTimeoutMs?: number;
  /** MAV_TYPE in our heartbeat (default GCS). */
  mavType?: number;
}

/** Our own heartbeat's counters. */
export interface LinkHealthStats {
  heartbeatsSent: number;
  heartbeatsSkipped: number;
  heartbeatSendErrors: number;
}

/**
 * @example
 * const health = new LinkHealth({ endpoint: gcs, pendingWriteAgeMs: () => link.oldestPendingWriteAgeMs() });
 * health.on((e) => e.type === 'vehicle-lost' && log.warn(e));
 * health.start();
 */
export class LinkHealth {
  readonly stats: LinkHealthStats = {
    heartbeatsSent: 0,
    heartbeatsSkipped: 0,
    heartbeatSendErrors: 0,
  };
  readonly #endpoint: MavEndpoint;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #lostAfterMs: number;
  readonly #sendStallMs: number;
  readonly #pendingAge: () => number;
  readonly #kickTimeoutMs: number | undefined;
  readonly #mavType: number;
  readonly #listeners = new Set<(e: HealthEvent) => void>();
  readonly #vehicles = new Map<
    number,
    { alive: boolean; lastMs: number; timer: TimerHandle | undefined }
  >();
  #tick: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #lastKickMs = 0;
  #paused = false;
  #sendId = 0;
  /** Start times of our heartbeat sends that have not completed, by send id. */
  readonly #inFlightSince = new Map<number, number>();

  constructor(options: LinkHealthOptions) {
    this.#endpoint = options.endpoint;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.#lostAfterMs = options.lostAfterMs ?? VEHICLE_LOST_AFTER_MS;
    this.#sendStallMs = options.sendStallMs ?? SEND_STALL_MS;
    this.#pendingAge = options.pendingWriteAgeMs ?? (() => 0);
    this.#kickTimeoutMs = options.kickTimeoutMs;
    this.#mavType = options.mavType ?? MAV_TYPE_GCS;
  }

  on(listener: (e: HealthEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts sending our heartbeat (the first one immediately) and watching theirs. */
  start(): void {
    if (this.#unsubscribe) return;
    this.#lastKickMs = this.#clock.now();
    this.#unsubscribe = this.#endpoint.subscribe((f) => this.#onFrame(f));
    this.#beat();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#tick !== undefined) this.#clock.clearTimeout(this.#tick);
    this.#tick = undefined;
    for (const v of this.#vehicles.values())
      if (v.timer !== undefined) this.#clock.clearTimeout(v.timer);
    this.#vehicles.clear();
  }

  /** The owner's "I am still able to command" signal (only used with `kickTimeoutMs`). */
  kick(): void {
    this.#lastKickMs = this.#clock.now();
  }

  /** Whether we are currently withholding our heartbeat. */
  get paused(): boolean {
    return this.#paused;
  }

  isAlive(systemId: number): boolean {
    return this.#vehicles.get(systemId)?.alive ?? false;
  }

  vehicles(): VehicleLiveness[] {
    return [...this.#vehicles].map(([systemId, v]) => ({
      systemId,
      alive: v.alive,
      lastHeartbeatMs: v.lastMs,
    }));
  }

  #emit(e: HealthEvent): void {
    for (const l of this.#listeners) l(e);
  }

  #wedgedReason(now: number): 'send-stalled' | 'owner-silent' | undefined {
    let oldestOwn = 0;
    for (const since of this.#inFlightSince.values()) oldestOwn = Math.max(oldestOwn, now - since);
    if (Math.max(oldestOwn, this.#pendingAge()) >= this.#sendStallMs) return 'send-stalled';
    if (this.#kickTimeoutMs !== undefined && now - this.#lastKickMs >= this.#kickTimeoutMs)
      return 'owner-silent';
    return undefined;
  }

  #beat(): void {
    const now = this.#clock.now();
    const reason = this.#wedgedReason(now);
    if (reason) {
      this.stats.heartbeatsSkipped++;
      if (!this.#paused) {
        this.#paused = true;
        this.#emit({ type: 'heartbeat-paused', reason, atMs: now });
      }
    } else {
      if (this.#paused) {
        this.#paused = false;
        this.#emit({ type: 'heartbeat-resumed', atMs: now });
      }
      this.#sendHeartbeat(now);
    }
    this.#tick = this.#clock.setTimeout(() => this.#beat(), this.#intervalMs);
  }

  #sendHeartbeat(now: number): void {
    const hb = new minimal.Heartbeat();
    hb.type = this.#mavType;
    hb.autopilot = MAV_AUTOPILOT_INVALID;
    hb.baseMode = 0 as minimal.MavModeFlag;
    hb.customMode = 0;
    hb.systemStatus = 4; // MAV_STATE_ACTIVE
    hb.mavlinkVersion = 3;
    const id = this.#sendId++;
    this.#inFlightSince.set(id, now);
    this.#endpoint
      .send(hb)
      .then(
        () => {
          this.stats.heartbeatsSent++;
        },
        () => {
          // A failed write (link reconnecting) is the transport's story; here it only means no beat.
          this.stats.heartbeatSendErrors++;
        },
      )
      .finally(() => {
        this.#inFlightSince.delete(id);
      });
  }

  #onFrame(frame: ReceivedFrame): void {
    if (frame.messageId !== 0) return;
    const hb = frame.message as minimal.Heartbeat;
    if (hb.type === MAV_TYPE_GCS) return;
    if (frame.systemId === this.#endpoint.systemId) return;
    const now = this.#clock.now();
    let v = this.#vehicles.get(frame.systemId);
    if (!v)
      this.#vehicles.set(frame.systemId, (v = { alive: false, lastMs: now, timer: undefined }));
    v.lastMs = now;
    if (v.timer !== undefined) this.#clock.clearTimeout(v.timer);
    const entry = v;
    v.timer = this.#clock.setTimeout(() => {
      entry.timer = undefined;
      entry.alive = false;
      this.#emit({
        type: 'vehicle-lost',
        systemId: frame.systemId,
        atMs: this.#clock.now(),
        silentForMs: this.#clock.now() - entry.lastMs,
      });
    }, this.#lostAfterMs);
    if (!v.alive) {
      v.alive = true;
      this.#emit({
        type: 'vehicle-found',
        systemId: frame.systemId,
        atMs: now,
        mavType: Number(hb.type),
        autopilot: Number(hb.autopilot),
      });
    }
  }
}
