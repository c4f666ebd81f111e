/**
 * A simulated ArduPilot-like copter on any {@link MavEndpoint}: HEARTBEAT with Copter custom
 * modes, arming checks, takeoff, AUTO missions at cruise speed with MISSION_CURRENT and
 * MISSION_ITEM_REACHED, RTL, LAND, LOITER/BRAKE hold, pause/continue, GLOBAL_POSITION_INT,
 * SYS_STATUS / BATTERY_STATUS with drain, HOME_POSITION, failsafes on GCS heartbeat loss (→ RTL)
 * and low battery (→ RTL, then LAND), message intervals, and the named failure modes.
 *
 * The `ardupilot` profile adds what a real ArduPilot does that textbooks omit: MISSION_REQUEST
 * (not _INT), no plan ids, position 0,0 until the estimator converges, arming refused until
 * pre-arm checks pass, and no telemetry streams until asked (HEARTBEAT only).
 */
import { common, minimal } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame, TimerHandle } from '../link/types';
import type { MissionItem } from '../mission-item';
import { COPTER_MODE_NUMBERS } from '../protocol/flight-modes';
import { MAV_RESULT } from '../protocol/command';
import { isAddressedTo } from '../protocol/target';
import type { FailureMode } from './failure-modes';
import { MissionServer } from './mission-server';

const M = COPTER_MODE_NUMBERS;
const ARMABLE_MODES: readonly number[] = [M.STABILIZE, M.ALT_HOLD, M.GUIDED, M.LOITER, M.POSHOLD];
const SETTABLE_MODES: readonly number[] = [
  M.STABILIZE,
  M.ALT_HOLD,
  M.AUTO,
  M.GUIDED,
  M.LOITER,
  M.RTL,
  M.LAND,
  M.POSHOLD,
  M.BRAKE,
];
const STREAMABLE = new Set([0, 1, 24, 33, 42, 147, 242, 245]);
const TEXTBOOK_STREAMS_MS: Record<number, number> = {
  1: 1000,
  24: 1000,
  33: 250,
  42: 1000,
  147: 1000,
  245: 1000,
};
const TICK_MS = 100;
const METERS_PER_DEG_LAT = 110_540;
const METERS_PER_DEG_LON_EQ = 111_320;
/** ArduPilot DISARM_DELAY: disarm after this long armed on the ground without taking off. */
const AUTO_DISARM_MS = 10_000;
const RTL_ALT_M = 15;

export type DroneProfile = 'textbook' | 'ardupilot';

export interface SimDroneOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  /** `[lon, lat]` where the drone boots (its dock). */
  home: [number, number];
  homeAltAmslM?: number;
  profile?: DroneProfile;
  failureMode?: FailureMode;
  cruiseSpeedMps?: number;
  climbRateMps?: number;
  descentRateMps?: number;
  /** Flight time on a full battery, in seconds. */
  enduranceS?: number;
  batteryPct?: number;
  /** FS_GCS_TIMEOUT: RTL after this long without a GCS heartbeat while flying; 0 disables. */
  gcsFailsafeTimeoutMs?: number;
  lowBatteryPct?: number;
  criticalBatteryPct?: number;
  /** ardupilot profile: position 0,0 until this long after boot. */
  ekfConvergeMs?: number;
  /** ardupilot profile: arming refused until this long after boot. */
  armingReadyMs?: number;
  seed?: number;
  /** Stream nothing but HEARTBEAT until SET_MESSAGE_INTERVAL asks (default: the ardupilot profile). */
  silentUntilAsked?: boolean;
}

interface CommandIn {
  command: number;
  confirmation: number;
  params: [number, number, number, number, number, number, number];
  kind: 'long' | 'int';
  from: { systemId: number; componentId: number };
}

/**
 * @example
 * const drone = new SimDrone({ endpoint, clock, home: [119.9, 30.3] });
 * // … fly it with ActionClient / MissionClient; drone.close() when done.
 */
export class SimDrone {
  readonly missions: MissionServer;
  /** Every command received, in order (tests read confirmations here). */
  readonly commandsReceived: CommandIn[] = [];
  /** Every MISSION_ITEM_REACHED sent (vehicle seq, home = 0) with the arming it belongs to. */
  readonly itemsReached: { seq: number; flight: number }[] = [];
  /** Armings since boot: a flight is the time between an arming and the next. */
  flights = 0;
  mode: number = M.STABILIZE;
  armed = false;
  landed = true;
  position: [number, number];
  altRelM = 0;
  headingDeg = 0;
  batteryPct: number;
  homePosition: [number, number];
  missionCurrent = 0;
  paused = false;
  failsafe: 'none' | 'gcs' | 'battery' = 'none';
  private readonly opts: Required<
    Omit<SimDroneOptions, 'failureMode' | 'seed' | 'homeAltAmslM' | 'silentUntilAsked'>
  > & {
    failureMode: FailureMode;
    homeAltAmslM: number;
  };
  private readonly bootMs: number;
  private readonly streams = new Map<number, { intervalMs: number; nextMs: number }>();
  private nextHeartbeatMs: number;
  private lastGcsHeartbeatMs: number | undefined;
  private landedArmedSinceMs: number | undefined;
  private guidedTargetAltM: number | undefined;
  private holdUntilMs: number | undefined;
  private rtlPhase: 'climb' | 'return' | 'descend' = 'climb';
  private readonly attemptsByCommand = new Map<number, number>();
  private readonly inProgress = new Set<number>();
  private tickTimer: TimerHandle | undefined;
  private readonly pendingTimers = new Set<TimerHandle>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(options: SimDroneOptions) {
    const profile = options.profile ?? 'textbook';
    this.opts = {
      endpoint: options.endpoint,
      clock: options.clock,
      home: options.home,
      homeAltAmslM: options.homeAltAmslM ?? 20,
      profile,
      failureMode: options.failureMode ?? 'none',
      cruiseSpeedMps: options.cruiseSpeedMps ?? 10,
      climbRateMps: options.climbRateMps ?? 2.5,
      descentRateMps: options.descentRateMps ?? 1.5,
      enduranceS: options.enduranceS ?? 1500,
      batteryPct: options.batteryPct ?? 100,
      gcsFailsafeTimeoutMs: options.gcsFailsafeTimeoutMs ?? 5000,
      lowBatteryPct: options.lowBatteryPct ?? 25,
      criticalBatteryPct: options.criticalBatteryPct ?? 12,
      ekfConvergeMs: options.ekfConvergeMs ?? (profile === 'ardupilot' ? 8000 : 0),
      armingReadyMs: options.armingReadyMs ?? (profile === 'ardupilot' ? 30_000 : 0),
    };
    this.position = [...options.home];
    this.homePosition = [...options.home];
    this.batteryPct = this.opts.batteryPct;
    this.bootMs = options.clock.now();
    this.nextHeartbeatMs = this.bootMs;
    if (!(options.silentUntilAsked ?? profile === 'ardupilot')) {
      for (const [id, ms] of Object.entries(TEXTBOOK_STREAMS_MS))
        this.streams.set(Number(id), { intervalMs: ms, nextMs: this.bootMs });
    }
    this.missions = new MissionServer({
      endpoint: options.endpoint,
      clock: options.clock,
      failureMode: this.opts.failureMode,
      requestNotInt: profile === 'ardupilot',
      planIds: profile !== 'ardupilot',
      homeItem: () => this.homeItem(),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    this.unsubscribe = options.endpoint.subscribe((f) => this.onFrame(f));
    this.tick();
  }

  get systemId(): number {
    return this.opts.endpoint.systemId;
  }

  /** Stops timers and listeners. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.missions.close();
    if (this.tickTimer !== undefined) this.opts.clock.clearTimeout(this.tickTimer);
    for (const t of this.pendingTimers) this.opts.clock.clearTimeout(t);
    this.pendingTimers.clear();
  }

  /** Charges the battery (a dock's charger); only while landed and disarmed. */
  charge(pct: number): void {
    if (this.landed && !this.armed) this.batteryPct = Math.min(100, this.batteryPct + pct);
  }

  private get now(): number {
    return this.opts.clock.now();
  }

  private get ekfReady(): boolean {
    return this.now - this.bootMs >= this.opts.ekfConvergeMs;
  }

  private later(ms: number, fn: () => void): void {
    const h = this.opts.clock.setTimeout(() => {
      this.pendingTimers.delete(h);
      if (!this.closed) fn();
    }, ms);
    this.pendingTimers.add(h);
  }

  private send(message: MavLinkData): void {
    this.opts.endpoint.send(message).catch((err: unknown) => {
      process.emitWarning(
        `sim drone ${this.systemId}: send failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  private text(severity: number, text: string): void {
    const m = new common.StatusText();
    m.severity = severity;
    m.text = text.slice(0, 50);
    m.id = 0;
    m.chunkSeq = 0;
    this.send(m);
  }

  private homeItem(): MissionItem {
    return {
      command: 16,
      frame: 0,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      position: this.ekfReady ? this.homePosition : null,
      altM: this.opts.homeAltAmslM,
      autocontinue: true,
    };
  }

  // ---- inbound ----------------------------------------------------------------------------

  private onFrame(frame: ReceivedFrame): void {
    const m = frame.message;
    if (m instanceof minimal.Heartbeat) {
      if (m.type === 6) this.lastGcsHeartbeatMs = this.now; // MAV_TYPE_GCS
      return;
    }
    const from = { systemId: frame.systemId, componentId: frame.componentId };
    if (m instanceof common.CommandLong && isAddressedTo(m, this.opts.endpoint)) {
      this.onCommand({
        command: m.command,
        confirmation: m.confirmation,
        params: [m._param1, m._param2, m._param3, m._param4, m._param5, m._param6, m._param7],
        kind: 'long',
        from,
      });
    } else if (m instanceof common.CommandInt && isAddressedTo(m, this.opts.endpoint)) {
      this.onCommand({
        command: m.command,
        confirmation: 0,
        params: [
          m._param1,
          m._param2,
          m._param3,
          m._param4,
          m._param5 / 1e7,
          m._param6 / 1e7,
          m._param7,
        ],
        kind: 'int',
        from,
      });
    } else if (m instanceof common.SetMode && m.targetSystem === this.systemId) {
      this.setMode(m.customMode);
    } else if (m instanceof common.MissionSetCurrent && isAddressedTo(m, this.opts.endpoint)) {
      // The deprecated message form: no ACK; ArduPilot answers a valid seq with MISSION_CURRENT
      // and an invalid one with nothing.
      this.setMissionCurrent(m.seq);
    }
  }

  private ack(c: CommandIn, result: number, progress = 0): void {
    const a = new common.CommandAck();
    a.command = c.command;
    a.result = result;
    a.progress = progress;
    a.resultParam2 = 0;
    a.targetSystem = c.from.systemId;
    a.targetComponent = c.from.componentId;
    this.send(a);
  }

  private onCommand(c: CommandIn): void {
    this.commandsReceived.push(c);
    const attempt = (this.attemptsByCommand.get(c.command) ?? 0) + 1;
    this.attemptsByCommand.set(c.command, attempt);
    const mode = this.opts.failureMode;
    if (mode === 'command-no-ack') return;
    if (mode === 'command-no-ack-first' && attempt === 1) return;
    if (mode.startsWith('command-in-progress')) {
      if (this.inProgress.has(c.command)) return this.ack(c, MAV_RESULT.IN_PROGRESS, 255);
      this.inProgress.add(c.command);
      this.ack(c, MAV_RESULT.IN_PROGRESS, 0);
      if (mode === 'command-in-progress-no-result') return;
      this.later(500, () => this.ack(c, MAV_RESULT.IN_PROGRESS, 50));
      this.later(1000, () => this.ack(c, MAV_RESULT.IN_PROGRESS, 100));
      this.later(1500, () => {
        this.inProgress.delete(c.command);
        const result =
          mode === 'command-in-progress-then-failed' ? MAV_RESULT.FAILED : this.execute(c);
        this.ack(c, result);
      });
      return;
    }
    this.ack(c, this.execute(c));
  }

  /** Runs a command and returns its MAV_RESULT. */
  private execute(c: CommandIn): number {
    const [p1, p2, , , p5, p6, p7] = c.params;
    switch (c.command) {
      case 176: // DO_SET_MODE
        return this.setMode(Math.round(p2)) ? MAV_RESULT.ACCEPTED : MAV_RESULT.FAILED;
      case 400: // COMPONENT_ARM_DISARM
        return p1 === 1 ? this.arm(p2 === 21196) : this.disarm(p2 === 21196);
      case 22: // NAV_TAKEOFF
        if (this.mode !== M.GUIDED || !this.armed || !this.landed) {
          this.text(4, 'Takeoff: need GUIDED, armed, on ground');
          return MAV_RESULT.FAILED;
        }
        this.landed = false;
        this.guidedTargetAltM = Math.max(1, p7);
        return MAV_RESULT.ACCEPTED;
      case 300: // MISSION_START
        if (!this.armed || this.missions.stored('mission').items.length < 2)
          return MAV_RESULT.FAILED;
        this.mode = M.AUTO;
        this.paused = false;
        this.missionCurrent = 1;
        this.holdUntilMs = undefined;
        this.sendMissionCurrent();
        return MAV_RESULT.ACCEPTED;
      case 224: // DO_SET_MISSION_CURRENT
        return this.setMissionCurrent(p1) ? MAV_RESULT.ACCEPTED : MAV_RESULT.FAILED;
      case 193: // DO_PAUSE_CONTINUE
        if (this.mode !== M.AUTO && this.mode !== M.GUIDED) return MAV_RESULT.FAILED;
        this.paused = p1 === 0;
        return MAV_RESULT.ACCEPTED;
      case 20: // NAV_RETURN_TO_LAUNCH
        return this.setMode(M.RTL) ? MAV_RESULT.ACCEPTED : MAV_RESULT.FAILED;
      case 21: // NAV_LAND
        if (p5 !== 0 || p6 !== 0) this.guidedTargetAltM = undefined;
        return this.setMode(M.LAND) ? MAV_RESULT.ACCEPTED : MAV_RESULT.FAILED;
      case 511: {
        // SET_MESSAGE_INTERVAL
        const id = Math.round(p1);
        if (!STREAMABLE.has(id)) return MAV_RESULT.UNSUPPORTED;
        if (p2 < 0) this.streams.delete(id);
        else
          this.streams.set(id, {
            intervalMs: p2 === 0 ? (TEXTBOOK_STREAMS_MS[id] ?? 1000) : p2 / 1000,
            nextMs: this.now,
          });
        return MAV_RESULT.ACCEPTED;
      }
      case 512: {
        // REQUEST_MESSAGE
        const id = Math.round(p1);
        if (!STREAMABLE.has(id)) return MAV_RESULT.UNSUPPORTED;
        if (id === 242 && !this.ekfReady) return MAV_RESULT.TEMPORARILY_REJECTED;
        this.later(0, () => this.emit(id));
        return MAV_RESULT.ACCEPTED;
      }
      case 410: // GET_HOME_POSITION
        if (!this.ekfReady) return MAV_RESULT.TEMPORARILY_REJECTED;
        this.later(0, () => this.emit(242));
        return MAV_RESULT.ACCEPTED;
      default:
        return MAV_RESULT.UNSUPPORTED;
    }
  }

  private arm(force: boolean): number {
    if (this.armed) return MAV_RESULT.ACCEPTED;
    if (!force) {
      if (!ARMABLE_MODES.includes(this.mode)) {
        this.text(3, 'Arm: Mode not armable');
        return MAV_RESULT.FAILED;
      }
      if (this.now - this.bootMs < this.opts.armingReadyMs || !this.ekfReady) {
        this.text(3, 'PreArm: EKF3 waiting for GPS config data');
        return MAV_RESULT.FAILED;
      }
      if (this.batteryPct < this.opts.lowBatteryPct) {
        this.text(3, 'PreArm: Battery below minimum arming capacity');
        return MAV_RESULT.FAILED;
      }
    }
    this.armed = true;
    this.flights++;
    this.failsafe = 'none';
    this.homePosition = [...this.position];
    this.landedArmedSinceMs = this.now;
    this.text(6, 'Arming motors');
    return MAV_RESULT.ACCEPTED;
  }

  private disarm(force: boolean): number {
    if (!this.armed) return MAV_RESULT.ACCEPTED;
    if (!this.landed && !force) {
      this.text(3, 'Disarm: vehicle in air');
      return MAV_RESULT.FAILED;
    }
    this.doDisarm();
    return MAV_RESULT.ACCEPTED;
  }

  /**
   * DO_SET_MISSION_CURRENT / MISSION_SET_CURRENT, as ArduPilot's `AP_Mission::set_current_cmd`:
   * a seq past the last item (or a mission holding only home) is refused; seq 0 (home) means the
   * first item. In AUTO the vehicle heads for the new item at once (skipping the ones between);
   * otherwise the next AUTO starts there. (param2 "reset" only matters for jump counters, which
   * the simulator does not keep.) A valid seq is announced with MISSION_CURRENT.
   */
  setMissionCurrent(seqRaw: number): boolean {
    const total = this.missions.stored('mission').items.length;
    const seq = Math.round(seqRaw);
    if (!Number.isFinite(seq) || seq < 0 || seq >= total || total < 2) return false;
    this.missionCurrent = Math.max(1, seq);
    this.holdUntilMs = undefined;
    this.sendMissionCurrent();
    return true;
  }

  private doDisarm(): void {
    this.armed = false;
    // ArduCopter resets its mission on disarm: the next AUTO starts from the first item unless
    // DO_SET_MISSION_CURRENT points it elsewhere after arming.
    this.missionCurrent = 0;
    this.landedArmedSinceMs = undefined;
    this.guidedTargetAltM = undefined;
    this.text(6, 'Disarming motors');
  }

  private setMode(custom: number): boolean {
    if (!SETTABLE_MODES.includes(custom)) return false;
    if (custom === M.RTL) this.rtlPhase = 'climb';
    if (custom === M.AUTO && this.mode !== M.AUTO) {
      if (this.missionCurrent < 1) this.missionCurrent = 1;
      this.holdUntilMs = undefined;
      this.paused = false;
    }
    if (custom === M.GUIDED) this.guidedTargetAltM = this.landed ? undefined : this.altRelM;
    this.mode = custom;
    return true;
  }

  // ---- simulation loop --------------------------------------------------------------------

  private tick(): void {
    if (this.closed) return;
    const dtS = TICK_MS / 1000;
    this.fly(dtS);
    this.drainBattery(dtS);
    this.checkFailsafes();
    this.emitDue();
    this.tickTimer = this.opts.clock.setTimeout(() => this.tick(), TICK_MS);
  }

  private fly(dtS: number): void {
    if (!this.armed) return;
    if (this.landed) {
      if (this.mode === M.AUTO && !this.paused) this.runMission(dtS);
      else if (
        this.landedArmedSinceMs !== undefined &&
        this.now - this.landedArmedSinceMs > AUTO_DISARM_MS
      )
        this.doDisarm();
      return;
    }
    if (this.paused && (this.mode === M.AUTO || this.mode === M.GUIDED)) return;
    switch (this.mode) {
      case M.GUIDED:
        if (this.guidedTargetAltM !== undefined) this.climbTo(this.guidedTargetAltM, dtS);
        break;
      case M.AUTO:
        this.runMission(dtS);
        break;
      case M.RTL:
        this.runRtl(dtS);
        break;
      case M.LAND:
        this.descend(dtS);
        break;
      default:
        break; // LOITER, BRAKE, others: hold
    }
  }

  private climbTo(altM: number, dtS: number): boolean {
    const rate = altM > this.altRelM ? this.opts.climbRateMps : this.opts.descentRateMps;
    const step = rate * dtS;
    if (Math.abs(altM - this.altRelM) <= step) {
      this.altRelM = altM;
      return true;
    }
    this.altRelM += Math.sign(altM - this.altRelM) * step;
    return false;
  }

  private flyTo(target: [number, number], dtS: number): boolean {
    const lat = (this.position[1] * Math.PI) / 180;
    const dx = (target[0] - this.position[0]) * METERS_PER_DEG_LON_EQ * Math.cos(lat);
    const dy = (target[1] - this.position[1]) * METERS_PER_DEG_LAT;
    const dist = Math.hypot(dx, dy);
    const step = this.opts.cruiseSpeedMps * dtS;
    if (dist <= Math.max(step, 0.5)) {
      this.position = [...target];
      return true;
    }
    this.headingDeg = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
    this.position = [
      this.position[0] + ((dx / dist) * step) / (METERS_PER_DEG_LON_EQ * Math.cos(lat)),
      this.position[1] + ((dy / dist) * step) / METERS_PER_DEG_LAT,
    ];
    return false;
  }

  private descend(dtS: number): void {
    this.altRelM = Math.max(0, this.altRelM - this.opts.descentRateMps * dtS);
    if (this.altRelM === 0) this.touchDown();
  }

  private touchDown(): void {
    this.landed = true;
    this.text(6, 'Land complete');
    this.doDisarm();
    if (this.mode === M.AUTO || this.mode === M.RTL) this.mode = M.LAND;
  }

  private runRtl(dtS: number): void {
    if (this.rtlPhase === 'climb') {
      if (this.climbTo(Math.max(this.altRelM, RTL_ALT_M), dtS)) this.rtlPhase = 'return';
    } else if (this.rtlPhase === 'return') {
      if (this.flyTo(this.homePosition, dtS)) this.rtlPhase = 'descend';
    } else this.descend(dtS);
  }

  private targetAlt(item: MissionItem): number {
    return item.frame === 0 || item.frame === 5 ? item.altM - this.opts.homeAltAmslM : item.altM;
  }

  private runMission(dtS: number): void {
    const items = this.missions.stored('mission').items;
    const item = items[this.missionCurrent];
    if (!item) return; // mission complete: hold
    const reached = (): void => {
      const r = new common.MissionItemReached();
      r.seq = this.missionCurrent;
      this.itemsReached.push({ seq: r.seq, flight: this.flights });
      this.send(r);
      this.missionCurrent++;
      this.holdUntilMs = undefined;
      this.sendMissionCurrent();
    };
    switch (item.command) {
      case 22: // NAV_TAKEOFF
        this.landed = false;
        if (this.climbTo(this.targetAlt(item), dtS)) reached();
        break;
      case 16: // NAV_WAYPOINT
      case 19: {
        // NAV_LOITER_TIME
        if (this.landed) return;
        const there = !item.position || this.flyTo(item.position, dtS);
        const level = this.climbTo(this.targetAlt(item), dtS);
        if (!there || !level) return;
        const holdS = item.command === 16 ? item.param1 : item.param1;
        if (this.holdUntilMs === undefined) this.holdUntilMs = this.now + Math.max(0, holdS) * 1000;
        if (this.now >= this.holdUntilMs) reached();
        break;
      }
      case 21: {
        // NAV_LAND (touch-down disarms, which resets the mission: keep the seq first)
        const seq = this.missionCurrent;
        if (item.position && !this.flyTo(item.position, dtS)) return;
        this.descend(dtS);
        if (this.landed) {
          const r = new common.MissionItemReached();
          r.seq = seq;
          this.itemsReached.push({ seq: r.seq, flight: this.flights });
          this.send(r);
        }
        break;
      }
      case 20: // NAV_RETURN_TO_LAUNCH
        reached();
        this.setMode(M.RTL);
        break;
      case 178: // DO_CHANGE_SPEED
        if (item.param2 > 0) this.opts.cruiseSpeedMps = item.param2;
        reached();
        break;
      default:
        reached(); // other DO_/CONDITION_ items: nothing to simulate
    }
  }

  private drainBattery(dtS: number): void {
    if (!this.armed) return;
    const perS = 100 / this.opts.enduranceS;
    this.batteryPct = Math.max(0, this.batteryPct - (this.landed ? perS / 10 : perS) * dtS);
  }

  private checkFailsafes(): void {
    if (!this.armed || this.landed) return;
    if (this.batteryPct <= this.opts.criticalBatteryPct && this.mode !== M.LAND) {
      this.failsafe = 'battery';
      this.text(2, 'Battery Failsafe: critical, landing');
      this.setMode(M.LAND);
      return;
    }
    if (this.batteryPct <= this.opts.lowBatteryPct && this.mode !== M.RTL && this.mode !== M.LAND) {
      this.failsafe = 'battery';
      this.text(2, 'Battery Failsafe: low, returning');
      this.setMode(M.RTL);
      return;
    }
    const gcsSilentMs =
      this.lastGcsHeartbeatMs === undefined ? 0 : this.now - this.lastGcsHeartbeatMs;
    if (
      this.opts.gcsFailsafeTimeoutMs > 0 &&
      gcsSilentMs > this.opts.gcsFailsafeTimeoutMs &&
      this.mode !== M.RTL &&
      this.mode !== M.LAND
    ) {
      this.failsafe = 'gcs';
      this.text(2, 'GCS Failsafe: returning');
      this.setMode(M.RTL);
    }
  }

  // ---- outbound ---------------------------------------------------------------------------

  private emitDue(): void {
    if (this.now >= this.nextHeartbeatMs) {
      this.emit(0);
      this.nextHeartbeatMs += 1000;
    }
    for (const [id, s] of this.streams) {
      if (this.now >= s.nextMs) {
        this.emit(id);
        s.nextMs = Math.max(s.nextMs + s.intervalMs, this.now);
      }
    }
  }

  private sendMissionCurrent(): void {
    this.emit(42);
  }

  private emit(id: number): void {
    const lat = Math.round(this.position[1] * 1e7);
    const lon = Math.round(this.position[0] * 1e7);
    const ready = this.ekfReady;
    switch (id) {
      case 0: {
        const h = new minimal.Heartbeat();
        h.type = 2; // QUADROTOR
        h.autopilot = 3; // ARDUPILOTMEGA
        h.baseMode = (this.armed ? 217 : 89) as minimal.MavModeFlag;
        h.customMode = this.mode;
        h.systemStatus = this.failsafe !== 'none' ? 5 : this.armed ? 4 : 3;
        h.mavlinkVersion = 3;
        return this.send(h);
      }
      case 1: {
        const s = new common.SysStatus();
        Object.assign(s, zeroed(common.SysStatus));
        s.load = 200;
        s.voltageBattery = Math.round(this.voltageV() * 1000);
        s.currentBattery = this.armed ? 1500 : 50;
        s.batteryRemaining = Math.round(this.batteryPct);
        s.dropRateComm = 0;
        s.errorsComm = 0;
        s.errorsCount1 = 0;
        s.errorsCount2 = 0;
        s.errorsCount3 = 0;
        s.errorsCount4 = 0;
        return this.send(s);
      }
      case 24: {
        const g = new common.GpsRawInt();
        Object.assign(g, zeroed(common.GpsRawInt));
        g.timeUsec = BigInt(Math.round((this.now - this.bootMs) * 1000));
        g.fixType = ready ? 3 : 1;
        g.lat = ready ? lat : 0;
        g.lon = ready ? lon : 0;
        g.alt = Math.round((this.opts.homeAltAmslM + this.altRelM) * 1000);
        g.eph = 80;
        g.epv = 120;
        g.vel = 0;
        g.cog = Math.round(this.headingDeg * 100);
        g.satellitesVisible = ready ? 14 : 3;
        return this.send(g);
      }
      case 33: {
        const p = new common.GlobalPositionInt();
        p.timeBootMs = Math.round(this.now - this.bootMs) >>> 0;
        p.lat = ready ? lat : 0;
        p.lon = ready ? lon : 0;
        p.alt = ready ? Math.round((this.opts.homeAltAmslM + this.altRelM) * 1000) : 0;
        p.relativeAlt = Math.round(this.altRelM * 1000);
        p.vx = 0;
        p.vy = 0;
        p.vz = 0;
        p.hdg = Math.round(this.headingDeg * 100);
        return this.send(p);
      }
      case 42: {
        const c = new common.MissionCurrent();
        const total = this.missions.stored('mission').items.length;
        c.seq = this.missionCurrent;
        c.total = total;
        c.missionState =
          total === 0
            ? 1
            : this.missionCurrent >= total
              ? 5
              : this.mode === M.AUTO
                ? this.paused
                  ? 4
                  : 3
                : 2;
        c.missionMode = this.mode === M.AUTO ? 1 : 0;
        c.missionId = this.missions.stored('mission').opaqueId;
        c.fenceId = this.missions.stored('fence').opaqueId;
        c.rallyPointsId = this.missions.stored('rally').opaqueId;
        return this.send(c);
      }
      case 147: {
        const b = new common.BatteryStatus();
        Object.assign(b, zeroed(common.BatteryStatus));
        b.id = 0;
        b.batteryFunction = 1;
        b.type = 1;
        b.temperature = 2500;
        b.voltages = [
          Math.round(this.voltageV() * 1000),
          65535,
          65535,
          65535,
          65535,
          65535,
          65535,
          65535,
          65535,
          65535,
        ];
        b.currentBattery = this.armed ? 1500 : 50;
        b.currentConsumed = Math.round((100 - this.batteryPct) * 50);
        b.energyConsumed = -1;
        b.batteryRemaining = Math.round(this.batteryPct);
        b.voltagesExt = [0, 0, 0, 0];
        return this.send(b);
      }
      case 242: {
        if (!ready) return;
        const h = new common.HomePosition();
        Object.assign(h, zeroed(common.HomePosition));
        h.latitude = Math.round(this.homePosition[1] * 1e7);
        h.longitude = Math.round(this.homePosition[0] * 1e7);
        h.altitude = Math.round(this.opts.homeAltAmslM * 1000);
        h.q = [1, 0, 0, 0];
        return this.send(h);
      }
      case 245: {
        const e = new common.ExtendedSysState();
        e.vtolState = 0;
        e.landedState = this.landed
          ? 1
          : this.mode === M.LAND || (this.mode === M.RTL && this.rtlPhase === 'descend')
            ? 4
            : 2;
        return this.send(e);
      }
      default:
        return;
    }
  }

  private voltageV(): number {
    return 4 * (3.5 + 0.7 * (this.batteryPct / 100));
  }
}

/** Every scalar field of a message class set to 0 (enum defaults in mavlink-mappings are names). */
function zeroed(clazz: {
  FIELDS: readonly { name: string; type: string; length: number }[];
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of clazz.FIELDS) {
    const big = f.type.startsWith('uint64') || f.type.startsWith('int64');
    if (f.type.endsWith('[]'))
      out[f.name] = f.type.startsWith('char') ? '' : new Array(f.length).fill(big ? 0n : 0);
    else out[f.name] = f.type === 'char' ? '' : big ? 0n : 0;
  }
  return out;
}
