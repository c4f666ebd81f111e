/**
 * Verification sorties: an alert's request for a close-up look becomes flight work. The service
 * hears `alert.verification_requested` on the alerts stream, picks the nearest capable dock the
 * energy model can reach, plans an inspection tour over and around the alert, stores the plan,
 * asks the fleet for a mission from that dock on behalf of the requesting agency, applies the
 * standing approval rule, then follows the sortie on the fleet bus until it is done, and puts
 * the outcome on the alert's timeline with a link to the flown track.
 */
import {
  FINAL_VERIFICATION_STATUSES,
  VerificationRepository,
  type Database_,
  type Mission,
  type SeverityName,
  type PayloadKind,
  type Repositories,
  type SortieStateName,
  type VerificationDockRow,
  type VerificationFlightPatch,
  type VerificationRecord,
  type VerificationStatus,
} from '../../../db/index';
import { planPatrol, type Plan, type PlanFailure } from '../../../missions/index';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import type { AlertsService, AlertStreamEvent } from '../alerts/alerts-service';
import type { FleetActor, FleetMessage, FleetService, MissionPurpose } from '../fleet/index';
import { autoApproval, VERIFICATION_POLICY_ACTOR } from './verification-policy';
import {
  unreachableReason,
  verificationPatrolInput,
  VERIFICATION_PAYLOAD,
  VERIFICATION_PURPOSE,
  type VerificationDock,
  type VerificationTarget,
} from './verification-plan';
import { verificationStatusOfSortie } from './verification-status';

/** The actor of steps the service takes by itself. */
export const VERIFICATION_ACTOR = 'system:verification';

export interface VerificationServiceOptions {
  /** Ring points around the alert's centre (fewer when a battery cannot hold them). Default 4. */
  ringPoints?: number;
  /** How long after the request the sortie may still launch, minutes. Default 60. */
  windowMin?: number;
  /** Capable docks tried, nearest first. Default 3. */
  maxDocksTried?: number;
  /** Apply the standing approval rule (see verification-policy.ts). Default true. */
  autoApprove?: boolean;
}

export interface VerificationServiceDeps {
  store: Database_;
  repos: Repositories;
  logger: Logger;
  now: () => Date;
  alerts: AlertsService;
  fleet: FleetService;
  options?: VerificationServiceOptions;
}

/** A planned verification: the dock, the plan and what it took to find it. */
interface PlannedVerification {
  dock: VerificationDockRow;
  distanceM: number;
  plan: Plan;
  ringPoints: number;
  input: ReturnType<typeof verificationPatrolInput>;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Statuses a closed alert cancels (not yet in the air). */
const CANCELLABLE_STATUSES: readonly VerificationStatus[] = [
  'requested',
  'planned',
  'mission_created',
  'scheduled',
];

function haversineM(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

/** The flown track of a sortie, as the fleet serves it (GeoJSON Feature). */
export function trackUrlOf(missionId: string, sortieId: string): string {
  return `/v1/missions/${missionId}/sorties/${sortieId}/track`;
}

export class VerificationService {
  readonly records: VerificationRepository;
  private readonly options: Required<VerificationServiceOptions>;
  /** Requests being taken up in this process (a second event for one is ignored). */
  private readonly inProgress = new Set<string>();
  private pending: Promise<void> = Promise.resolve();
  private detachers: (() => void)[] = [];
  private busStop: (() => void) | null = null;

  constructor(private readonly deps: VerificationServiceDeps) {
    this.records = new VerificationRepository(deps.store.db);
    this.options = {
      ringPoints: 4,
      windowMin: 60,
      maxDocksTried: 3,
      autoApprove: true,
      ...deps.options,
    };
  }

  /**
   * Listens to the alerts stream (new requests) and the fleet bus (sortie states), then picks up
   * whatever a previous process left unfinished. Returns a function that stops listening.
   */
  attach(): () => void {
    if (this.detachers.length === 0) {
      const onAlert = (e: AlertStreamEvent) => {
        if (e.type === 'alert.closed') {
          const status = typeof e.data['status'] === 'string' ? e.data['status'] : 'closed';
          this.later(() => this.cancelForClosedAlert(e.alertId, status));
          return;
        }
        if (e.type !== 'alert.verification_requested') return;
        const id = e.data['verificationId'];
        if (typeof id === 'string') this.enqueue(id);
      };
      this.deps.alerts.stream.on('event', onAlert);
      this.detachers.push(() => this.deps.alerts.stream.off('event', onAlert));
      this.detachers.push(() => this.unfollow());
      this.reconcile();
    }
    return () => this.detach();
  }

  detach(): void {
    for (const stop of this.detachers.splice(0)) stop();
  }

  /**
   * Listens to the fleet bus while some verification has a sortie to follow, and only then: a
   * fleet with no verification in progress carries no listener of ours.
   */
  private follow(): void {
    if (this.busStop || this.detachers.length === 0) return;
    this.busStop = this.deps.fleet.bus.subscribe((m) => this.onFleetMessage(m));
  }

  private unfollow(): void {
    this.busStop?.();
    this.busStop = null;
  }

  private unfollowIfIdle(): void {
    if (this.busStop && !this.records.hasOpenSortie()) this.unfollow();
  }

  /** Resolves when every queued request has been taken up (tests, graceful stop). */
  idle(): Promise<void> {
    return this.pending;
  }

  /** Every verification of an alert with its flight; callers check that the alert is visible. */
  list(alertId: string): VerificationRecord[] {
    return this.records.ofAlert(alertId);
  }

  /** Queues a request to be taken up after the current event has been handled. */
  enqueue(id: string): void {
    this.later(() => this.take(id), { verificationId: id });
  }

  /** Runs `work` after the current event, in order with the rest; failures are logged. */
  private later(work: () => unknown, context: Record<string, unknown> = {}): void {
    this.pending = this.pending.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            try {
              work();
            } catch (err) {
              this.deps.logger.error({ err, ...context }, 'verification work failed');
            }
            resolve();
          }),
        ),
    );
  }

  /**
   * A closed alert (resolved, false alarm, duplicate) needs no close-up: its verifications that
   * have not taken off yet are cancelled and their sorties aborted before launch. One already in
   * the air flies on (sending it home is an operator's call) and reports as usual.
   */
  cancelForClosedAlert(alertId: string, alertStatus: string): number {
    let cancelled = 0;
    for (const rec of this.records.ofAlert(alertId)) {
      if (!CANCELLABLE_STATUSES.includes(rec.request.status)) continue;
      const alert = this.records.alertOf(alertId);
      if (!alert) return cancelled;
      const id = rec.request.id;
      if (!rec.flight) {
        const payload = VERIFICATION_PAYLOAD[alert.alertType];
        this.records.claim(
          id,
          {
            payload,
            purpose: VERIFICATION_PURPOSE[alert.alertType],
            actor: `agency:${rec.request.agencyId}`,
            detail: null,
          },
          this.deps.now(),
        );
      }
      const reason = `the alert was closed (${alertStatus}) before the flight`;
      const ended = this.advance(id, 'cancelled', reason, {
        reasonCode: 'ALERT_CLOSED',
        reason,
        completedAt: this.deps.now(),
      });
      if (!ended?.flight) continue;
      cancelled++;
      const f = ended.flight;
      if (f.missionId && f.sortieId) {
        const system: FleetActor = {
          keyId: VERIFICATION_ACTOR,
          agencyId: rec.request.agencyId,
          role: 'operator',
          seesAll: false,
          recordAs: VERIFICATION_ACTOR,
        };
        try {
          this.deps.fleet.abortSortie(f.missionId, f.sortieId, reason, system);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          this.deps.logger.warn(
            { verificationId: id, sortieId: f.sortieId, code: err.code, reason: err.message },
            'sortie of a cancelled verification not aborted',
          );
        }
      }
      this.tellAlert(alertId, 'alert.verification_cancelled', ended);
    }
    return cancelled;
  }

  /**
   * Re-takes requests a previous process did not finish handing to the fleet, and brings each verification with a
   * sortie up to that sortie's stored state (states changed while nobody listened).
   */
  reconcile(): { retaken: number; synced: number } {
    let retaken = 0;
    let synced = 0;
    for (const rec of this.records.unfinished()) {
      const sortieId = rec.flight?.sortieId;
      if (sortieId) {
        this.follow();
        const sortie = this.deps.repos.missions.getSortie(sortieId);
        if (sortie) {
          this.syncSortie(
            rec,
            sortie.state,
            VERIFICATION_ACTOR,
            sortie.reasonCode,
            sortie.reasonDetail,
          );
          synced++;
        }
      } else {
        // Not yet handed to the fleet: take it up again from the phase it stopped in.
        this.enqueue(rec.request.id);
        retaken++;
      }
    }
    return { retaken, synced };
  }

  /**
   * Takes one request up: dock, plan, mission, approval. Every outcome is a status with its
   * reason; nothing here is an error for the caller who asked for the flight.
   */
  take(id: string): VerificationRecord | undefined {
    if (this.inProgress.has(id)) return undefined;
    this.inProgress.add(id);
    try {
      return this.takeUp(id);
    } finally {
      this.inProgress.delete(id);
    }
  }

  /**
   * Each phase is skipped when its result is already stored, so a request interrupted by a
   * restart resumes where it stopped: claim → plan (or no_capable_dock) → mission (found by its
   * plan when the fleet stored it just before the stop) → standing approval → sortie state.
   */
  private takeUp(id: string): VerificationRecord | undefined {
    let rec = this.records.get(id);
    if (!rec || FINAL_VERIFICATION_STATUSES.includes(rec.request.status)) return rec;
    const alert = this.records.alertOf(rec.request.alertId);
    if (!alert) return rec;
    if (!rec.flight) {
      const payload = VERIFICATION_PAYLOAD[alert.alertType];
      this.records.claim(
        id,
        {
          payload,
          purpose: VERIFICATION_PURPOSE[alert.alertType],
          actor: `agency:${rec.request.agencyId}`,
          detail: `${payload} close-up of a ${alert.severity} ${alert.alertType} alert`,
        },
        this.deps.now(),
      );
      rec = this.records.get(id);
    }
    let flight = rec?.flight;
    if (!rec || !flight) return rec;

    if (!flight.planId) {
      const target: VerificationTarget = {
        id: alert.id,
        alertType: alert.alertType,
        centroid: [alert.lon, alert.lat],
        radiusM: alert.radiusM,
      };
      const planned = this.planFrom(target, rec.request.agencyId, flight.payload as PayloadKind);
      if (!planned.ok) {
        return this.advance(id, 'no_capable_dock', planned.detail, {
          reasonCode: planned.code,
          reason: planned.detail,
          completedAt: this.deps.now(),
        });
      }
      const { dock, plan, distanceM, ringPoints, input } = planned.value;
      const stored = this.deps.repos.plans.create(
        {
          agencyId: rec.request.agencyId,
          createdBy: rec.request.requestedBy,
          request: {
            areaIds: [],
            dockIds: [dock.id],
            input,
            verification: { verificationId: id, alertId: alert.id },
          },
          areaRefs: [],
        },
        this.deps.now(),
      );
      this.deps.repos.plans.finish(stored.id, { result: plan }, this.deps.now());
      const sortiePlan = plan.sorties[0]!;
      rec = this.advance(
        id,
        'planned',
        `${1 + ringPoints} inspection points, ${(sortiePlan.timeS / 60).toFixed(1)} min, ${sortiePlan.batteryUsedPct.toFixed(0)} % battery from dock ${dock.id} ${(distanceM / 1000).toFixed(2)} km away`,
        { dockId: dock.id, planId: stored.id },
      );
      flight = rec?.flight;
      if (!rec || !flight) return rec;
    }

    if (!flight.missionId && flight.planId && flight.dockId) {
      const made = this.missionFor(rec, alert, flight.planId, flight.dockId, flight.purpose);
      if (!made.ok) return this.finish(id, alert.id, 'failed', made.code, made.reason);
      const { mission, sortieId } = made;
      if (sortieId) this.follow();
      this.advance(
        id,
        'mission_created',
        mission.status === 'approved'
          ? `mission ${mission.id} (priority ${mission.priority}), approved: ${mission.statusReason ?? ''}`
          : `mission ${mission.id} (priority ${mission.priority}) awaits the dock owner's approval`,
        {
          missionId: mission.id,
          sortieId,
          approvedBy: mission.status === 'approved' ? mission.decidedBy : null,
        },
      );
      if (mission.status === 'requested' && this.options.autoApprove)
        this.applyStandingApproval(id, mission, alert.severity, rec.request.agencyId);
    }

    const now = this.records.get(id);
    const sortie = now?.flight?.sortieId
      ? this.deps.repos.missions.getSortie(now.flight.sortieId)
      : undefined;
    if (now && sortie)
      this.syncSortie(
        now,
        sortie.state,
        VERIFICATION_ACTOR,
        sortie.reasonCode,
        sortie.reasonDetail,
      );
    return this.records.get(id);
  }

  /**
   * The fleet mission flying a stored verification plan: the one already made from it (a stop
   * between the fleet's commit and ours), or a new one requested on behalf of the requester.
   */
  private missionFor(
    rec: VerificationRecord,
    alert: { id: string; alertType: string },
    planId: string,
    dockId: string,
    purpose: string,
  ):
    | { ok: true; mission: Mission; sortieId: string | null }
    | { ok: false; code: string; reason: string } {
    const existing = this.records.missionOfPlan(planId);
    if (existing) {
      const mission = this.deps.repos.missions.findMission(existing);
      const sortie = this.deps.repos.missions.sortiesOfMission(existing)[0];
      if (mission) return { ok: true, mission, sortieId: sortie?.id ?? null };
    }
    try {
      const made = this.deps.fleet.requestMission(
        {
          name: `Verification of ${alert.alertType} alert ${alert.id}`,
          purpose: purpose as MissionPurpose,
          areaIds: [],
          dockId,
          planId,
          route: { mission: [], fence: [], rally: [] },
          estimatedFlightMin: null,
          schedule: { kind: 'immediate' },
          windowMin: this.options.windowMin,
        },
        this.requesterOf(rec),
      );
      return { ok: true, mission: made.mission, sortieId: made.sorties[0]?.id ?? null };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.deps.logger.warn(
        { verificationId: rec.request.id, code: err.code, reason: err.message },
        'verification mission refused by the fleet',
      );
      return { ok: false, code: err.code, reason: err.message };
    }
  }

  /** The standing approval rule (verification-policy.ts), applied as the dock owner's policy. */
  private applyStandingApproval(
    id: string,
    mission: Mission,
    severity: SeverityName,
    requesterAgencyId: string,
  ): void {
    const dock = this.deps.repos.missions.findDock(mission.dockId);
    const rule = autoApproval({
      severity,
      dockShared: dock?.shared ?? false,
      requesterOwnsDock: mission.ownerAgencyId === requesterAgencyId,
    });
    if (!rule.approve) return;
    const policy: FleetActor = {
      keyId: VERIFICATION_POLICY_ACTOR,
      agencyId: mission.ownerAgencyId,
      role: 'operator',
      seesAll: false,
      recordAs: VERIFICATION_POLICY_ACTOR,
    };
    try {
      this.deps.fleet.decideMission(mission.id, 'approve', rule.reason, policy);
      this.patch(id, { approvedBy: VERIFICATION_POLICY_ACTOR });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // e.g. QUOTA_EXCEEDED: the mission stays with the dock owner, who may still approve it.
      this.deps.logger.warn(
        { verificationId: id, missionId: mission.id, code: err.code, reason: err.message },
        'standing approval not applied; the dock owner decides',
      );
      this.advance(id, 'mission_created', `standing approval not applied: ${err.message}`, {
        reasonCode: err.code,
        reason: err.message,
      });
    }
  }

  /**
   * The nearest capable dock (own or shared, housing a drone with the payload) whose drone the
   * energy model says can fly out, around the alert and back, with a one-sortie plan; the ring
   * shrinks to the centre alone before the next dock is tried.
   */
  private planFrom(
    target: VerificationTarget,
    agencyId: string,
    payload: PayloadKind,
  ):
    | { ok: true; value: PlannedVerification }
    | {
        ok: false;
        code: 'NO_DOCK_WITH_PAYLOAD' | 'DOCK_UNREACHABLE' | 'PLAN_FAILED';
        detail: string;
      } {
    const docks = this.records
      .capableDocks(agencyId, payload)
      .map((dock) => ({ dock, distanceM: haversineM([dock.lon, dock.lat], target.centroid) }))
      .sort((a, b) => a.distanceM - b.distanceM || a.dock.id.localeCompare(b.dock.id));
    if (docks.length === 0) {
      return {
        ok: false,
        code: 'NO_DOCK_WITH_PAYLOAD',
        detail: `no dock of this agency and no shared dock houses a drone with a ${payload} payload`,
      };
    }
    const reasons: string[] = [];
    let energyOnly = true;
    const marginDeg = 0.05;
    const noFly = this.records
      .noFlyZonesIn([
        target.centroid[0] - marginDeg,
        target.centroid[1] - marginDeg,
        target.centroid[0] + marginDeg,
        target.centroid[1] + marginDeg,
      ])
      .map((z) => z.geojson);
    for (const { dock, distanceM } of docks.slice(0, this.options.maxDocksTried)) {
      const site: VerificationDock = {
        id: dock.id,
        position: [dock.lon, dock.lat],
        groundAltM: dock.groundAltM,
        drone: {
          cruiseSpeedMps: dock.cruiseSpeedMps,
          maxFlightTimeMin: dock.maxFlightTimeMin,
          batteryReservePct: dock.batteryReservePct,
        },
      };
      const tooFar = unreachableReason(target, site, distanceM);
      if (tooFar) {
        reasons.push(tooFar);
        continue;
      }
      let failure: PlanFailure | string | null = null;
      for (const ringPoints of [...new Set([this.options.ringPoints, 0])]) {
        const input = verificationPatrolInput(target, site, { ringPoints, noFlyZones: noFly });
        const result = planPatrol(input);
        if (result.ok && result.plan.sorties.length === 1)
          return { ok: true, value: { dock, distanceM, plan: result.plan, ringPoints, input } };
        failure = result.ok
          ? `${1 + ringPoints} points need ${result.plan.sorties.length} sorties from dock ${dock.id}`
          : result.error;
      }
      if (failure !== null) {
        if (typeof failure === 'string') reasons.push(failure);
        else {
          if (failure.code !== 'DOCK_UNREACHABLE') energyOnly = false;
          reasons.push(`dock ${dock.id}: ${failure.code}: ${failure.message}`);
        }
      }
    }
    return {
      ok: false,
      code: energyOnly ? 'DOCK_UNREACHABLE' : 'PLAN_FAILED',
      detail: reasons.join('; '),
    };
  }

  /** The fleet actor of the person who asked for the flight (their key's role). */
  private requesterOf(rec: VerificationRecord): FleetActor {
    const key = this.deps.repos.agencies.findKey(rec.request.requestedBy);
    return {
      keyId: rec.request.requestedBy,
      agencyId: rec.request.agencyId,
      role: key?.role ?? 'operator',
      seesAll: false,
    };
  }

  private onFleetMessage(m: FleetMessage): void {
    if (m.type !== 'sortie') return;
    const rec = this.records.bySortie(m.sortieId);
    if (!rec) return;
    try {
      this.syncSortie(rec, m.to, m.actor, m.reasonCode, m.reason);
    } catch (err) {
      this.deps.logger.error(
        { err, verificationId: rec.request.id, sortieId: m.sortieId },
        'verification status not updated from its sortie',
      );
    }
  }

  /** Brings a verification to the status its sortie's state implies; the end goes on the alert. */
  private syncSortie(
    rec: VerificationRecord,
    state: SortieStateName,
    actor: string,
    reasonCode: string | null,
    reason: string | null,
  ): void {
    const status = verificationStatusOfSortie(state);
    const flight = rec.flight;
    if (!flight) return;
    const current = rec.request.status;
    const approvedBy = state === 'approved' && !flight.approvedBy ? { approvedBy: actor } : {};
    if (status === current) {
      if (approvedBy.approvedBy) this.patch(rec.request.id, approvedBy);
      return;
    }
    const detail = `sortie ${flight.sortieId ?? ''} ${state}${reason ? `: ${reason}` : ''}`;
    if (status === 'done' || status === 'failed') {
      this.finish(rec.request.id, rec.request.alertId, status, reasonCode, detail, actor);
      return;
    }
    this.advance(rec.request.id, status, detail, approvedBy, actor);
  }

  /** Ends a verification and tells the alert's agencies (timeline, audit, SSE, webhooks). */
  private finish(
    id: string,
    alertId: string,
    status: Extract<VerificationStatus, 'done' | 'failed'>,
    reasonCode: string | null,
    detail: string,
    actor = VERIFICATION_ACTOR,
  ): VerificationRecord | undefined {
    const rec = this.advance(
      id,
      status,
      detail,
      {
        reasonCode: status === 'done' ? null : reasonCode,
        reason: status === 'done' ? null : detail,
        completedAt: this.deps.now(),
      },
      actor,
    );
    if (!rec?.flight) return rec;
    this.tellAlert(
      alertId,
      status === 'done' ? 'alert.verification_done' : 'alert.verification_failed',
      rec,
    );
    return rec;
  }

  /** Puts a verification's outcome on the alert (timeline, audit chain, SSE, webhooks). */
  private tellAlert(alertId: string, type: string, rec: VerificationRecord): void {
    const f = rec.flight;
    if (!f) return;
    const track =
      rec.request.status === 'done' && f.missionId && f.sortieId
        ? trackUrlOf(f.missionId, f.sortieId)
        : null;
    try {
      this.deps.alerts.recordSystemEvent(alertId, type, VERIFICATION_ACTOR, {
        verificationId: rec.request.id,
        dockId: f.dockId,
        planId: f.planId,
        missionId: f.missionId,
        sortieId: f.sortieId,
        trackUrl: track,
        reasonCode: f.reasonCode,
        reason: f.reason,
      });
    } catch (err) {
      this.deps.logger.error(
        { err, verificationId: rec.request.id, alertId },
        'verification outcome not recorded on the alert',
      );
    }
  }

  private advance(
    id: string,
    status: VerificationStatus,
    detail: string | null,
    patch: VerificationFlightPatch,
    actor = VERIFICATION_ACTOR,
  ): VerificationRecord | undefined {
    const rec = this.records.advance(id, status, { actor, detail }, patch, this.deps.now());
    if (rec) this.deps.logger.info({ verificationId: id, status, detail }, 'verification');
    if (rec && FINAL_VERIFICATION_STATUSES.includes(status)) this.unfollowIfIdle();
    return rec;
  }

  /** Changes flight fields without a new step. */
  private patch(id: string, patch: VerificationFlightPatch): void {
    const rec = this.records.get(id);
    if (!rec) return;
    this.records.advance(id, rec.request.status, null, patch, this.deps.now());
  }
}
