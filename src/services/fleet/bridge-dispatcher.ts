/**
 * The Dispatcher over the firmware bridge: one MAVLink link per dock URL (a dock and its drone
 * share it), the dock dialect for roof and charger, the mission protocol for uploads with
 * read-back verification, commands for arming and flight, telemetry and link health for events.
 */
import {
  ActionClient,
  DOCK_MESSAGES,
  DockController,
  LinkHealth,
  MavLink,
  MissionClient,
  createMessageRegistry,
  sendCommand,
  systemClock,
  type Clock,
  type LinkEndpoint,
  type MissionItem,
  type Outcome,
  type Telemetry as TelemetryType,
  type TelemetryEvent,
} from '../../../firmware-bridge/index';
import { Telemetry } from '../../../firmware-bridge/index';
import type {
  DispatchOutcome,
  DispatchTarget,
  Dispatcher,
  DockLiveState,
  DockStatus,
  FleetObserver,
  ObservedDock,
  UploadKind,
  VehicleEvent,
} from './dispatcher';

/** MAV_CMD_DO_SET_MISSION_CURRENT: start AUTO from a given item (resume). */
const DO_SET_MISSION_CURRENT = 224;
/** ArduPilot keeps home in mission slot 0: route item i is vehicle item i + 1. */
const HOME_SLOT = 1;
/** Modes a vehicle enters on its own in a failsafe (unless we commanded them). */
const FAILSAFE_MODES = new Set(['RTL', 'SMART_RTL', 'LAND', 'BRAKE']);
/** Modes our own return commands lead through. */
const RETURN_MODES = new Set(['RTL', 'LAND']);
/** A failsafe STATUSTEXT this recent explains the next mode change, ms. */
const FAILSAFE_TEXT_WINDOW_MS = 3_000;
/** After touchdown, wait this long for the dock to see the drone on its pad, ms. */
const DOCK_PAD_SETTLE_MS = 1_500;

export interface BridgeDispatcherOptions {
  clock?: Clock;
  /** Our GCS heartbeat period, ms (vehicles run a GCS failsafe on its absence). */
  heartbeatIntervalMs?: number;
  /** No heartbeat from the drone for this long: the link is reported lost, ms. */
  lostAfterMs?: number;
  /** How long arming retries while the vehicle runs its pre-arm checks, ms. */
  armWaitReadyMs?: number;
  /** Take-off altitude when resuming from a later item, metres above home. */
  resumeTakeoffAltM?: number;
  /** Position rate asked of observed drones (SET_MESSAGE_INTERVAL), Hz; vehicle default if absent. */
  positionRateHz?: number;
}

/** GLOBAL_POSITION_INT. */
const GLOBAL_POSITION_INT_ID = 33;

interface Session {
  link: MavLink;
  gcs: LinkEndpoint;
  health: LinkHealth;
  telemetry: TelemetryType;
  docks: Map<number, DockController>;
}

const ok = <T>(value: T): DispatchOutcome<T> => ({ ok: true, value });

function fromOutcome<T, U>(o: Outcome<T>, map: (v: T) => U): DispatchOutcome<U> {
  return o.ok ? ok(map(o.value)) : { ok: false, kind: o.kind, reason: o.reason };
}

/**
 * @example
 * const dispatcher = new BridgeDispatcher();
 * fleetServiceFor(deps).useDispatcher(dispatcher);
 * // … on shutdown
 * await dispatcher.close();
 */
export class BridgeDispatcher implements Dispatcher, FleetObserver {
  private readonly clock: Clock;
  private readonly sessions = new Map<string, Promise<Session>>();
  /** Modes we asked for per drone, so a failsafe is told from our own RTL / LAND. */
  private readonly commanded = new Map<number, string>();
  private positions = 0;

  constructor(private readonly options: BridgeDispatcherOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Opens (once) the link of a dock URL. */
  private session(linkUrl: string): Promise<Session> {
    let s = this.sessions.get(linkUrl);
    if (!s) {
      s = (async () => {
        const link = new MavLink({
          transport: linkUrl,
          registry: createMessageRegistry({ extra: DOCK_MESSAGES }),
          clock: this.clock,
        });
        await link.open();
        const gcs = link.endpoint();
        const health = new LinkHealth({
          endpoint: gcs,
          clock: this.clock,
          pendingWriteAgeMs: () => link.oldestPendingWriteAgeMs(),
          ...(this.options.heartbeatIntervalMs
            ? { heartbeatIntervalMs: this.options.heartbeatIntervalMs }
            : {}),
          ...(this.options.lostAfterMs ? { lostAfterMs: this.options.lostAfterMs } : {}),
        });
        health.start();
        return { link, gcs, health, telemetry: new Telemetry(link), docks: new Map() };
      })();
      this.sessions.set(linkUrl, s);
      s.catch(() => this.sessions.delete(linkUrl));
    }
    return s;
  }

  private async dock(target: DispatchTarget): Promise<DockController> {
    const s = await this.session(target.linkUrl);
    if (target.dockSystemId === null)
      throw new Error(`dock ${target.dockId} has no MAVLink system id`);
    let d = s.docks.get(target.dockSystemId);
    if (!d) {
      d = new DockController({
        endpoint: s.gcs,
        dockSystemId: target.dockSystemId,
        clock: this.clock,
      });
      s.docks.set(target.dockSystemId, d);
    }
    return d;
  }

  private async actions(target: DispatchTarget): Promise<ActionClient> {
    const s = await this.session(target.linkUrl);
    return new ActionClient({
      endpoint: s.gcs,
      target: { systemId: target.droneSystemId, componentId: 1 },
      clock: this.clock,
    });
  }

  /** Runs `fn` on an open session; a link that cannot open becomes a `link-down` outcome. */
  private async guard<T>(
    what: string,
    fn: () => Promise<DispatchOutcome<T>>,
  ): Promise<DispatchOutcome<T>> {
    try {
      return await fn();
    } catch (err) {
      return {
        ok: false,
        kind: 'link-down',
        reason: `${what}: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }

  dockStatus(target: DispatchTarget, signal: AbortSignal): Promise<DispatchOutcome<DockStatus>> {
    return this.guard('dock status', async () => {
      const dock = await this.dock(target);
      const s = await this.session(target.linkUrl);
      while (!dock.state && !signal.aborted) {
        await new Promise<void>((r) => this.clock.setTimeout(r, 100));
      }
      const state = dock.state;
      if (!state) return { ok: false, kind: 'cancelled', reason: 'no DOCK_STATUS yet' };
      const battery = s.telemetry.snapshot(target.droneSystemId).battery?.batteryPct ?? null;
      return ok({
        roof:
          state.roof === 'opening' || state.roof === 'closing'
            ? 'moving'
            : state.roof === 'fault'
              ? 'fault'
              : state.roof,
        roofOk: state.roof !== 'fault' && !state.alarms.includes('roof_fault'),
        droneInDock: state.dronePresent,
        droneBatteryPct: state.droneBatteryPct ?? battery ?? 0,
        windMps: state.windMps,
        raining: state.rain !== 'none',
        charging: state.charger === 'charging',
        linkHealthy: s.health.isAlive(target.droneSystemId) && dock.liveness === 'live',
      });
    });
  }

  openRoof(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('open roof', async () =>
      fromOutcome(await (await this.dock(target)).openRoof(), () => undefined),
    );
  }

  closeRoof(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('close roof', async () =>
      fromOutcome(await (await this.dock(target)).closeRoof(), () => undefined),
    );
  }

  startCharging(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('start charging', async () =>
      fromOutcome(await (await this.dock(target)).startCharging(), () => undefined),
    );
  }

  uploadAndVerify(
    target: DispatchTarget,
    kind: UploadKind,
    items: readonly MissionItem[],
    signal: AbortSignal,
  ): Promise<DispatchOutcome<{ count: number }>> {
    return this.guard(`${kind} upload`, async () => {
      const s = await this.session(target.linkUrl);
      const client = new MissionClient({
        endpoint: s.gcs,
        target: { systemId: target.droneSystemId, componentId: 1 },
        clock: this.clock,
      });
      if (items.length === 0) {
        return fromOutcome(await client.clear(kind), () => ({ count: 0 }));
      }
      return fromOutcome(
        await client.upload(kind, items.map(restoreNaNParams), { signal }),
        (r) => ({
          count: r.count,
        }),
      );
    });
  }

  arm(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('arm', async () => {
      const actions = await this.actions(target);
      const mode = await actions.setMode('GUIDED');
      if (!mode.ok) return fromOutcome(mode, () => undefined);
      this.commanded.set(target.droneSystemId, 'GUIDED');
      return fromOutcome(
        await actions.arm({ waitReadyMs: this.options.armWaitReadyMs ?? 30_000 }),
        () => undefined,
      );
    });
  }

  disarm(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('disarm', async () =>
      fromOutcome(await (await this.actions(target)).disarm(), () => undefined),
    );
  }

  startMission(target: DispatchTarget, fromItem: number): Promise<DispatchOutcome> {
    return this.guard('start mission', async () => {
      const actions = await this.actions(target);
      this.commanded.set(target.droneSystemId, 'AUTO');
      if (fromItem === 0) return fromOutcome(await actions.startMission(), () => undefined);
      // Resume: climb in GUIDED, point the mission at the item after the last reached, go AUTO.
      const up = await actions.takeoff(this.options.resumeTakeoffAltM ?? 30);
      if (!up.ok) return fromOutcome(up, () => undefined);
      const s = await this.session(target.linkUrl);
      const current = await sendCommand({
        endpoint: s.gcs,
        clock: this.clock,
        target: { systemId: target.droneSystemId, componentId: 1 },
        request: { command: DO_SET_MISSION_CURRENT, params: { 1: fromItem + HOME_SLOT } },
      });
      if (!current.ok) return fromOutcome(current, () => undefined);
      return fromOutcome(await actions.setMode('AUTO'), () => undefined);
    });
  }

  hold(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('pause', async () =>
      fromOutcome(await (await this.actions(target)).pause(), () => undefined),
    );
  }

  resumeMission(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('resume', async () =>
      fromOutcome(await (await this.actions(target)).resume(), () => undefined),
    );
  }

  returnToLaunch(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('return to launch', async () => {
      this.commanded.set(target.droneSystemId, 'RTL');
      return fromOutcome(await (await this.actions(target)).returnToLaunch(), () => undefined);
    });
  }

  land(target: DispatchTarget): Promise<DispatchOutcome> {
    return this.guard('land', async () => {
      this.commanded.set(target.droneSystemId, 'LAND');
      return fromOutcome(await (await this.actions(target)).land(), () => undefined);
    });
  }

  watch(target: DispatchTarget, listener: (event: VehicleEvent) => void): () => void {
    const id = target.droneSystemId;
    let stopped = false;
    const cleanups: (() => void)[] = [];
    let totalItems = 0;
    let lastMode: string | null = null;
    let lastText = '';
    let lastTextAtMs = 0;
    let missionDone = false;
    let airborne = false;
    let battery: number | null = null;
    void this.session(target.linkUrl)
      .then(async (s) => {
        if (stopped) return;
        const dock = target.dockSystemId === null ? null : await this.dock(target);
        cleanups.push(
          s.health.on((e) => {
            if ((e.type === 'vehicle-lost' || e.type === 'vehicle-found') && e.systemId === id) {
              listener({ type: 'link', healthy: e.type === 'vehicle-found' });
            }
          }),
        );
        cleanups.push(
          s.telemetry.on('*', (e: TelemetryEvent) => {
            if (e.systemId !== id) return;
            switch (e.kind) {
              case 'position':
                if (!e.positionValid) return;
                listener({
                  type: 'position',
                  lon: e.position[0],
                  lat: e.position[1],
                  altM: e.altitudeRelativeM,
                  groundSpeedMps: Math.hypot(e.velocityNorthMps, e.velocityEastMps),
                  batteryPct: battery,
                  mode: lastMode,
                  atMs: e.atMs,
                });
                return;
              case 'battery':
                if (e.batteryPct === null) return;
                battery = e.batteryPct;
                listener({ type: 'battery', pct: e.batteryPct });
                return;
              case 'mission-current':
                if (e.total !== null) totalItems = Math.max(0, e.total - HOME_SLOT);
                return;
              case 'mission-item-reached': {
                const reached = e.seq - HOME_SLOT;
                listener({ type: 'progress', reachedItem: reached, totalItems });
                if (totalItems > 0 && reached >= totalItems - 1) {
                  missionDone = true;
                  listener({ type: 'mission_complete' });
                }
                return;
              }
              case 'status-text':
                lastText = e.text;
                lastTextAtMs = e.atMs;
                return;
              case 'heartbeat': {
                const changed = e.mode !== lastMode;
                lastMode = e.mode;
                if (!changed || !airborne || !FAILSAFE_MODES.has(e.mode)) return;
                // Our own RTL ends in LAND, and a mission may end in RTL: neither is a failsafe.
                // A failsafe STATUSTEXT ("Battery Failsafe", "GCS Failsafe", …) always is.
                const ours = RETURN_MODES.has(this.commanded.get(id) ?? '') || missionDone;
                const announced =
                  /failsafe/i.test(lastText) && e.atMs - lastTextAtMs < FAILSAFE_TEXT_WINDOW_MS;
                if (announced || !ours) {
                  listener({ type: 'failsafe', cause: lastText || `mode ${e.mode}`, mode: e.mode });
                }
                return;
              }
              case 'landed-state':
                if (e.landedState === 'in-air' || e.landedState === 'takeoff') airborne = true;
                if (e.landedState === 'on-ground' && airborne) {
                  airborne = false;
                  this.clock.setTimeout(() => {
                    if (!stopped)
                      listener({ type: 'landed', inDock: dock?.state?.dronePresent ?? true });
                  }, DOCK_PAD_SETTLE_MS);
                }
                return;
              default:
                return;
            }
          }),
        );
      })
      .catch((err: unknown) => {
        listener({ type: 'link', healthy: false });
        process.emitWarning(`bridge dispatcher cannot watch ${target.linkUrl}: ${String(err)}`);
      });
    return () => {
      stopped = true;
      for (const c of cleanups) c();
    };
  }

  /** Drone positions received by {@link observe} listeners since start. */
  get positionsReceived(): number {
    return this.positions;
  }

  /**
   * Watches a dock (DOCK_STATUS, liveness) and its drone's positions over the dock's link, for the
   * live fleet picture. Returns the unsubscribe function.
   */
  observe(
    dock: ObservedDock,
    listeners: {
      dock(state: DockLiveState): void;
      drone(event: Extract<VehicleEvent, { type: 'position' }>): void;
    },
  ): () => void {
    let stopped = false;
    const cleanups: (() => void)[] = [];
    void this.session(dock.linkUrl)
      .then(async (s) => {
        if (stopped) return;
        if (dock.dockSystemId !== null) {
          const controller = await this.dock({
            sortieId: '',
            dockId: dock.dockId,
            droneId: dock.droneId ?? '',
            linkUrl: dock.linkUrl,
            dockSystemId: dock.dockSystemId,
            droneSystemId: dock.droneSystemId ?? 0,
          });
          cleanups.push(
            controller.onEvent((e) => {
              const st = e.state;
              listeners.dock({
                live: e.liveness === 'live',
                roof: st?.roof ?? 'unknown',
                charger: st?.charger ?? 'unknown',
                dronePresent: st?.dronePresent ?? null,
                droneBatteryPct: st?.droneBatteryPct ?? null,
                windMps: st?.windMps ?? null,
                rain: st?.rain ?? 'unknown',
                temperatureC: st?.temperatureC ?? null,
                alarms: st ? [...st.alarms] : [],
              });
            }),
          );
        }
        if (dock.droneSystemId !== null && this.options.positionRateHz) {
          const actions = new ActionClient({
            endpoint: s.gcs,
            target: { systemId: dock.droneSystemId, componentId: 1 },
            clock: this.clock,
          });
          const rate = await actions.setMessageInterval(
            GLOBAL_POSITION_INT_ID,
            Math.round(1_000_000 / this.options.positionRateHz),
          );
          if (!rate.ok) {
            process.emitWarning(
              `drone ${dock.droneSystemId}: position rate not set: ${rate.reason}`,
            );
          }
        }
        if (dock.droneSystemId !== null) {
          let battery: number | null = null;
          let mode: string | null = null;
          cleanups.push(
            s.telemetry.on('*', (e: TelemetryEvent) => {
              if (e.systemId !== dock.droneSystemId) return;
              if (e.kind === 'battery' && e.batteryPct !== null) battery = e.batteryPct;
              else if (e.kind === 'heartbeat') mode = e.mode;
              else if (e.kind === 'position' && e.positionValid) {
                this.positions++;
                listeners.drone({
                  type: 'position',
                  lon: e.position[0],
                  lat: e.position[1],
                  altM: e.altitudeRelativeM,
                  groundSpeedMps: Math.hypot(e.velocityNorthMps, e.velocityEastMps),
                  batteryPct: battery,
                  mode,
                  atMs: e.atMs,
                });
              }
            }),
          );
        }
      })
      .catch((err: unknown) => {
        process.emitWarning(`bridge dispatcher cannot observe ${dock.linkUrl}: ${String(err)}`);
      });
    return () => {
      stopped = true;
      for (const c of cleanups) c();
    };
  }

  /** Closes every link. */
  async close(): Promise<void> {
    const sessions = await Promise.allSettled([...this.sessions.values()]);
    this.sessions.clear();
    for (const r of sessions) {
      if (r.status !== 'fulfilled') continue;
      for (const d of r.value.docks.values()) d.close();
      r.value.health.stop();
      r.value.telemetry.close?.();
      await r.value.link.close();
    }
  }
}

/**
 * Stored routes pass through JSON, which writes MAVLink's NaN params ("leave unchanged", e.g. a
 * waypoint's yaw) as null; the wire needs NaN back, not 0 (which would mean "face north").
 */
function restoreNaNParams(item: MissionItem): MissionItem {
  const nan = (v: number | null) => (v === null ? Number.NaN : v);
  const raw = item as unknown as Record<'param1' | 'param2' | 'param3' | 'param4', number | null>;
  return {
    ...item,
    param1: nan(raw.param1),
    param2: nan(raw.param2),
    param3: nan(raw.param3),
    param4: nan(raw.param4),
  };
}
