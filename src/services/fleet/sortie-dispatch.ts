/**
 * The dispatch of one sortie as an explicit sequence with injected time:
 *
 *   dock ready (early gates) → roof opens ∥ fence, rally and mission uploaded and verified
 *   → launch gates → arm → take off / AUTO → track progress → return and land → roof closes
 *   → charging → done
 *
 * Every gate but the fence is checked before the roof moves, so a launch held then never cycles
 * the roof; the uploads run while the roof travels, and nothing is armed before the roof is
 * open and all three uploads are read back. Every step has a timeout and a failure path; abort is never refused; a vehicle that entered
 * its own failsafe is never commanded again until an operator acknowledges it.
 */
import type { Clock, MissionItem } from '../../../firmware-bridge/index';
import type {
  DispatchOutcome,
  DispatchTarget,
  DispatchTimeouts,
  Dispatcher,
  DockStatus,
  UploadKind,
  VehicleEvent,
} from './dispatcher';
import { evaluateLaunchGates, firstFailingGate, type GateResult } from './launch-gates';
import type { SortieState } from './sortie-state-machine';

export const DISPATCH_STEPS = [
  'dock_ready',
  'open_roof',
  'upload_fence',
  'upload_rally',
  'upload_mission',
  'launch_gates',
  'arm',
  'takeoff',
  'track',
  'return',
  'close_roof',
  'charge',
  'done',
] as const;
export type DispatchStep = (typeof DISPATCH_STEPS)[number];

export type FleetEventSeverity = 'info' | 'warning' | 'critical';

/** Where a dispatch starts: fresh from preflight, or re-attached after a restart. */
export type DispatchEntry = 'preflight' | 'airborne' | 'returning' | 'landed';

export interface SortieDispatchInput {
  target: DispatchTarget;
  route: { mission: MissionItem[]; fence: MissionItem[]; rally: MissionItem[] };
  /** The mission item to start from: 0, or the last item reached by an interrupted attempt. */
  startFromItem: number;
  /** Battery this sortie needs, percent (launch gate). */
  sortieNeedPct: number;
  /** Battery that must remain; below it in flight the drone is sent home (LOW_BATTERY). */
  reservePct: number;
  maxWindMps: number;
  windowStartMs: number;
  windowEndMs: number;
  /** The sortie's current state (the sequence mirrors it to know what to record). */
  state: SortieState;
  entry: DispatchEntry;
  failsafeHold: boolean;
  abortRequested: boolean;
  timeouts: DispatchTimeouts;
}

/** How the sequence records what happens; the fleet service persists each call. */
export interface DispatchHooks {
  transition(
    to: SortieState,
    change: { reasonCode: string | null; reason: string | null; actor: 'dispatch' | 'vehicle' },
  ): void;
  step(step: DispatchStep): void;
  progress(reachedItem: number, totalItems: number): void;
  event(kind: string, severity: FleetEventSeverity, detail: string): void;
  telemetry(event: Extract<VehicleEvent, { type: 'position' }>): void;
  failsafeHold(hold: boolean): void;
}

export type DispatchResult =
  | { result: 'done' }
  | { result: 'held'; gate: GateResult }
  | { result: 'failed'; code: string; detail: string }
  | { result: 'aborted' }
  | { result: 'requeued'; code: string; fromItem: number }
  | { result: 'failsafe_hold'; cause: string }
  /** Released by this process (shutdown): nothing recorded, the next process re-attaches. */
  | { result: 'detached' };

/** Thrown inside the sequence once it is detached; `run()` turns it into `{ result: 'detached' }`. */
class DispatchDetached extends Error {
  constructor() {
    super('dispatch detached');
    this.name = 'DispatchDetached';
  }
}

type Control = { type: '_control' };
type Queued = VehicleEvent | Control;

/** Why the flight was cut short (the sortie is queued again to resume). */
type Interruption = 'LOW_BATTERY' | 'FLIGHT_TIMEOUT' | null;

/**
 * One sortie's dispatch. `run()` drives it to its end; `abort()`, `pause()`, `resume()` and
 * `acknowledgeFailsafe()` act on it while it runs.
 *
 * @example
 * const run = new SortieDispatch(dispatcher, clock, input, hooks);
 * const result = await run.run(); // { result: 'done' }
 */
export class SortieDispatch {
  private state: SortieState;
  private lastReached: number;
  private failsafe: boolean;
  private failsafeCause = '';
  private failsafeSeen: boolean;
  private abortRequested: boolean;
  private interruption: Interruption = null;
  private missionComplete = false;
  private roofOpened = false;
  private armed = false;
  private linkLost = false;
  private readonly queue: Queued[] = [];
  private wake: (() => void) | null = null;
  /** Cancels every command (detach: the process lets go). */
  private readonly cancel = new AbortController();
  /** Cancels the running preflight steps on abort; closing the roof afterwards still runs. */
  private readonly preflightCancel = new AbortController();
  private unwatch: (() => void) | null = null;
  private finished = false;
  private detached = false;
  private readonly hooks: DispatchHooks;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly input: SortieDispatchInput,
    hooks: DispatchHooks,
  ) {
    // After detach nothing more is recorded: the store keeps the state the next process resumes.
    const live = () => !this.detached;
    this.hooks = {
      transition: (to, change) => {
        if (!live()) throw new DispatchDetached();
        hooks.transition(to, change);
      },
      step: (step) => live() && hooks.step(step),
      progress: (reached, total) => live() && hooks.progress(reached, total),
      event: (kind, severity, detail) => live() && hooks.event(kind, severity, detail),
      telemetry: (e) => live() && hooks.telemetry(e),
      failsafeHold: (hold) => live() && hooks.failsafeHold(hold),
    };
    this.state = input.state;
    this.lastReached = input.startFromItem;
    this.failsafe = input.failsafeHold;
    this.failsafeSeen = input.failsafeHold;
    this.abortRequested = input.abortRequested;
  }

  get currentState(): SortieState {
    return this.state;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  async run(): Promise<DispatchResult> {
    this.unwatch = this.dispatcher.watch(this.input.target, (e) => this.push(e));
    try {
      return await this.sequence();
    } catch (err) {
      if (err instanceof DispatchDetached) return { result: 'detached' };
      throw err;
    } finally {
      this.finished = true;
      this.unwatch?.();
    }
  }

  /**
   * Abort: before take-off the dispatch stops and the sortie ends aborted; in the air the
   * drone is commanded home (unless it is in its own failsafe) and the sortie ends aborted.
   */
  abort(reason: string): void {
    if (this.abortRequested || this.finished) return;
    this.abortRequested = true;
    if (this.state === 'preflight') {
      this.preflightCancel.abort(new Error(reason));
      return;
    }
    if (this.state === 'launching' || this.state === 'in_flight' || this.state === 'paused') {
      this.move('returning', 'ABORTED', reason, 'dispatch');
      this.sendReturn('abort');
    } else if (this.state === 'returning' && this.failsafe) {
      this.hooks.event(
        'COMMAND_WITHHELD',
        'warning',
        `abort recorded; no command sent: the vehicle is returning in its own failsafe`,
      );
    }
    this.push({ type: '_control' });
  }

  /**
   * Lets go of the sortie without recording or commanding anything more (service shutdown):
   * the stored state stays as it is, for the next process to re-attach to.
   */
  detach(): void {
    if (this.finished || this.detached) return;
    this.detached = true;
    this.cancel.abort(new DispatchDetached());
    this.push({ type: '_control' });
  }

  /** Pause in flight: hold position. */
  async pause(): Promise<DispatchOutcome> {
    if (this.failsafe) return this.refusedByFailsafe();
    if (this.state !== 'in_flight')
      return { ok: false, kind: 'rejected', reason: `cannot pause a sortie in ${this.state}` };
    const out = await this.command('hold', this.input.timeouts.commandMs, (s) =>
      this.dispatcher.hold(this.input.target, s),
    );
    if (out.ok && this.state === 'in_flight') this.move('paused', null, null, 'dispatch');
    return out;
  }

  async resume(): Promise<DispatchOutcome> {
    if (this.failsafe) return this.refusedByFailsafe();
    if (this.state !== 'paused')
      return { ok: false, kind: 'rejected', reason: `cannot resume a sortie in ${this.state}` };
    const out = await this.command('resume', this.input.timeouts.commandMs, (s) =>
      this.dispatcher.resumeMission(this.input.target, s),
    );
    if (out.ok && this.state === 'paused') this.move('in_flight', null, null, 'dispatch');
    return out;
  }

  /** An operator took note of the vehicle's failsafe: commands may be sent again. */
  acknowledgeFailsafe(): void {
    if (!this.failsafe) return;
    this.failsafe = false;
    this.hooks.failsafeHold(false);
    this.push({ type: '_control' });
  }

  private refusedByFailsafe(): DispatchOutcome {
    return {
      ok: false,
      kind: 'denied',
      reason: `the vehicle is in its own failsafe (${this.failsafeCause || 'unknown cause'}); an operator must acknowledge it first`,
    };
  }

  private async sequence(): Promise<DispatchResult> {
    if (this.input.entry === 'preflight') {
      const pre = await this.preflight();
      if (pre) return pre;
    }
    if (this.input.entry === 'preflight' || this.input.entry === 'airborne') {
      await this.track();
    }
    if (this.input.entry !== 'landed') {
      const landed = await this.returnAndLand();
      if (landed) return landed;
    }
    return this.afterLanding();
  }

  // ---- preflight: dock ready, roof opening while the uploads run, gates, arm, take-off ----

  private async preflight(): Promise<DispatchResult | null> {
    const { target, timeouts } = this.input;
    this.hooks.step('dock_ready');
    const aborted = this.preflightCancel.signal;
    const status = await this.command(
      'dock status',
      timeouts.dockStatusMs,
      (s) => this.dispatcher.dockStatus(target, s),
      aborted,
    );
    if (this.abortRequested) return this.abortBeforeLaunch();
    if (!status.ok) return this.failPreflight('DOCK_NOT_READY', status.reason);
    if (!status.value.droneInDock) {
      return this.failPreflight('DRONE_NOT_IN_DOCK', 'the dock does not see its drone on the pad');
    }
    // Every gate but the fence is checked before the roof moves: a launch held here never
    // cycles the roof.
    const early = this.gates(status.value, null);
    if (early) return this.hold(early);

    // The roof opens while fence, rally and mission are uploaded and read back: the roof's
    // travel (tens of seconds) hides the transfers, so the dock stands open for less time
    // before take-off. Arming waits for both.
    this.hooks.step('open_roof');
    this.roofOpened = true; // even a failed open may have moved it: close on every path
    const siblings = new AbortController();
    const roofDone = this.command('open roof', timeouts.openRoofMs, (s) =>
      this.dispatcher.openRoof(target, s),
    ).then((out) => {
      // A roof that cannot open makes the uploads pointless: stop them.
      if (!out.ok) siblings.abort(new Error('roof did not open'));
      return out;
    });
    const uploadsDone = this.uploadAll(AbortSignal.any([siblings.signal, aborted]));
    const [roof, upload] = await Promise.all([roofDone, uploadsDone]);
    if (this.abortRequested) return this.abortBeforeLaunch();
    if (!roof.ok && roof.kind === 'denied') {
      // The dock's own weather interlock refused (wind or rain rose since the status): a gate.
      return this.holdAfterRoof({
        gate: 'roof',
        ok: false,
        code: 'GATE_ROOF',
        detail: `the dock refused to open its roof: ${roof.reason}`,
      });
    }
    if (!roof.ok) {
      this.hooks.event('DOCK_ROOF_FAULT', 'critical', `roof did not open: ${roof.reason}`);
      return this.failPreflight('ROOF_OPEN_FAILED', roof.reason);
    }
    if (upload) return this.failPreflight(upload.code, upload.detail);

    this.hooks.step('launch_gates');
    const fresh = await this.command(
      'dock status',
      timeouts.dockStatusMs,
      (s) => this.dispatcher.dockStatus(target, s),
      aborted,
    );
    if (this.abortRequested) return this.abortBeforeLaunch();
    if (!fresh.ok) return this.failPreflight('DOCK_NOT_READY', fresh.reason);
    const final = this.gates(fresh.value, true);
    if (final) return this.holdAfterRoof(final);

    this.move('launching', null, null, 'dispatch');
    this.hooks.step('arm');
    const arm = await this.command('arm', timeouts.armMs, (s) => this.dispatcher.arm(target, s));
    if (this.abortRequested) return this.abortWhileLaunching();
    if (!arm.ok) return this.failLaunch('ARM_FAILED', `arm ${arm.kind}: ${arm.reason}`);
    this.armed = true;

    this.hooks.step('takeoff');
    const fromItem = this.lastReached;
    const start = await this.command('take off', timeouts.takeoffMs, (s) =>
      this.dispatcher.startMission(target, fromItem, s),
    );
    if (this.abortRequested) return this.abortWhileLaunching();
    if (!start.ok)
      return this.failLaunch('TAKEOFF_FAILED', `take-off ${start.kind}: ${start.reason}`);
    this.move(
      'in_flight',
      fromItem > 0 ? 'RESUMED' : null,
      fromItem > 0 ? `resumed from item ${fromItem}` : null,
      'dispatch',
    );
    return null;
  }

  /**
   * Fence, rally and mission, one after the other (the vehicle runs one transfer at a time),
   * each read back and counted. Returns the first failure, or null when all three are verified.
   */
  private async uploadAll(stop: AbortSignal): Promise<{ code: string; detail: string } | null> {
    const { target, timeouts } = this.input;
    for (const kind of ['fence', 'rally', 'mission'] as const satisfies readonly UploadKind[]) {
      if (stop.aborted || this.abortRequested) return null;
      this.hooks.step(`upload_${kind}`);
      const items = this.input.route[kind];
      const up = await this.command(
        `${kind} upload`,
        timeouts.uploadMs,
        (s) => this.dispatcher.uploadAndVerify(target, kind, items, s),
        stop,
      );
      if (stop.aborted || this.abortRequested) return null;
      const code = `UPLOAD_${kind.toUpperCase()}_FAILED`;
      if (!up.ok) return { code, detail: `${kind} upload ${up.kind}: ${up.reason}` };
      if (up.value.count !== items.length) {
        return {
          code,
          detail: `${kind}: the vehicle holds ${up.value.count} items, ${items.length} were sent`,
        };
      }
    }
    return null;
  }

  private gates(status: DockStatus, fenceVerified: boolean | null): GateResult | null {
    return firstFailingGate(
      evaluateLaunchGates({
        batteryPct: status.droneBatteryPct,
        sortieNeedPct: this.input.sortieNeedPct,
        reservePct: this.input.reservePct,
        windMps: status.windMps,
        maxWindMps: this.input.maxWindMps,
        raining: status.raining,
        nowMs: this.clock.now(),
        windowStartMs: this.input.windowStartMs,
        windowEndMs: this.input.windowEndMs,
        linkHealthy: status.linkHealthy,
        fenceVerified,
        roofOk: status.roofOk,
      }),
    );
  }

  private hold(gate: GateResult): DispatchResult {
    this.move('queued', gate.code, gate.detail, 'dispatch');
    return { result: 'held', gate };
  }

  /** A gate that failed while the roof opened (the wind rose, …): close it, then hold. */
  private async holdAfterRoof(gate: GateResult): Promise<DispatchResult> {
    if (!(await this.closeRoofIfOpened())) {
      this.move(
        'failed',
        'ROOF_CLOSE_FAILED',
        `held by ${gate.code}; the roof did not close`,
        'dispatch',
      );
      this.hooks.step('done');
      return { result: 'failed', code: 'ROOF_CLOSE_FAILED', detail: 'roof stayed open' };
    }
    return this.hold(gate);
  }

  private async failPreflight(code: string, detail: string): Promise<DispatchResult> {
    await this.closeRoofIfOpened();
    this.move('failed', code, detail, 'dispatch');
    this.hooks.step('done');
    return { result: 'failed', code, detail };
  }

  private async abortBeforeLaunch(): Promise<DispatchResult> {
    await this.closeRoofIfOpened();
    this.move('aborted', 'ABORTED', 'aborted before take-off', 'dispatch');
    this.hooks.step('done');
    return { result: 'aborted' };
  }

  /** Armed (maybe climbing) when the abort came: command home and land as in flight. */
  private async abortWhileLaunching(): Promise<DispatchResult> {
    if (this.state === 'launching') {
      this.move('returning', 'ABORTED', 'aborted during launch', 'dispatch');
      this.sendReturn('abort');
    }
    const landed = await this.returnAndLand();
    return landed ?? this.afterLanding();
  }

  private async failLaunch(code: string, detail: string): Promise<DispatchResult> {
    if (this.armed) {
      await this.command('disarm', this.input.timeouts.commandMs, (s) =>
        this.dispatcher.disarm(this.input.target, s),
      );
    }
    await this.closeRoofIfOpened();
    this.move('failed', code, detail, 'dispatch');
    this.hooks.step('done');
    return { result: 'failed', code, detail };
  }

  private async closeRoofIfOpened(): Promise<boolean> {
    if (!this.roofOpened) return true;
    this.hooks.step('close_roof');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const out = await this.command('close roof', this.input.timeouts.closeRoofMs, (s) =>
        this.dispatcher.closeRoof(this.input.target, s),
      );
      if (out.ok) {
        this.roofOpened = false;
        return true;
      }
      this.hooks.event(
        'DOCK_ROOF_FAULT',
        'critical',
        `roof did not close (attempt ${attempt} of 2): ${out.reason}`,
      );
    }
    return false;
  }

  // ---- flight -------------------------------------------------------------------------------

  private async track(): Promise<void> {
    if (this.state !== 'in_flight' && this.state !== 'paused') return;
    this.hooks.step('track');
    const deadline = this.clock.now() + this.input.timeouts.flightMaxMs;
    while (this.state === 'in_flight' || this.state === 'paused') {
      const left = deadline - this.clock.now();
      if (left <= 0) {
        this.hooks.event(
          'FLIGHT_TIMEOUT',
          'warning',
          `flight longer than ${this.input.timeouts.flightMaxMs} ms`,
        );
        this.interruption = 'FLIGHT_TIMEOUT';
        this.goHome('FLIGHT_TIMEOUT', 'the flight ran over its longest time');
        return;
      }
      const event = await this.next(Math.min(this.input.timeouts.silenceMs, left));
      if (event === 'silence') {
        if (left > this.input.timeouts.silenceMs)
          this.reportLinkLost('no message for ' + this.input.timeouts.silenceMs + ' ms');
        continue;
      }
      this.handleInFlight(event);
    }
  }

  private handleInFlight(event: Queued): void {
    switch (event.type) {
      case '_control':
        return;
      case 'position':
        this.linkBack();
        this.hooks.telemetry(event);
        if (event.batteryPct !== null) this.checkBattery(event.batteryPct);
        return;
      case 'battery':
        this.linkBack();
        this.checkBattery(event.pct);
        return;
      case 'progress':
        this.linkBack();
        if (event.reachedItem > this.lastReached) {
          this.lastReached = event.reachedItem;
          this.hooks.progress(event.reachedItem, event.totalItems);
        }
        return;
      case 'mission_complete':
        this.linkBack();
        this.missionComplete = true;
        this.goHome(null, null);
        return;
      case 'failsafe':
        this.enterFailsafe(event.cause, event.mode);
        return;
      case 'link':
        if (event.healthy) this.linkBack();
        else this.reportLinkLost('the link reports heartbeats lost');
        return;
      case 'landed':
        // Landed without being sent home (the vehicle's own decision): record the return.
        this.move('returning', 'LANDED_UNCOMMANDED', 'the vehicle landed on its own', 'vehicle');
        this.push(event);
        return;
    }
  }

  private checkBattery(pct: number): void {
    if (pct >= this.input.reservePct || this.state === 'returning') return;
    this.hooks.event(
      'LOW_BATTERY',
      'critical',
      `battery ${Math.round(pct)} % below the reserve ${this.input.reservePct} %`,
    );
    if (this.interruption === null) this.interruption = 'LOW_BATTERY';
    this.goHome('LOW_BATTERY', `battery ${Math.round(pct)} % below reserve`);
  }

  private reportLinkLost(detail: string): void {
    if (this.linkLost) return;
    this.linkLost = true;
    this.hooks.event('LINK_LOST', 'critical', detail);
  }

  private linkBack(): void {
    if (!this.linkLost) return;
    this.linkLost = false;
    this.hooks.event('LINK_RESTORED', 'info', 'messages from the vehicle arrive again');
  }

  private enterFailsafe(cause: string, mode: string): void {
    this.failsafe = true;
    this.failsafeSeen = true;
    this.failsafeCause = cause;
    this.hooks.failsafeHold(true);
    this.hooks.event(
      'VEHICLE_FAILSAFE',
      'critical',
      `the vehicle entered its own failsafe (${cause}, mode ${mode}); no command will be sent until an operator acknowledges`,
    );
    if (this.state === 'in_flight' || this.state === 'paused' || this.state === 'launching') {
      this.move('returning', 'VEHICLE_FAILSAFE', `${cause} (mode ${mode})`, 'vehicle');
    }
  }

  /** Ends the flight: records the return and commands RTL unless the vehicle is in failsafe. */
  private goHome(code: string | null, reason: string | null): void {
    if (this.state !== 'in_flight' && this.state !== 'paused') return;
    if (this.state === 'paused' && code === null) {
      this.move('returning', 'MISSION_COMPLETE', 'mission complete', 'dispatch');
    } else this.move('returning', code, reason, 'dispatch');
    this.sendReturn(code ?? 'mission complete');
  }

  private sendReturn(why: string): void {
    if (this.failsafe) {
      this.hooks.event(
        'COMMAND_WITHHELD',
        'warning',
        `return to launch (${why}) not sent: the vehicle is in its own failsafe`,
      );
      return;
    }
    void this.command('return to launch', this.input.timeouts.commandMs, (s) =>
      this.dispatcher.returnToLaunch(this.input.target, s),
    ).then((out) => {
      if (!out.ok) {
        this.hooks.event('RETURN_COMMAND_FAILED', 'critical', `RTL ${out.kind}: ${out.reason}`);
      }
    });
  }

  private async returnAndLand(): Promise<DispatchResult | null> {
    if (this.state !== 'returning') return null;
    this.hooks.step('return');
    const deadline = this.clock.now() + this.input.timeouts.returnMs;
    for (;;) {
      const left = deadline - this.clock.now();
      if (left <= 0) {
        this.hooks.event(
          'LANDING_OVERDUE',
          'critical',
          `not landed ${this.input.timeouts.returnMs} ms after the return began`,
        );
        this.move('failed', 'LANDING_TIMEOUT', 'the drone did not land in time', 'dispatch');
        this.hooks.step('done');
        return { result: 'failed', code: 'LANDING_TIMEOUT', detail: 'not landed in time' };
      }
      const event = await this.next(left);
      if (event === 'silence') continue;
      switch (event.type) {
        case 'landed':
          this.move('landed', null, null, 'vehicle');
          if (!event.inDock) {
            this.hooks.event('LANDED_OUTSIDE_DOCK', 'critical', 'the drone is not on its pad');
            await this.closeRoofIfOpened();
            this.move('failed', 'LANDED_OUTSIDE_DOCK', 'landed away from the dock', 'dispatch');
            this.hooks.step('done');
            return { result: 'failed', code: 'LANDED_OUTSIDE_DOCK', detail: 'landed away' };
          }
          return null;
        case 'failsafe':
          if (!this.failsafe) this.enterFailsafe(event.cause, event.mode);
          break;
        case 'position':
          this.linkBack();
          this.hooks.telemetry(event);
          break;
        case 'progress':
          if (event.reachedItem > this.lastReached) {
            this.lastReached = event.reachedItem;
            this.hooks.progress(event.reachedItem, event.totalItems);
          }
          break;
        case 'battery':
        case 'mission_complete':
          this.linkBack();
          break;
        case 'link':
          if (event.healthy) this.linkBack();
          else this.reportLinkLost('the link reports heartbeats lost');
          break;
        case '_control':
          break;
      }
    }
  }

  private async afterLanding(): Promise<DispatchResult> {
    this.roofOpened = true; // after any landing the roof is (or may be) open
    const closed = await this.closeRoofIfOpened();
    if (!closed) {
      this.move('failed', 'ROOF_CLOSE_FAILED', 'the roof did not close after landing', 'dispatch');
      this.hooks.step('done');
      return { result: 'failed', code: 'ROOF_CLOSE_FAILED', detail: 'roof stayed open' };
    }
    this.hooks.step('charge');
    const charge = await this.command('start charging', this.input.timeouts.chargeMs, (s) =>
      this.dispatcher.startCharging(this.input.target, s),
    );
    if (!charge.ok)
      this.hooks.event('CHARGE_FAILED', 'warning', `charging ${charge.kind}: ${charge.reason}`);
    this.hooks.step('done');
    // Once the vehicle took over, an operator decides how the sortie ends (even if the failsafe
    // was acknowledged while the drone was still coming home).
    if (this.failsafeSeen) {
      this.hooks.event(
        'FAILSAFE_AWAITING_OPERATOR',
        'critical',
        'landed after a vehicle failsafe: an operator decides whether to resume or end the sortie',
      );
      return { result: 'failsafe_hold', cause: this.failsafeCause };
    }
    if (this.abortRequested) {
      this.move('aborted', 'ABORTED', 'landed after an abort', 'dispatch');
      return { result: 'aborted' };
    }
    if (this.interruption && !this.missionComplete && this.lastReached > 0) {
      const code = `INTERRUPTED_${this.interruption}`;
      this.move('queued', code, `resumes from item ${this.lastReached}`, 'dispatch');
      return { result: 'requeued', code, fromItem: this.lastReached };
    }
    if (this.interruption && !this.missionComplete) {
      this.move('failed', this.interruption, 'cut short before any item was reached', 'dispatch');
      return { result: 'failed', code: this.interruption, detail: 'cut short' };
    }
    this.move('done', null, null, 'dispatch');
    return { result: 'done' };
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private move(
    to: SortieState,
    reasonCode: string | null,
    reason: string | null,
    actor: 'dispatch' | 'vehicle',
  ): void {
    this.hooks.transition(to, { reasonCode, reason, actor });
    this.state = to;
  }

  private push(event: Queued): void {
    this.queue.push(event);
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The next vehicle event, or 'silence' after `ms` without one. */
  private next(ms: number): Promise<Queued | 'silence'> {
    if (this.detached) return Promise.reject(new DispatchDetached());
    const first = this.queue.shift();
    if (first) return Promise.resolve(first);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.wake = null;
        resolve('silence');
      }, ms);
      this.wake = () => {
        this.clock.clearTimeout(timer);
        resolve(this.queue.shift() ?? { type: '_control' });
      };
    });
  }

  /**
   * Runs one Dispatcher command with a timeout. A command that throws is mapped to a
   * `protocol-error` outcome naming the error (the Dispatcher contract is to resolve).
   */
  private command<T>(
    name: string,
    timeoutMs: number,
    run: (signal: AbortSignal) => Promise<DispatchOutcome<T>>,
    /** Also cancels this command (a sibling step failed). */
    stop?: AbortSignal,
  ): Promise<DispatchOutcome<T>> {
    const ctl = new AbortController();
    const onCancel = () => ctl.abort(this.cancel.signal.reason);
    const onStop = () => ctl.abort(stop?.reason);
    this.cancel.signal.addEventListener('abort', onCancel, { once: true });
    stop?.addEventListener('abort', onStop, { once: true });
    return new Promise<DispatchOutcome<T>>((resolve) => {
      let settled = false;
      const settle = (out: DispatchOutcome<T>) => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        this.cancel.signal.removeEventListener('abort', onCancel);
        stop?.removeEventListener('abort', onStop);
        resolve(out);
      };
      const timer = this.clock.setTimeout(() => {
        settle({ ok: false, kind: 'timeout', reason: `${name}: no answer within ${timeoutMs} ms` });
        ctl.abort(new Error(`${name} timed out`));
      }, timeoutMs);
      ctl.signal.addEventListener(
        'abort',
        () => settle({ ok: false, kind: 'cancelled', reason: `${name}: cancelled` }),
        { once: true },
      );
      if (this.cancel.signal.aborted || stop?.aborted) {
        ctl.abort(this.cancel.signal.reason ?? stop?.reason);
        return;
      }
      run(ctl.signal).then(settle, (err: unknown) =>
        settle({
          ok: false,
          kind: 'protocol-error',
          reason: `${name} threw: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
    });
  }
}
