import { and, asc, eq, gte, inArray, isNotNull, lte, or } from 'drizzle-orm';
import type { Db } from '../open-database';
import {
  alerts,
  areas,
  docks,
  drones,
  missions,
  verificationFlights,
  verificationRequests,
  type Payload,
  type PayloadKind,
  type VerificationStatus,
  type VerificationStep,
} from '../schema/index';

export type VerificationRequestRow = typeof verificationRequests.$inferSelect;
export type VerificationFlightRow = typeof verificationFlights.$inferSelect;

/** A verification request with how it became flight work (absent until it is taken up). */
export interface VerificationRecord {
  request: VerificationRequestRow;
  flight: VerificationFlightRow | null;
}

/** A dock that may fly a verification, with the drone it houses. */
export interface VerificationDockRow {
  id: string;
  agencyId: string;
  shared: boolean;
  lon: number;
  lat: number;
  groundAltM: number;
  droneId: string;
  cruiseSpeedMps: number;
  maxFlightTimeMin: number;
  batteryReservePct: number;
  payloads: Payload[];
}

/** Fields of a flight that a step may change. */
export type VerificationFlightPatch = Partial<
  Pick<
    VerificationFlightRow,
    | 'dockId'
    | 'planId'
    | 'missionId'
    | 'sortieId'
    | 'approvedBy'
    | 'reasonCode'
    | 'reason'
    | 'completedAt'
  >
>;

/** Statuses after which a verification no longer changes. */
export const FINAL_VERIFICATION_STATUSES: readonly VerificationStatus[] = [
  'done',
  'failed',
  'no_capable_dock',
  'cancelled',
];

/** Verification flights: their requests (stored by the alerts service) and their progress. */
export class VerificationRepository {
  constructor(private readonly db: Db) {}

  /** Requests joined with their flight (none until the flight is planned). */
  private withFlight() {
    return this.db
      .select({ request: verificationRequests, flight: verificationFlights })
      .from(verificationRequests)
      .leftJoin(
        verificationFlights,
        eq(verificationFlights.verificationId, verificationRequests.id),
      );
  }

  get(id: string): VerificationRecord | undefined {
    const row = this.withFlight().where(eq(verificationRequests.id, id)).get();
    return row ? { request: row.request, flight: row.flight } : undefined;
  }

  /** Every verification of an alert, oldest first. */
  ofAlert(alertId: string): VerificationRecord[] {
    return this.withFlight()
      .where(eq(verificationRequests.alertId, alertId))
      .orderBy(asc(verificationRequests.createdAt), asc(verificationRequests.id))
      .all();
  }

  /** The verification flown by a sortie, if any. */
  bySortie(sortieId: string): VerificationRecord | undefined {
    const row = this.db
      .select({ request: verificationRequests, flight: verificationFlights })
      .from(verificationFlights)
      .innerJoin(
        verificationRequests,
        eq(verificationRequests.id, verificationFlights.verificationId),
      )
      .where(eq(verificationFlights.sortieId, sortieId))
      .get();
    return row ? { request: row.request, flight: row.flight } : undefined;
  }

  /** Verifications not yet final, oldest first (to pick up after a restart). */
  unfinished(): VerificationRecord[] {
    const open = ['requested', 'planned', 'mission_created', 'scheduled', 'flying'] as const;
    return this.withFlight()
      .where(inArray(verificationRequests.status, [...open]))
      .orderBy(asc(verificationRequests.createdAt), asc(verificationRequests.id))
      .all();
  }

  /** Whether some verification not yet final has a sortie (the fleet bus is then followed). */
  hasOpenSortie(): boolean {
    const open = ['mission_created', 'scheduled', 'flying'] as const;
    return (
      this.db
        .select({ id: verificationFlights.verificationId })
        .from(verificationFlights)
        .innerJoin(
          verificationRequests,
          eq(verificationRequests.id, verificationFlights.verificationId),
        )
        .where(
          and(
            isNotNull(verificationFlights.sortieId),
            inArray(verificationRequests.status, [...open]),
          ),
        )
        .limit(1)
        .get() !== undefined
    );
  }

  /**
   * Takes a request up: inserts its flight record in `requested` unless one exists. True for
   * the one caller that claimed it (two listeners never plan the same request twice).
   */
  claim(
    id: string,
    flight: { payload: PayloadKind; purpose: string; actor: string; detail: string | null },
    now: Date,
  ): boolean {
    const step: VerificationStep = {
      status: 'requested',
      at: now.toISOString(),
      actor: flight.actor,
      detail: flight.detail,
    };
    const res = this.db
      .insert(verificationFlights)
      .values({
        verificationId: id,
        payload: flight.payload,
        purpose: flight.purpose,
        dockId: null,
        planId: null,
        missionId: null,
        sortieId: null,
        approvedBy: null,
        reasonCode: null,
        reason: null,
        steps: [step],
        updatedAt: now,
        completedAt: null,
      })
      .onConflictDoNothing()
      .run();
    return res.changes === 1;
  }

  /**
   * Moves a verification to `status` (recorded as a step unless `step` is null) and patches its
   * flight, in one transaction. Returns the record after the change, or undefined when it was already final
   * (a final verification never changes again).
   */
  advance(
    id: string,
    status: VerificationStatus,
    step: { actor: string; detail: string | null } | null,
    patch: VerificationFlightPatch,
    now: Date,
  ): VerificationRecord | undefined {
    return this.db.transaction((tx) => {
      const current = tx
        .select({ status: verificationRequests.status, steps: verificationFlights.steps })
        .from(verificationRequests)
        .innerJoin(
          verificationFlights,
          eq(verificationFlights.verificationId, verificationRequests.id),
        )
        .where(eq(verificationRequests.id, id))
        .get();
      if (!current || FINAL_VERIFICATION_STATUSES.includes(current.status)) return undefined;
      const steps = step
        ? [
            ...current.steps,
            { status, at: now.toISOString(), actor: step.actor, detail: step.detail },
          ]
        : current.steps;
      tx.update(verificationRequests).set({ status }).where(eq(verificationRequests.id, id)).run();
      tx.update(verificationFlights)
        .set({ ...patch, steps, updatedAt: now })
        .where(eq(verificationFlights.verificationId, id))
        .run();
      const row = tx
        .select({ request: verificationRequests, flight: verificationFlights })
        .from(verificationRequests)
        .leftJoin(
          verificationFlights,
          eq(verificationFlights.verificationId, verificationRequests.id),
        )
        .where(eq(verificationRequests.id, id))
        .get();
      return row ? { request: row.request, flight: row.flight } : undefined;
    });
  }

  /** The mission made from a plan, if any (a verification resumed after a restart). */
  missionOfPlan(planId: string): string | undefined {
    return this.db
      .select({ id: missions.id })
      .from(missions)
      .where(eq(missions.planId, planId))
      .orderBy(asc(missions.createdAt))
      .get()?.id;
  }

  /** The alert a verification is about (type, place, severity), unscoped: callers check access. */
  alertOf(alertId: string) {
    return this.db
      .select({
        id: alerts.id,
        alertType: alerts.alertType,
        severity: alerts.severity,
        lon: alerts.lon,
        lat: alerts.lat,
        radiusM: alerts.radiusM,
        status: alerts.status,
      })
      .from(alerts)
      .where(eq(alerts.id, alertId))
      .get();
  }

  /**
   * Docks a verification requested by `agencyId` may fly from: its own docks and every shared
   * dock, each with the drone it houses, when that drone carries `payload`.
   */
  capableDocks(agencyId: string, payload: PayloadKind): VerificationDockRow[] {
    const rows = this.db
      .select({
        id: docks.id,
        agencyId: docks.agencyId,
        shared: docks.shared,
        lon: docks.lon,
        lat: docks.lat,
        groundAltM: docks.groundAltM,
        droneId: drones.id,
        cruiseSpeedMps: drones.cruiseSpeedMps,
        maxFlightTimeMin: drones.maxFlightTimeMin,
        batteryReservePct: drones.batteryReservePct,
        payloads: drones.payloads,
      })
      .from(docks)
      .innerJoin(drones, eq(drones.dockId, docks.id))
      .where(or(eq(docks.agencyId, agencyId), eq(docks.shared, true)))
      .orderBy(asc(docks.id), asc(drones.id))
      .all();
    return rows.filter((r) => r.payloads.some((p) => p.kind === payload));
  }

  /**
   * No-fly areas (of every agency: they are safety limits, not data) whose bounding box meets
   * `[minLon, minLat, maxLon, maxLat]`, as stored GeoJSON.
   */
  noFlyZonesIn(bbox: [number, number, number, number]): { id: string; geojson: unknown }[] {
    const [minLon, minLat, maxLon, maxLat] = bbox;
    return this.db
      .select({ id: areas.id, geojson: areas.geojson })
      .from(areas)
      .where(
        and(
          eq(areas.kind, 'no_fly'),
          lte(areas.minLon, maxLon),
          gte(areas.maxLon, minLon),
          lte(areas.minLat, maxLat),
          gte(areas.maxLat, minLat),
        ),
      )
      .orderBy(asc(areas.id))
      .all();
  }
}
