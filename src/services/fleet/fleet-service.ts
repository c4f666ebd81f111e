/**
 * Fleet orchestration: missions requested by agencies and approved by the dock owner, their
 * sorties driven through the one transition table, quotas, preemption, the scheduler that
 * materialises occurrences and queues due sorties, dispatch over an injected Dispatcher,
 * restart recovery, telemetry at ~1 Hz and the live message bus.
 */
import {
  newId,
  type FleetEventRow,
  type Mission,
  type ObservedDockRow,
  type Repositories,
  type Sortie,
  type SortiePatch,
  type StoredRoute,
  type TelemetrySample,
  type TransitionRecord,
} from '../../../db/index';
import { systemClock, type Clock } from '../../../firmware-bridge/index';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import { checkQuota, quotaPeriodBounds, type AgencyQuota } from './agency-quota';
import {
  DEFAULT_DISPATCH_TIMEOUTS,
  type DispatchOutcome,
  type DispatchTarget,
  type DispatchTimeouts,
  type Dispatcher,
  type DockLiveState,
  type FleetObserver,
  isFleetObserver,
  type VehicleEvent,
} from './dispatcher';
import { FleetEventBus } from './fleet-event-bus';
import { sortieBatteryNeedPct } from './launch-gates';
import { missionPriority, type MissionPurpose } from './mission-priority';
import {
  SortieDispatch,
  type DispatchEntry,
  type DispatchResult,
  type FleetEventSeverity,
} from './sortie-dispatch';
import { compareQueued, selectPreempted } from './sortie-preemption';
import {
  RecurrenceError,
  scheduleOccurrences,
  validateSchedule,
  type MissionSchedule,
} from './sortie-recurrence';
import {
  ACTIVE_SORTIE_STATES,
  TERMINAL_SORTIE_STATES,
  abortTarget,
  checkSortieTransition,
  type SortieState,
} from './sortie-state-machine';

/** Who acts: a person's API key, or the service itself. */
export interface FleetActor {
  keyId: string;
  agencyId: string;
  role: 'admin' | 'planner' | 'operator' | 'analyst';
  seesAll: boolean;
  /**
   * How transitions and decisions name this actor when it is not a person's key, e.g.
   * `policy:verification-auto-approve` or `system:verification` (default `key:<keyId>`).
   */
  recordAs?: string;
}

/** The name stored with a transition or decision made by `actor`. */
export const actorRef = (actor: FleetActor): string => actor.recordAs ?? `key:${actor.keyId}`;

export interface FleetServiceOptions {
  /** How far ahead recurring occurrences are materialised as `scheduled` sorties, ms. */
  lookaheadMs?: number;
  /** How long a sortie held by a launch gate waits before it is tried again, ms. */
  holdRetryMs?: number;
  /** Scheduler tick period when started with {@link FleetService.start}, ms. */
  tickMs?: number;
  /** Telemetry kept this long, ms (older samples are pruned on each tick). */
  telemetryRetentionMs?: number;
  timeouts?: Partial<DispatchTimeouts>;
}

export interface FleetServiceDeps {
  repos: Repositories;
  logger: Logger;
  /** Wall-clock for records; `clock.now()` is used when absent. */
  now?: () => Date;
  /** Injected time for timers (scheduler ticks, dispatch timeouts). */
  clock?: Clock;
  dispatcher?: Dispatcher;
  options?: FleetServiceOptions;
}

export interface MissionRequest {
  name: string;
  purpose: MissionPurpose;
  areaIds: string[];
  dockId: string;
  planId: string | null;
  route: StoredRoute;
  estimatedFlightMin: number | null;
  schedule: MissionSchedule;
  windowMin: number;
}

export type OperatorAction =
  'acknowledge_failsafe' | 'resume_after_failsafe' | 'end_after_failsafe';

const DEFAULTS = {
  lookaheadMs: 24 * 3_600_000,
  holdRetryMs: 60_000,
  tickMs: 1_000,
  telemetryRetentionMs: 30 * 86_400_000,
};

/** Work done in one go by the running scheduler before it yields to the event loop, ms. */
const SCHEDULER_SLICE_MS = 10;

/** Buffered telemetry is written at least this often, ms, and at most this many rows at once. */
const TELEMETRY_FLUSH_MS = 1_000;
const TELEMETRY_BATCH_MAX = 1_000;

const OPERATOR_ROLES = ['admin', 'operator'] as const;
const REQUESTER_ROLES = ['admin', 'planner', 'operator'] as const;

/** Sorties materialised into the queue but not yet flown (quota counts them). */
const UPCOMING: readonly SortieState[] = ['requested', 'approved', 'scheduled', 'queued'];

export class FleetService {
  readonly bus: FleetEventBus;
  private readonly repos: Repositories;
  private readonly logger: Logger;
  private clock: Clock;
  private readonly nowDate: () => Date;
  private options: Required<Omit<FleetServiceOptions, 'timeouts'>>;
  private timeouts: DispatchTimeouts;
  private dispatcher: Dispatcher | undefined;
  private readonly running = new Map<
    string,
    { dispatch: SortieDispatch; done: Promise<void>; droneId: string }
  >();
  private readonly lastSampleS = new Map<string, number>();
  /** Drone → owning agency, for routing telemetry to the stream without a query per sample. */
  private readonly droneOwner = new Map<string, string>();
  /** The latest live state of each observed dock (roof, charger, weather). */
  private readonly dockStates = new Map<string, DockLiveState & { at: string }>();
  /** Watched docks: what they were watched with (link, system ids, drone) and how to stop. */
  private readonly observers = new Map<string, { key: string; stop: () => void }>();
  /** observeFleet() was called: ticks keep the watched docks in line with the store. */
  private observing = false;
  private readonly pendingSamples: TelemetrySample[] = [];
  private flushTimer: ReturnType<Clock['setTimeout']> | null = null;
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  /** An explicit longest flight, ms; otherwise 1.5 × the planned time + 5 min per sortie. */
  private flightMaxMs: number | undefined;
  private ticking = false;
  /** The scheduler pass the loop is running, if any (release waits for it). */
  private pass: Promise<void> | null = null;
  /** Per recurring mission: its first occurrence at or after `key`'s base (see materialise). */
  private readonly nextOccurrence = new Map<string, { key: string; atMs: number }>();

  constructor(deps: FleetServiceDeps) {
    this.repos = deps.repos;
    this.logger = deps.logger;
    this.clock = deps.clock ?? systemClock;
    this.nowDate = deps.now ?? (() => new Date(this.clock.now()));
    this.dispatcher = deps.dispatcher;
    this.options = { ...DEFAULTS };
    this.timeouts = { ...DEFAULT_DISPATCH_TIMEOUTS };
    this.configure(deps.options ?? {});
    this.bus = new FleetEventBus((err) =>
      this.logger.error({ err }, 'fleet stream listener failed; message dropped for it'),
    );
  }

  /**
   * Changes settings (those given; the others keep their value). Dispatches already running keep
   * the timeouts they started with; the scheduler period applies from its next start.
   */
  configure(options: FleetServiceOptions): void {
    const { timeouts, ...rest } = options;
    this.options = { ...this.options, ...rest };
    if (timeouts) {
      this.timeouts = { ...this.timeouts, ...timeouts };
      if (timeouts.flightMaxMs !== undefined) this.flightMaxMs = timeouts.flightMaxMs;
    }
  }

  /**
   * Plugs in the bridge's dispatcher (before `recover()` and `start()`), optionally with the
   * clock its timeouts run on.
   */
  useDispatcher(dispatcher: Dispatcher, clock?: Clock): void {
    this.dispatcher = dispatcher;
    if (clock) this.clock = clock;
  }

  // ---- missions ---------------------------------------------------------------------------

  /**
   * An agency requests a mission over its areas from a dock. One-off schedules get their sortie
   * at once (requested); recurring ones get sorties as the scheduler reaches them. A request by
   * the dock owner's own admins or operators is approved at once.
   */
  requestMission(
    input: MissionRequest,
    actor: FleetActor,
  ): { mission: Mission; sorties: Sortie[] } {
    requireRole(actor, REQUESTER_ROLES, 'request missions');
    const now = this.nowDate();
    const found = this.repos.missions.findDock(input.dockId);
    // shared flights: an agency requests sorties at its own docks and at the docks their owners
    // share; another agency's unshared dock answers as unknown
    const dock =
      found && (actor.seesAll || found.agencyId === actor.agencyId || found.shared)
        ? found
        : undefined;
    if (!dock) {
      throw new AppError(
        'DOCK_REFERENCE_INVALID',
        `Dock ${input.dockId} does not exist or is not shared with your agency.`,
        {
          issues: [
            {
              path: '/body/dockId',
              code: 'UNKNOWN_DOCK',
              message: `no dock ${input.dockId} visible to this agency`,
            },
          ],
        },
      );
    }
    const scope = { agencyId: actor.agencyId, seesAll: actor.seesAll };
    input.areaIds.forEach((areaId, i) => {
      if (!this.repos.areas.get(areaId, scope)) {
        throw new AppError(
          'AREA_REFERENCE_INVALID',
          `Area ${areaId} does not exist or is not yours.`,
          {
            issues: [
              {
                path: `/body/areaIds/${i}`,
                code: 'UNKNOWN_AREA',
                message: `no area ${areaId} visible to this agency`,
              },
            ],
          },
        );
      }
    });
    const plan = input.planId === null ? undefined : this.repos.plans.get(input.planId, scope);
    if (input.planId !== null && !plan) {
      throw new AppError(
        'PLAN_REFERENCE_INVALID',
        `Plan ${input.planId} does not exist or is not yours.`,
        {
          issues: [
            { path: '/body/planId', code: 'UNKNOWN_PLAN', message: `no plan ${input.planId}` },
          ],
        },
      );
    }
    if (
      input.schedule.kind === 'at' &&
      Date.parse(input.schedule.at) + input.windowMin * 60_000 <= now.getTime()
    ) {
      throw new AppError(
        'SCHEDULE_INVALID',
        `The time ${input.schedule.at} and its window are already past.`,
        {
          issues: [
            {
              path: '/body/schedule/at',
              code: 'IN_THE_PAST',
              message: 'the launch window has closed',
            },
          ],
        },
      );
    }
    try {
      validateSchedule(input.schedule);
    } catch (err) {
      if (err instanceof RecurrenceError) {
        throw new AppError('SCHEDULE_INVALID', err.message, {
          cause: err,
          issues: [{ path: '/body/schedule', code: 'INVALID_SCHEDULE', message: err.message }],
        });
      }
      throw err;
    }
    // A mission made from a plan flies that plan's sortie from this dock unless a route is given.
    const fromPlan = plan && input.route.mission.length === 0 ? routeFromPlan(plan, dock.id) : null;
    const route = fromPlan?.route ?? input.route;
    const drone = this.repos.fleet.dronesOfDock(dock.id)[0];
    const estimatedFlightMin =
      input.estimatedFlightMin ??
      fromPlan?.flightMin ??
      estimateFlightMin(route, drone?.cruiseSpeedMps ?? null);
    if (estimatedFlightMin === null) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Give estimatedFlightMin, or a route the dock’s drone can time.',
        {
          issues: [
            {
              path: '/body/estimatedFlightMin',
              code: 'REQUIRED',
              message: 'no route to estimate the flight time from',
            },
          ],
        },
      );
    }
    const ownerApproves = actor.agencyId === dock.agencyId && isOperator(actor);
    const mission: Mission = {
      id: newId('msn'),
      agencyId: actor.agencyId,
      ownerAgencyId: dock.agencyId,
      dockId: dock.id,
      planId: input.planId,
      name: input.name,
      purpose: input.purpose,
      priority: missionPriority(input.purpose),
      areaIds: input.areaIds,
      schedule: input.schedule,
      windowMin: input.windowMin,
      estimatedFlightMin,
      route,
      status: ownerApproves ? 'approved' : 'requested',
      statusReason: ownerApproves ? 'requested by the dock owner' : null,
      decidedBy: ownerApproves ? actorRef(actor) : null,
      decidedAt: ownerApproves ? now : null,
      materialisedUntil: null,
      createdBy: actorRef(actor),
      createdAt: now,
      updatedAt: now,
    };
    const first: { sortie: Sortie; transitions: TransitionRecord[] }[] = [];
    if (input.schedule.kind !== 'recurring') {
      const at =
        input.schedule.kind === 'immediate' ? now.getTime() : Date.parse(input.schedule.at);
      this.checkQuotaFor(mission, 1, estimatedFlightMin, now, at);
      const sortie = this.newSortie(mission, at, now, ownerApproves ? 'scheduled' : 'requested');
      first.push({
        sortie,
        transitions: this.openingTransitions(sortie.state, now, mission.createdBy),
      });
    }
    this.repos.missions.createMission(mission, first);
    for (const { sortie } of first) this.publishSortie(sortie, null, mission.createdBy, null, null);
    return { mission, sorties: first.map((f) => f.sortie) };
  }

  getMission(id: string, actor: FleetActor): Mission {
    const mission = this.repos.missions.getMission(id, scopeOf(actor));
    if (!mission) throw new AppError('MISSION_NOT_FOUND', `No mission ${id}.`);
    return mission;
  }

  getSortie(
    missionId: string,
    sortieId: string,
    actor: FleetActor,
  ): { mission: Mission; sortie: Sortie } {
    const mission = this.getMission(missionId, actor);
    const sortie = this.repos.missions.getSortie(sortieId);
    if (!sortie || sortie.missionId !== mission.id) {
      throw new AppError('SORTIE_NOT_FOUND', `No sortie ${sortieId} in mission ${missionId}.`);
    }
    return { mission, sortie };
  }

  /** The dock owner approves (re-checking quotas) or rejects a requested mission. */
  decideMission(
    id: string,
    decision: 'approve' | 'reject',
    reason: string | null,
    actor: FleetActor,
  ): Mission {
    const mission = this.getMission(id, actor);
    this.requireOwnerOperator(mission, actor, `${decision} missions`);
    if (mission.status !== 'requested') {
      throw new AppError(
        'MISSION_ALREADY_DECIDED',
        `Mission ${id} is ${mission.status}, not requested.`,
      );
    }
    const now = this.nowDate();
    const who = actorRef(actor);
    const pending = this.repos.missions.sortiesOfMission(id).filter((s) => s.state === 'requested');
    if (decision === 'approve') {
      for (const s of pending) {
        this.checkQuotaFor(mission, 1, s.plannedFlightMin, now, s.occurrenceAt.getTime(), s.id);
      }
    }
    const next: Mission = {
      ...mission,
      status: decision === 'approve' ? 'approved' : 'rejected',
      statusReason: reason,
      decidedBy: who,
      decidedAt: now,
      updatedAt: now,
    };
    this.repos.missions.updateMission(id, next);
    for (const s of pending) {
      if (decision === 'approve') {
        const approved = this.transition(s.id, 'approved', {
          actor: who,
          reasonCode: null,
          reason,
        });
        this.transition(approved.id, 'scheduled', {
          actor: 'scheduler',
          reasonCode: null,
          reason: null,
        });
      } else {
        this.transition(s.id, 'rejected', {
          actor: who,
          reasonCode: 'REJECTED',
          reason: reason ?? 'rejected by the dock owner',
        });
      }
    }
    return next;
  }

  /** One more sortie of an approved mission, now (e.g. a second pass after a detection). */
  addSortieNow(missionId: string, actor: FleetActor): Sortie {
    const mission = this.getMission(missionId, actor);
    requireRole(actor, REQUESTER_ROLES, 'request sorties');
    if (
      actor.agencyId !== mission.agencyId &&
      actor.agencyId !== mission.ownerAgencyId &&
      !actor.seesAll
    ) {
      throw new AppError('FORBIDDEN', 'Only the requesting agency or the dock owner adds sorties.');
    }
    if (mission.status !== 'approved') {
      throw new AppError(
        'MISSION_ALREADY_DECIDED',
        `Mission ${missionId} is ${mission.status}; sorties are added to approved missions.`,
      );
    }
    const now = this.nowDate();
    this.checkQuotaFor(mission, 1, mission.estimatedFlightMin, now, now.getTime());
    const sortie = this.newSortie(mission, now.getTime(), now, 'scheduled');
    const inserted = this.repos.missions.insertSortieOnce(
      sortie,
      this.openingTransitions('scheduled', now, actorRef(actor)),
    );
    if (!inserted)
      throw new AppError(
        'SORTIE_TRANSITION_INVALID',
        'A sortie of this mission already starts at this instant; try again.',
      );
    this.publishSortie(inserted, null, actorRef(actor), null, null);
    return inserted;
  }

  // ---- transitions ------------------------------------------------------------------------

  /**
   * Moves a sortie through the transition table, recording who, when and why. Illegal moves
   * answer 409 SORTIE_TRANSITION_INVALID naming from and to.
   */
  transition(
    sortieId: string,
    to: SortieState,
    change: {
      actor: string;
      reasonCode: string | null;
      reason: string | null;
      patch?: SortiePatch;
    },
  ): Sortie {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = this.repos.missions.getSortie(sortieId);
      if (!current) throw new AppError('SORTIE_NOT_FOUND', `No sortie ${sortieId}.`);
      const check = checkSortieTransition(current.state, to, {
        abortRequested: current.abortRequested,
        lastReachedItem: current.lastReachedItem,
        reasonCode: change.reasonCode,
      });
      if (!check.ok) {
        throw new AppError('SORTIE_TRANSITION_INVALID', `Sortie ${sortieId}: ${check.reason}.`);
      }
      const at = this.nowDate();
      const patch: SortiePatch = {
        reasonCode: change.reasonCode,
        reasonDetail: change.reason,
        ...this.implied(current, to, at),
        ...change.patch,
      };
      const next = this.repos.missions.applyTransition(sortieId, current.version, patch, {
        from: current.state,
        to,
        at,
        actor: change.actor,
        reasonCode: change.reasonCode,
        reason: change.reason,
      });
      if (next === 'stale') continue;
      this.publishSortie(next, current.state, change.actor, change.reasonCode, change.reason);
      return next;
    }
    throw new AppError(
      'SORTIE_TRANSITION_INVALID',
      `Sortie ${sortieId} kept changing under this request; try again.`,
    );
  }

  /** Fields that follow from entering a state. */
  private implied(current: Sortie, to: SortieState, at: Date): SortiePatch {
    if (to === 'launching') return { launchedAt: at };
    if (to === 'landed' && current.launchedAt) {
      return {
        landedAt: at,
        flownMin: current.flownMin + (at.getTime() - current.launchedAt.getTime()) / 60_000,
      };
    }
    if (to === 'queued' && current.state === 'landed')
      return { attempt: current.attempt + 1, launchedAt: null, dueAt: at };
    // A held launch is tried again later as a new dispatch attempt (a new dispatch key).
    if (to === 'queued' && current.state === 'preflight')
      return {
        attempt: current.attempt + 1,
        dueAt: new Date(at.getTime() + this.options.holdRetryMs),
      };
    if (to === 'done') return { progressPct: 100 };
    return {};
  }

  /**
   * Abort, never gated behind approvals: before take-off the sortie ends aborted; in the air it
   * is sent home (unless the vehicle is in its own failsafe) and ends aborted on landing.
   * The requesting agency and the dock owner (admins, operators) may abort.
   */
  abortSortie(
    missionId: string,
    sortieId: string,
    reason: string | null,
    actor: FleetActor,
  ): Sortie {
    const { sortie } = this.getSortie(missionId, sortieId, actor);
    requireRole(actor, OPERATOR_ROLES, 'abort sorties');
    const who = actorRef(actor);
    const why = reason ?? 'aborted by an operator';
    const target = abortTarget(sortie.state);
    if (target === null) {
      if (sortie.state === 'returning' && !sortie.abortRequested) {
        this.repos.missions.patchSortie(
          sortie.id,
          sortie.version,
          { abortRequested: true },
          this.nowDate(),
        );
        this.running.get(sortie.id)?.dispatch.abort(why);
        return this.repos.missions.getSortie(sortie.id) ?? sortie;
      }
      if (sortie.state === 'returning') return sortie;
      throw new AppError(
        'SORTIE_TRANSITION_INVALID',
        `Sortie ${sortieId}: a sortie in ${sortie.state} cannot be aborted (it is over).`,
      );
    }
    const run = this.running.get(sortie.id);
    const flagged = this.repos.missions.patchSortie(
      sortie.id,
      sortie.version,
      { abortRequested: true },
      this.nowDate(),
    );
    if (flagged === 'stale') return this.abortSortie(missionId, sortieId, reason, actor);
    if (run && !run.dispatch.isFinished) {
      run.dispatch.abort(why);
      if (target === 'returning') return this.repos.missions.getSortie(sortie.id) ?? flagged;
      // Before take-off the running dispatch ends the sortie itself, as soon as its step stops.
      return this.repos.missions.getSortie(sortie.id) ?? flagged;
    }
    const next = this.transition(sortie.id, target, {
      actor: who,
      reasonCode: 'ABORTED',
      reason: why,
    });
    if (target === 'returning') {
      this.recordEvent(
        next,
        'ABORT_NOT_COMMANDED',
        'critical',
        'no live dispatch holds this drone: return to launch could not be sent from here',
      );
    }
    return next;
  }

  async pauseSortie(missionId: string, sortieId: string, actor: FleetActor): Promise<Sortie> {
    return this.liveCommand(missionId, sortieId, actor, 'pause', (d) => d.pause());
  }

  async resumeSortie(missionId: string, sortieId: string, actor: FleetActor): Promise<Sortie> {
    return this.liveCommand(missionId, sortieId, actor, 'resume', (d) => d.resume());
  }

  private async liveCommand(
    missionId: string,
    sortieId: string,
    actor: FleetActor,
    what: string,
    run: (d: SortieDispatch) => Promise<DispatchOutcome>,
  ): Promise<Sortie> {
    const { mission, sortie } = this.getSortie(missionId, sortieId, actor);
    this.requireOwnerOperator(mission, actor, `${what} sorties`);
    if (sortie.failsafeHold) {
      throw new AppError(
        'FAILSAFE_HOLD',
        `Sortie ${sortieId}: the vehicle is in its own failsafe; acknowledge it first.`,
      );
    }
    const live = this.running.get(sortie.id);
    if (!live || live.dispatch.isFinished) {
      throw new AppError(
        'SORTIE_NOT_DISPATCHED',
        `Sortie ${sortieId} (${sortie.state}) has no live dispatch to ${what}.`,
      );
    }
    const out = await run(live.dispatch);
    if (!out.ok) {
      if (out.kind === 'rejected') {
        throw new AppError('SORTIE_TRANSITION_INVALID', `Sortie ${sortieId}: ${out.reason}.`);
      }
      if (out.kind === 'denied') throw new AppError('FAILSAFE_HOLD', out.reason);
      throw new AppError('SORTIE_COMMAND_FAILED', `${what} ${out.kind}: ${out.reason}`);
    }
    return this.repos.missions.getSortie(sortie.id) ?? sortie;
  }

  /**
   * Operator actions on a vehicle that entered its own failsafe: acknowledge (commands may be
   * sent again), then resume (queue again from the last item) or end the sortie (failed).
   */
  operatorAction(
    missionId: string,
    sortieId: string,
    action: OperatorAction,
    actor: FleetActor,
  ): Sortie {
    const { mission, sortie } = this.getSortie(missionId, sortieId, actor);
    this.requireOwnerOperator(mission, actor, 'act on failsafes');
    const who = actorRef(actor);
    if (action === 'acknowledge_failsafe') {
      if (!sortie.failsafeHold) {
        throw new AppError(
          'SORTIE_TRANSITION_INVALID',
          `Sortie ${sortieId} is not held by a vehicle failsafe.`,
        );
      }
      const live = this.running.get(sortie.id);
      // A live dispatch persists the flag through its hook; otherwise it is cleared here.
      if (live && !live.dispatch.isFinished) live.dispatch.acknowledgeFailsafe();
      else this.setFlag(sortie.id, { failsafeHold: false });
      this.recordEvent(
        sortie,
        'FAILSAFE_ACKNOWLEDGED',
        'info',
        `${who} acknowledged the vehicle failsafe`,
      );
      return this.repos.missions.getSortie(sortie.id) ?? sortie;
    }
    if (sortie.state !== 'landed') {
      throw new AppError(
        'SORTIE_TRANSITION_INVALID',
        `Sortie ${sortieId}: ${action} applies to a landed sortie, not ${sortie.state}.`,
      );
    }
    if (sortie.failsafeHold) {
      throw new AppError('FAILSAFE_HOLD', `Sortie ${sortieId}: acknowledge the failsafe first.`);
    }
    if (action === 'resume_after_failsafe') {
      return this.transition(sortie.id, 'queued', {
        actor: who,
        reasonCode: 'RESUMED_BY_OPERATOR',
        reason: `resumes from item ${sortie.lastReachedItem}`,
      });
    }
    return this.transition(sortie.id, 'failed', {
      actor: who,
      reasonCode: 'VEHICLE_FAILSAFE',
      reason: 'ended by an operator after a vehicle failsafe',
    });
  }

  // ---- quotas -----------------------------------------------------------------------------

  private checkQuotaFor(
    mission: Pick<Mission, 'agencyId'>,
    sorties: number,
    flightMin: number,
    _now: Date,
    atMs: number,
    exceptSortieId?: string,
  ): void {
    const failure = this.quotaFailure(mission.agencyId, sorties, flightMin, atMs, exceptSortieId);
    if (failure) throw new AppError('QUOTA_EXCEEDED', `Quota exceeded: ${failure}.`);
  }

  private quotaFailure(
    agencyId: string,
    sorties: number,
    flightMin: number,
    atMs: number,
    exceptSortieId?: string,
  ): string | null {
    for (const q of this.repos.missions.quotasOf(agencyId)) {
      const quota: AgencyQuota = {
        period: q.period,
        maxSorties: q.maxSorties,
        maxFlightMin: q.maxFlightMin,
      };
      const { startMs, endMs } = quotaPeriodBounds(q.period, atMs);
      const used = this.repos.missions.usage(
        agencyId,
        new Date(startMs),
        new Date(endMs),
        exceptSortieId,
      );
      const check = checkQuota(quota, used, { sorties, flightMin });
      if (!check.ok) return check.reason;
    }
    return null;
  }

  // ---- scheduler --------------------------------------------------------------------------

  /** Starts the scheduler loop on the injected clock. */
  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = this.clock.setTimeout(() => {
        const pass = async () => {
          if (this.observing) this.reconcileObservers();
          await this.tickInSlices();
        };
        this.pass = pass()
          .catch((err: unknown) =>
            this.logger.error({ err }, 'fleet scheduler pass failed; trying again next tick'),
          )
          .finally(() => {
            this.pass = null;
            if (this.timer !== null) loop();
          });
      }, this.options.tickMs);
    };
    loop();
  }

  /** Stops the scheduler loop (running dispatches go on; see {@link settled}). */
  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Shutdown: stops the scheduler and lets go of every running dispatch without recording or
   * commanding anything; the next process re-attaches with {@link recover}.
   */
  async release(): Promise<void> {
    this.stop();
    await this.pass;
    this.observing = false;
    for (const watched of this.observers.values()) watched.stop();
    this.observers.clear();
    for (const r of this.running.values()) r.dispatch.detach();
    await this.settled();
    this.flushTelemetry();
  }

  /** Resolves when every running dispatch has finished (tests, graceful stop). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * One whole scheduler pass at once (tests, tools): materialise upcoming occurrences of approved
   * recurring missions, expire sorties whose window passed, queue due sorties (preempting lower
   * priorities on the same dock), start a dispatch on each idle dock, prune old telemetry.
   * Idempotent. The running service uses {@link tickInSlices}, which yields between slices.
   */
  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.nowDate();
      // One durable commit for the pass instead of one per sortie (synchronous=FULL fsyncs each).
      this.repos.missions.inTransaction(() => {
        const steps = this.passSteps(now);
        let step = steps.next();
        while (!step.done) step = steps.next();
      });
      this.afterPass(now);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * The same pass as {@link tick}, cut into slices of at most about `sliceMs` of work, each in
   * its own transaction, yielding to the event loop between slices: requests, telemetry and
   * dispatch timers keep running while hundreds of missions are scheduled.
   */
  async tickInSlices(sliceMs = SCHEDULER_SLICE_MS): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.nowDate();
      const steps = this.passSteps(now);
      for (let done = false; !done;) {
        const sliceStart = performance.now();
        this.repos.missions.inTransaction(() => {
          // At least one unit per slice, however small the slice.
          do {
            if (steps.next().done) {
              done = true;
              return;
            }
          } while (performance.now() - sliceStart < sliceMs);
        });
        if (!done) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.afterPass(now);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * The pass as steps: each `next()` does one unit of work (one mission materialised, one sortie
   * expired or queued). Between slices other code may have changed a sortie: a unit whose move
   * became illegal is skipped (the next pass sees the new state).
   */
  private *passSteps(now: Date): Generator<void, void, undefined> {
    yield* this.materialise(now);
    yield* this.expire(now);
    yield* this.queueDue(now);
  }

  private afterPass(now: Date): void {
    this.dispatchIdleDocks(now);
    this.flushTelemetry();
    const pruned = this.repos.fleetOps.pruneSamples(
      Math.floor((now.getTime() - this.options.telemetryRetentionMs) / 1000),
    );
    if (pruned > 0) this.logger.debug({ pruned }, 'telemetry pruned');
  }

  /** Runs one unit of a pass; a move made illegal by a change between slices is skipped. */
  private unit(what: string, id: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      if (err instanceof AppError && err.code === 'SORTIE_TRANSITION_INVALID') {
        this.logger.debug({ err, id }, `scheduler: ${what} skipped; the sortie changed meanwhile`);
        return;
      }
      throw err;
    }
  }

  /**
   * Materialises occurrences up to now + lookahead. Only missions whose next occurrence (kept
   * per mission, computed once per materialisation) falls before that horizon are read in full
   * and expanded; the others cost one light row and a comparison.
   */
  private *materialise(now: Date): Generator<void, void, undefined> {
    const nowMs = now.getTime();
    const until = nowMs + this.options.lookaheadMs;
    const seen = new Set<string>();
    for (const head of this.repos.missions.approvedMissionHeads()) {
      seen.add(head.id);
      if (head.schedule.kind !== 'recurring') continue;
      // Occurrences whose window already closed while the service was down are not created.
      const base = Math.max(head.materialisedUntil?.getTime() ?? 0, head.createdAt.getTime());
      const from = Math.max(base, nowMs - head.windowMin * 60_000);
      if (from >= until) continue;
      const key = `${base}|${JSON.stringify(head.schedule)}`;
      let next = this.nextOccurrence.get(head.id);
      if (next?.key !== key) {
        next = { key, atMs: nextOccurrenceMs(head.schedule, base, head.createdAt.getTime()) };
        this.nextOccurrence.set(head.id, next);
        yield; // a rule expanded from its season's start: a unit of work of its own
      }
      if (next.atMs >= until) continue;
      const mission = this.repos.missions.findMission(head.id);
      if (!mission || mission.status !== 'approved') continue;
      for (const at of scheduleOccurrences(
        mission.schedule,
        from,
        until,
        mission.createdAt.getTime(),
      )) {
        const quota = this.quotaFailure(mission.agencyId, 1, mission.estimatedFlightMin, at);
        const sortie = this.newSortie(mission, at, now, quota ? 'rejected' : 'scheduled');
        const transitions = this.openingTransitions(sortie.state, now, 'scheduler', quota);
        if (quota) Object.assign(sortie, { reasonCode: 'QUOTA_EXCEEDED', reasonDetail: quota });
        const inserted = this.repos.missions.insertSortieOnce(sortie, transitions);
        if (inserted)
          this.publishSortie(
            inserted,
            null,
            'scheduler',
            inserted.reasonCode,
            inserted.reasonDetail,
          );
      }
      this.repos.missions.updateMission(mission.id, { materialisedUntil: new Date(until) });
      yield;
    }
    for (const id of this.nextOccurrence.keys()) if (!seen.has(id)) this.nextOccurrence.delete(id);
  }

  private *expire(now: Date): Generator<void, void, undefined> {
    for (const s of this.repos.missions.windowClosedSorties(now)) {
      this.unit('expiry', s.id, () =>
        this.transition(s.id, 'failed', {
          actor: 'scheduler',
          reasonCode: 'WINDOW_MISSED',
          reason: s.reasonCode
            ? `window closed; last held by ${s.reasonCode}: ${s.reasonDetail ?? ''}`
            : 'the launch window closed before the sortie could fly',
        }),
      );
      yield;
    }
  }

  private *queueDue(now: Date): Generator<void, void, undefined> {
    const due = this.repos.missions.dueSorties('scheduled', now);
    due.sort((a, b) => compareQueued(toQueued(a), toQueued(b)));
    for (const s of due) {
      this.unit('queueing', s.id, () => {
        const queued = this.transition(s.id, 'queued', {
          actor: 'scheduler',
          reasonCode: null,
          reason: null,
        });
        this.preempt(queued, now);
      });
      yield;
    }
  }

  /** Lower-priority queued sorties on the same dock go back to scheduled, after the newcomer. */
  private preempt(incoming: Sortie, now: Date): void {
    const others = this.repos.missions.sortiesInStates(['queued'], { dockId: incoming.dockId });
    const delayMs = Math.ceil(incoming.plannedFlightMin * 60_000);
    for (const victim of selectPreempted(others.map(toQueued), toQueued(incoming))) {
      const row = others.find((o) => o.id === victim.id);
      if (!row) continue;
      this.transition(row.id, 'scheduled', {
        actor: 'scheduler',
        reasonCode: 'PREEMPTED',
        reason: `preempted by sortie ${incoming.id} (priority ${incoming.priority} > ${row.priority})`,
        patch: {
          dueAt: new Date(now.getTime() + delayMs),
          windowEndsAt: new Date(row.windowEndsAt.getTime() + delayMs),
        },
      });
    }
  }

  private dispatchIdleDocks(now: Date): void {
    if (!this.dispatcher) return;
    const queued = this.repos.missions.sortiesInStates(['queued']);
    const busy = new Set(
      this.repos.missions.sortiesInStates(ACTIVE_SORTIE_STATES).map((s) => s.dockId),
    );
    const byDock = new Map<string, Sortie[]>();
    for (const s of queued) {
      if (s.dueAt.getTime() > now.getTime() || busy.has(s.dockId)) continue;
      byDock.set(s.dockId, [...(byDock.get(s.dockId) ?? []), s]);
    }
    for (const [, list] of byDock) {
      const next = [...list].sort((a, b) => compareQueued(toQueued(a), toQueued(b)))[0];
      if (next) this.startDispatch(next, 'preflight');
    }
  }

  // ---- dispatch ---------------------------------------------------------------------------

  /**
   * Starts (or, after a restart, re-attaches) the dispatch of a sortie. A fresh dispatch first
   * claims `<sortie>#<attempt>` in the store: a key already claimed is never dispatched again.
   */
  private startDispatch(sortie: Sortie, entry: DispatchEntry): boolean {
    const dispatcher = this.dispatcher;
    if (!dispatcher || this.running.has(sortie.id)) return false;
    const dock = this.repos.missions.findDock(sortie.dockId);
    const drone = sortie.droneId
      ? this.repos.fleet.getDrone(sortie.droneId, { agencyId: '', seesAll: true })
      : this.repos.fleet.dronesOfDock(sortie.dockId)[0];
    const mission = this.repos.missions.findMission(sortie.missionId);
    if (!dock || !drone || !mission) {
      this.recordEvent(
        sortie,
        'DOCK_HAS_NO_DRONE',
        'warning',
        `dock ${sortie.dockId} has no drone to fly sortie ${sortie.id}`,
      );
      return false;
    }
    const now = this.nowDate();
    const key = `${sortie.id}#${sortie.attempt}`;
    if (entry === 'preflight') {
      const claimed = this.repos.fleetOps.claimDispatch({
        key,
        sortieId: sortie.id,
        attempt: sortie.attempt,
        status: 'started',
        step: 'claimed',
        startFromItem: sortie.lastReachedItem,
        createdAt: now,
        updatedAt: now,
      });
      if (!claimed) {
        this.logger.warn({ key }, 'dispatch already claimed: not dispatching twice');
        return false;
      }
      const moved = this.transition(sortie.id, 'preflight', {
        actor: 'dispatch',
        reasonCode: null,
        reason: null,
        patch: { droneId: drone.id },
      });
      sortie = moved;
    }
    const target: DispatchTarget = {
      sortieId: sortie.id,
      dockId: dock.id,
      droneId: drone.id,
      linkUrl: dock.linkUrl,
      dockSystemId: dock.systemId,
      droneSystemId: drone.systemId,
    };
    const id = sortie.id;
    const dispatch = new SortieDispatch(
      dispatcher,
      this.clock,
      {
        target,
        route: mission.route,
        startFromItem: sortie.lastReachedItem,
        sortieNeedPct: sortieBatteryNeedPct(sortie.plannedFlightMin, drone.maxFlightTimeMin),
        reservePct: drone.batteryReservePct,
        maxWindMps: drone.maxWindMps,
        windowStartMs: sortie.occurrenceAt.getTime(),
        windowEndMs: sortie.windowEndsAt.getTime(),
        state: sortie.state,
        entry,
        failsafeHold: sortie.failsafeHold,
        abortRequested: sortie.abortRequested,
        timeouts: {
          ...this.timeouts,
          flightMaxMs: this.flightMaxMs ?? sortie.plannedFlightMin * 90_000 + 300_000,
        },
      },
      {
        transition: (to, change) => {
          this.transition(id, to, {
            actor: change.actor,
            reasonCode: change.reasonCode,
            reason: change.reason,
          });
        },
        step: (step) => this.repos.fleetOps.updateDispatch(key, { step }, this.nowDate()),
        progress: (reached, total) => this.progress(id, reached, total),
        event: (kind, severity, detail) => {
          const s = this.repos.missions.getSortie(id);
          if (s) this.recordEvent(s, kind, severity, detail);
        },
        telemetry: (e) => this.recordTelemetry(drone.id, id, e),
        failsafeHold: (hold) => this.setFlag(id, { failsafeHold: hold }),
      },
    );
    const done = dispatch
      .run()
      .then((result: DispatchResult) => {
        if (result.result !== 'detached') {
          this.repos.fleetOps.updateDispatch(
            key,
            { status: result.result === 'failed' ? 'failed' : 'finished' },
            this.nowDate(),
          );
        }
        this.logger.info({ sortieId: id, key, result }, 'dispatch ended');
      })
      .catch((err: unknown) => {
        this.repos.fleetOps.updateDispatch(key, { status: 'failed' }, this.nowDate());
        this.logger.error({ err, sortieId: id, key }, 'dispatch crashed');
        const s = this.repos.missions.getSortie(id);
        if (s)
          this.recordEvent(
            s,
            'DISPATCH_CRASHED',
            'critical',
            err instanceof Error ? err.message : String(err),
          );
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, { dispatch, done, droneId: drone.id });
    return true;
  }

  /**
   * After a restart: sorties caught in preflight go back to the queue as a new attempt (their
   * old dispatch key stays claimed); airborne and landed sorties are re-attached to the
   * dispatcher without sending anything until the vehicle reports (nothing is dispatched twice).
   */
  recover(): { requeued: number; reattached: number; unattached: number } {
    const counts = { requeued: 0, reattached: 0, unattached: 0 };
    for (const s of this.repos.missions.sortiesInStates(ACTIVE_SORTIE_STATES)) {
      if (this.running.has(s.id)) continue;
      if (s.state === 'preflight') {
        this.transition(s.id, 'queued', {
          actor: 'recovery',
          reasonCode: 'RECOVERED',
          reason: 'the service restarted during preflight; queued again as a new attempt',
          patch: { attempt: s.attempt + 1, dueAt: this.nowDate() },
        });
        counts.requeued++;
        continue;
      }
      const entry: DispatchEntry =
        s.state === 'landed' ? 'landed' : s.state === 'returning' ? 'returning' : 'airborne';
      if (this.startDispatch(s, entry)) counts.reattached++;
      else {
        counts.unattached++;
        this.recordEvent(
          s,
          'RECOVERY_UNATTACHED',
          'critical',
          `sortie ${s.id} was ${s.state} at restart and no dispatcher can re-attach to it`,
        );
      }
    }
    return counts;
  }

  /**
   * Watches every registered dock and its drone through the dispatcher (when it can observe):
   * dock states and drone positions go to the live stream; positions are stored at ~1 Hz and
   * attached to the sortie the drone is flying. Once called, every scheduler tick (see
   * {@link start}) also watches docks registered later, re-watches docks whose link, system id or
   * drone changed, and stops watching deleted ones. Returns how many docks are watched.
   */
  observeFleet(): number {
    this.observing = true;
    return this.reconcileObservers();
  }

  /** Brings the watched docks in line with the store; returns how many are watched. */
  private reconcileObservers(): number {
    const dispatcher = this.dispatcher;
    if (!dispatcher || !isFleetObserver(dispatcher)) return 0;
    const rows = this.repos.fleetOps.observedDocks();
    const wanted = new Map(rows.map((r) => [r.dockId, r]));
    for (const [dockId, watched] of this.observers) {
      const row = wanted.get(dockId);
      if (row && observerKey(row) === watched.key) continue;
      watched.stop();
      this.observers.delete(dockId);
      this.dockStates.delete(dockId);
    }
    for (const row of rows) {
      if (this.observers.has(row.dockId)) continue;
      this.observers.set(row.dockId, {
        key: observerKey(row),
        stop: this.observeDock(dispatcher, row),
      });
    }
    return this.observers.size;
  }

  private observeDock(dispatcher: FleetObserver, dock: ObservedDockRow): () => void {
    const droneId = dock.droneId;
    return dispatcher.observe(
      {
        dockId: dock.dockId,
        linkUrl: dock.linkUrl,
        dockSystemId: dock.dockSystemId,
        droneId,
        droneSystemId: dock.droneSystemId,
      },
      {
        dock: (state) => {
          // A late message from a link this dock no longer uses is not its state.
          if (!this.observers.has(dock.dockId)) return;
          const at = this.nowDate().toISOString();
          this.dockStates.set(dock.dockId, { ...state, at });
          this.bus.publish({
            type: 'dock',
            agencyId: null,
            ownerAgencyId: dock.agencyId,
            dockId: dock.dockId,
            state,
            at,
          });
        },
        drone: (e) => {
          if (!droneId) return;
          // Positions of a drone in a sortie arrive through the sortie's own dispatch.
          const flying = [...this.running.values()].some(
            (r) => !r.dispatch.isFinished && r.droneId === droneId,
          );
          if (!flying) this.recordTelemetry(droneId, null, e);
        },
      },
    );
  }

  /** The latest observed state of a dock, if it is observed. */
  dockState(dockId: string): (DockLiveState & { at: string }) | undefined {
    return this.dockStates.get(dockId);
  }

  // ---- telemetry, progress, events --------------------------------------------------------

  /**
   * Keeps a position sample at most once per drone per second (about 1 Hz), publishes it at
   * once and buffers it for {@link flushTelemetry}. Returns whether the sample was kept.
   */
  recordTelemetry(
    droneId: string,
    sortieId: string | null,
    e: Extract<VehicleEvent, { type: 'position' }>,
  ): boolean {
    const atS = Math.floor(this.nowDate().getTime() / 1000);
    if (this.lastSampleS.get(droneId) === atS) return false;
    this.lastSampleS.set(droneId, atS);
    const sample: TelemetrySample = {
      droneId,
      atS,
      sortieId,
      lon: e.lon,
      lat: e.lat,
      altM: e.altM,
      batteryPct: e.batteryPct,
      groundSpeedMps: e.groundSpeedMps,
      mode: e.mode,
    };
    this.pendingSamples.push(sample);
    if (this.pendingSamples.length >= TELEMETRY_BATCH_MAX) this.flushTelemetry();
    else if (!this.flushTimer) {
      this.flushTimer = this.clock.setTimeout(() => this.flushTelemetry(), TELEMETRY_FLUSH_MS);
    }
    const sortie = sortieId ? this.repos.missions.getSortie(sortieId) : undefined;
    let owner = this.droneOwner.get(droneId);
    if (owner === undefined) {
      owner = this.repos.fleet.getDrone(droneId, { agencyId: '', seesAll: true })?.agencyId ?? '';
      this.droneOwner.set(droneId, owner);
    }
    this.bus.publish({
      type: 'telemetry',
      agencyId: sortie?.agencyId ?? null,
      ownerAgencyId: sortie?.ownerAgencyId ?? owner,
      droneId,
      sortieId,
      position: [e.lon, e.lat],
      altM: e.altM,
      batteryPct: e.batteryPct,
      groundSpeedMps: e.groundSpeedMps,
      mode: e.mode,
      at: new Date(atS * 1000).toISOString(),
    });
    return true;
  }

  /**
   * Writes buffered samples in one transaction (one durable commit per second instead of one
   * per sample). Returns how many rows were new.
   */
  flushTelemetry(): number {
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pendingSamples.splice(0);
    if (batch.length === 0) return 0;
    return this.repos.missions.inTransaction(
      () => batch.filter((s) => this.repos.fleetOps.insertSample(s)).length,
    );
  }

  private progress(sortieId: string, reached: number, total: number): void {
    for (let i = 0; i < 3; i++) {
      const s = this.repos.missions.getSortie(sortieId);
      if (!s) return;
      const totalItems = Math.max(total, s.totalItems);
      const progressPct = totalItems > 0 ? Math.min(100, ((reached + 1) / totalItems) * 100) : 0;
      const next = this.repos.missions.patchSortie(
        sortieId,
        s.version,
        { lastReachedItem: Math.max(reached, s.lastReachedItem), totalItems, progressPct },
        this.nowDate(),
      );
      if (next === 'stale') continue;
      this.bus.publish({
        type: 'progress',
        agencyId: next.agencyId,
        ownerAgencyId: next.ownerAgencyId,
        sortieId,
        missionId: next.missionId,
        lastReachedItem: next.lastReachedItem,
        totalItems,
        progressPct,
        at: next.updatedAt.toISOString(),
      });
      return;
    }
  }

  private setFlag(sortieId: string, patch: SortiePatch): void {
    for (let i = 0; i < 3; i++) {
      const s = this.repos.missions.getSortie(sortieId);
      if (!s) return;
      if (this.repos.missions.patchSortie(sortieId, s.version, patch, this.nowDate()) !== 'stale')
        return;
    }
  }

  /** Stores an operator-facing event and publishes it at once. */
  recordEvent(
    sortie: Pick<Sortie, 'id' | 'dockId' | 'droneId' | 'agencyId' | 'ownerAgencyId'>,
    kind: string,
    severity: FleetEventSeverity,
    detail: string,
  ): FleetEventRow {
    const row = this.repos.fleetOps.insertEvent({
      at: this.nowDate(),
      kind,
      severity,
      sortieId: sortie.id,
      dockId: sortie.dockId,
      droneId: sortie.droneId,
      agencyId: sortie.agencyId,
      ownerAgencyId: sortie.ownerAgencyId,
      detail,
    });
    if (severity !== 'info') this.logger.warn({ kind, sortieId: sortie.id, detail }, 'fleet event');
    this.bus.publish({
      type: 'event',
      seq: row.seq,
      agencyId: row.agencyId,
      ownerAgencyId: row.ownerAgencyId,
      kind,
      severity,
      sortieId: row.sortieId,
      dockId: row.dockId,
      droneId: row.droneId,
      detail,
      at: row.at.toISOString(),
    });
    return row;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private newSortie(mission: Mission, occurrenceMs: number, now: Date, state: SortieState): Sortie {
    return {
      id: newId('srt'),
      missionId: mission.id,
      agencyId: mission.agencyId,
      ownerAgencyId: mission.ownerAgencyId,
      dockId: mission.dockId,
      droneId: null,
      priority: mission.priority,
      state,
      reasonCode: null,
      reasonDetail: null,
      occurrenceAt: new Date(occurrenceMs),
      dueAt: new Date(occurrenceMs),
      windowEndsAt: new Date(occurrenceMs + mission.windowMin * 60_000),
      plannedFlightMin: mission.estimatedFlightMin,
      flownMin: 0,
      attempt: 1,
      lastReachedItem: 0,
      totalItems: mission.route.mission.length,
      progressPct: 0,
      abortRequested: false,
      failsafeHold: false,
      launchedAt: null,
      landedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** The recorded path to a sortie's first state (requested → approved → scheduled). */
  private openingTransitions(
    state: SortieState,
    at: Date,
    actor: string,
    rejection: string | null = null,
  ) {
    const t = (
      from: SortieState | null,
      to: SortieState,
      reasonCode: string | null = null,
      reason: string | null = null,
    ) => ({ from, to, at, actor, reasonCode, reason });
    if (state === 'requested') return [t(null, 'requested')];
    if (state === 'rejected')
      return [t(null, 'requested'), t('requested', 'rejected', 'QUOTA_EXCEEDED', rejection)];
    return [
      t(null, 'requested'),
      t('requested', 'approved', null, 'mission approved'),
      t('approved', 'scheduled'),
    ];
  }

  private publishSortie(
    s: Sortie,
    from: SortieState | null,
    actor: string,
    reasonCode: string | null,
    reason: string | null,
  ): void {
    this.bus.publish({
      type: 'sortie',
      agencyId: s.agencyId,
      ownerAgencyId: s.ownerAgencyId,
      sortieId: s.id,
      missionId: s.missionId,
      dockId: s.dockId,
      from,
      to: s.state,
      reasonCode,
      reason,
      actor,
      at: s.updatedAt.toISOString(),
    });
  }

  private requireOwnerOperator(mission: Mission, actor: FleetActor, what: string): void {
    if (!(actor.seesAll || (actor.agencyId === mission.ownerAgencyId && isOperator(actor)))) {
      throw new AppError('FORBIDDEN', `Only the dock owner’s admins and operators may ${what}.`);
    }
  }

  /** Sorties not yet over, for the live snapshot. */
  liveSorties(actor: FleetActor): Sortie[] {
    return this.repos.missions.visibleSorties(scopeOf(actor), [
      ...UPCOMING,
      ...ACTIVE_SORTIE_STATES,
    ]);
  }

  isTerminal(state: SortieState): boolean {
    return TERMINAL_SORTIE_STATES.includes(state);
  }
}

/**
 * The first occurrence at or after `fromMs`, ms; +Infinity when none within about a year (the
 * season is over): searched in growing windows, so a daily rule costs a day's expansion.
 */
function nextOccurrenceMs(schedule: MissionSchedule, fromMs: number, createdAtMs: number): number {
  for (const days of [2, 40, 400]) {
    const found = scheduleOccurrences(schedule, fromMs, fromMs + days * 86_400_000, createdAtMs);
    if (found.length > 0) return found[0]!;
  }
  return Number.POSITIVE_INFINITY;
}

function observerKey(r: ObservedDockRow): string {
  return [r.linkUrl, r.dockSystemId, r.droneId, r.droneSystemId].join('|');
}

function toQueued(s: Sortie) {
  return { id: s.id, priority: s.priority, dueAtMs: s.dueAt.getTime() };
}

function scopeOf(actor: FleetActor) {
  return { agencyId: actor.agencyId, seesAll: actor.seesAll };
}

function isOperator(actor: FleetActor): boolean {
  return actor.role === 'admin' || actor.role === 'operator';
}

function requireRole(actor: FleetActor, roles: readonly string[], what: string): void {
  if (!roles.includes(actor.role)) {
    throw new AppError(
      'FORBIDDEN',
      `Only roles ${roles.join(', ')} may ${what}; the key has role ${actor.role}.`,
    );
  }
}

/**
 * Flight time of a route at cruise speed, minutes, plus one minute per take-off and landing;
 * null without a speed or with fewer than two positions.
 */
export function estimateFlightMin(
  route: StoredRoute,
  cruiseSpeedMps: number | null,
): number | null {
  const points = route.mission.flatMap((i) => (i.position ? [i.position] : []));
  if (!cruiseSpeedMps || points.length < 2) return null;
  let lengthM = 0;
  for (let i = 1; i < points.length; i++) lengthM += haversineM(points[i - 1]!, points[i]!);
  return lengthM / cruiseSpeedMps / 60 + 2;
}

function haversineM(a: [number, number], b: [number, number]): number {
  const r = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

/** The first sortie of a ready plan that takes off from `dockId`, as a stored route. */
function routeFromPlan(
  plan: { id: string; status: string; result: unknown },
  dockId: string,
): { route: StoredRoute; flightMin: number } {
  if (plan.status !== 'ready' || !plan.result) {
    throw new AppError(
      'PLAN_NOT_READY',
      `Plan ${plan.id} is ${plan.status}; a mission needs a ready plan.`,
    );
  }
  const sorties = (
    plan.result as {
      sorties: {
        dockId: string;
        mission: StoredRoute['mission'];
        fence: StoredRoute['fence'];
        rally: StoredRoute['rally'];
        timeS: number;
      }[];
    }
  ).sorties;
  const sortie = sorties.find((s) => s.dockId === dockId);
  if (!sortie) {
    throw new AppError(
      'PLAN_REFERENCE_INVALID',
      `Plan ${plan.id} has no sortie from dock ${dockId}.`,
      {
        issues: [
          {
            path: '/body/dockId',
            code: 'NOT_IN_PLAN',
            message: `the plan's sorties leave from ${[...new Set(sorties.map((s) => s.dockId))].join(', ')}`,
          },
        ],
      },
    );
  }
  return {
    route: { mission: sortie.mission, fence: sortie.fence, rally: sortie.rally },
    flightMin: sortie.timeS / 60,
  };
}
