import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import type { Cursor, Page } from '../pagination';
import {
  agencies,
  alertEvents,
  alertRoutes,
  alerts,
  areas,
  docks,
  drones,
  verificationRequests,
  type AlertStatusName,
  type SeverityName,
} from '../schema/index';
import { page } from './agencies-repository';
import type { Scope } from './scope';

export type AlertRow = typeof alerts.$inferSelect;
export type NewAlertRow = Omit<AlertRow, 'seq'>;
export type AlertRouteRow = typeof alertRoutes.$inferSelect;
export type AlertEventRow = typeof alertEvents.$inferSelect;
export type NewAlertEvent = Omit<AlertEventRow, 'seq'>;
export type VerificationRow = typeof verificationRequests.$inferSelect;

const OPEN_STATUSES: AlertStatusName[] = ['new', 'dispatched', 'acknowledged', 'in_progress'];

export interface AlertFilters {
  /** [minLon, minLat, maxLon, maxLat] */
  bbox?: [number, number, number, number];
  fromMs?: number;
  toMs?: number;
  /** Type codes (index in ALERT_TYPES) and names, for the R*Tree and the exact filter. */
  types?: { code: number; name: string }[];
  statuses?: AlertStatusName[];
  severities?: SeverityName[];
  /** Only alerts routed or shared to this agency. */
  agencyId?: string;
}

/** Alerts, their routes and events, verification requests; the R*Tree queries. */
export class AlertsRepository {
  private readonly byIdSeq: Database.Statement<[string], { seq: number }>;

  constructor(
    private readonly db: Db,
    private readonly sqlite: Database.Database,
  ) {
    this.byIdSeq = sqlite.prepare('SELECT seq FROM alerts WHERE id = ?');
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so concurrent
   * writers queue instead of failing half-way); nested calls become savepoints.
   */
  inTransaction<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return this.sqlite.transaction(fn)();
    return this.sqlite.transaction(fn).immediate();
  }

  insertAlert(row: NewAlertRow): AlertRow {
    return this.db.insert(alerts).values(row).returning().get();
  }

  updateAlert(id: string, patch: Partial<NewAlertRow>): void {
    this.db.update(alerts).set(patch).where(eq(alerts.id, id)).run();
  }

  /** The alert if the scope may see it (routed or shared to the agency, or sees all). */
  getAlert(id: string, scope: Scope): AlertRow | undefined {
    return this.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.id, id), this.visible(scope)))
      .get();
  }

  getAlertUnscoped(id: string): AlertRow | undefined {
    return this.db.select().from(alerts).where(eq(alerts.id, id)).get();
  }

  private visible(scope: Scope) {
    return scope.seesAll
      ? undefined
      : sql`EXISTS (SELECT 1 FROM alert_routes ar WHERE ar.alert_id = ${alerts.id} AND ar.agency_id = ${scope.agencyId})`;
  }

  /** Open alerts of one type whose box and time span meet the given ones (R*Tree). */
  fusionCandidates(
    typeCode: number,
    bbox: [number, number, number, number],
    fromMs: number,
    toMs: number,
  ): AlertRow[] {
    return this.db
      .select()
      .from(alerts)
      .where(
        and(
          sql`${alerts.seq} IN (SELECT seq FROM alerts_rtree WHERE max_lon >= ${bbox[0]} AND min_lon <= ${bbox[2]} AND max_lat >= ${bbox[1]} AND min_lat <= ${bbox[3]} AND max_t >= ${fromMs} AND min_t <= ${toMs} AND min_type <= ${typeCode} AND max_type >= ${typeCode})`,
          inArray(alerts.status, OPEN_STATUSES),
        ),
      )
      .all();
  }

  /** The cursor's alert sequence number (pagination follows `seq`, i.e. creation order). */
  seqOf(cursor: Cursor): number | undefined {
    return this.byIdSeq.get(cursor.id)?.seq;
  }

  /**
   * Lists alerts visible to `scope` matching the filters, in creation order. Spatial, time and
   * type filters go through the R*Tree; the join re-checks them exactly (the R*Tree stores
   * 32-bit floats rounded outwards).
   */
  listAlerts(
    scope: Scope,
    filters: AlertFilters,
    options: { afterSeq: number | null; limit: number },
  ): Page<AlertRow> {
    const { bbox, fromMs, toMs, types } = filters;
    const useTree =
      bbox !== undefined || fromMs !== undefined || toMs !== undefined || types !== undefined;
    const codes = types?.map((t) => t.code) ?? [];
    const rtree = useTree
      ? sql`${alerts.seq} IN (SELECT seq FROM alerts_rtree WHERE max_lon >= ${bbox?.[0] ?? -180} AND min_lon <= ${bbox?.[2] ?? 180} AND max_lat >= ${bbox?.[1] ?? -90} AND min_lat <= ${bbox?.[3] ?? 90} AND max_t >= ${fromMs ?? -8.64e15} AND min_t <= ${toMs ?? 8.64e15} AND min_type <= ${codes.length ? Math.max(...codes) : 1e9} AND max_type >= ${codes.length ? Math.min(...codes) : -1e9})`
      : undefined;
    const rows = this.db
      .select()
      .from(alerts)
      .where(
        and(
          rtree,
          bbox
            ? sql`${alerts.maxLon} >= ${bbox[0]} AND ${alerts.minLon} <= ${bbox[2]} AND ${alerts.maxLat} >= ${bbox[1]} AND ${alerts.minLat} <= ${bbox[3]}`
            : undefined,
          fromMs !== undefined ? sql`${alerts.lastObservedAt} >= ${fromMs}` : undefined,
          toMs !== undefined ? sql`${alerts.firstObservedAt} <= ${toMs}` : undefined,
          types ? inArray(alerts.typeCode, codes) : undefined,
          filters.statuses ? inArray(alerts.status, filters.statuses) : undefined,
          filters.severities ? inArray(alerts.severity, filters.severities) : undefined,
          filters.agencyId
            ? sql`EXISTS (SELECT 1 FROM alert_routes f WHERE f.alert_id = ${alerts.id} AND f.agency_id = ${filters.agencyId})`
            : undefined,
          this.visible(scope),
          options.afterSeq !== null ? gt(alerts.seq, options.afterSeq) : undefined,
        ),
      )
      .orderBy(asc(alerts.seq))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  routesOf(alertId: string): AlertRouteRow[] {
    return this.db
      .select()
      .from(alertRoutes)
      .where(eq(alertRoutes.alertId, alertId))
      .orderBy(asc(alertRoutes.dispatchedAt), asc(alertRoutes.agencyId))
      .all();
  }

  routesOfMany(alertIds: string[]): AlertRouteRow[] {
    if (alertIds.length === 0) return [];
    return this.db.select().from(alertRoutes).where(inArray(alertRoutes.alertId, alertIds)).all();
  }

  route(alertId: string, agencyId: string): AlertRouteRow | undefined {
    return this.db
      .select()
      .from(alertRoutes)
      .where(and(eq(alertRoutes.alertId, alertId), eq(alertRoutes.agencyId, agencyId)))
      .get();
  }

  /** Adds a route unless the agency already has one; returns whether it was added. */
  addRoute(row: AlertRouteRow): boolean {
    return this.db.insert(alertRoutes).values(row).onConflictDoNothing().run().changes === 1;
  }

  updateRoute(alertId: string, agencyId: string, patch: Partial<AlertRouteRow>): void {
    this.db
      .update(alertRoutes)
      .set(patch)
      .where(and(eq(alertRoutes.alertId, alertId), eq(alertRoutes.agencyId, agencyId)))
      .run();
  }

  /** Routes still waiting for an acknowledgement, with their alert (deadline sweeps). */
  pendingRoutes(): { route: AlertRouteRow; alert: AlertRow }[] {
    return this.db
      .select({ route: alertRoutes, alert: alerts })
      .from(alertRoutes)
      .innerJoin(alerts, eq(alerts.id, alertRoutes.alertId))
      .where(
        and(
          eq(alertRoutes.state, 'pending'),
          isNull(alertRoutes.acknowledgedAt),
          inArray(alerts.status, OPEN_STATUSES),
        ),
      )
      .all();
  }

  insertEvent(event: NewAlertEvent): number {
    return this.db.insert(alertEvents).values(event).returning({ seq: alertEvents.seq }).get().seq;
  }

  eventsOf(alertId: string): AlertEventRow[] {
    return this.db
      .select()
      .from(alertEvents)
      .where(eq(alertEvents.alertId, alertId))
      .orderBy(asc(alertEvents.seq))
      .all();
  }

  /** Events after `seq` on alerts the scope may see (SSE replay with Last-Event-ID). */
  eventsAfter(seq: number, scope: Scope, limit: number): AlertEventRow[] {
    return this.db
      .select()
      .from(alertEvents)
      .where(
        and(
          gt(alertEvents.seq, seq),
          scope.seesAll
            ? undefined
            : sql`EXISTS (SELECT 1 FROM alert_routes ar WHERE ar.alert_id = ${alertEvents.alertId} AND ar.agency_id = ${scope.agencyId})`,
        ),
      )
      .orderBy(asc(alertEvents.seq))
      .limit(limit)
      .all();
  }

  insertVerification(row: VerificationRow): void {
    this.db.insert(verificationRequests).values(row).run();
  }

  verificationsOf(alertId: string): VerificationRow[] {
    return this.db
      .select()
      .from(verificationRequests)
      .where(eq(verificationRequests.alertId, alertId))
      .orderBy(asc(verificationRequests.createdAt), asc(verificationRequests.id))
      .all();
  }

  /** Docks with the payload kinds of the drones they house (verification sorties). */
  docksWithPayloads(): {
    id: string;
    agencyId: string;
    lon: number;
    lat: number;
    payloadKinds: string[];
  }[] {
    const rows = this.db
      .select({
        id: docks.id,
        agencyId: docks.agencyId,
        lon: docks.lon,
        lat: docks.lat,
        payloads: drones.payloads,
      })
      .from(docks)
      .leftJoin(drones, eq(drones.dockId, docks.id))
      .all();
    const byDock = new Map<
      string,
      { id: string; agencyId: string; lon: number; lat: number; payloadKinds: string[] }
    >();
    for (const r of rows) {
      const d = byDock.get(r.id) ?? {
        id: r.id,
        agencyId: r.agencyId,
        lon: r.lon,
        lat: r.lat,
        payloadKinds: [],
      };
      for (const p of r.payloads ?? [])
        if (!d.payloadKinds.includes(p.kind)) d.payloadKinds.push(p.kind);
      byDock.set(r.id, d);
    }
    return [...byDock.values()];
  }

  /** Every agency with its jurisdiction (routing reads them all). */
  allAgencies() {
    return this.db.select().from(agencies).all();
  }

  /** Areas carrying an `asset` property (villages, power lines…) or owned by an agency, for routing and severity. */
  allAreas() {
    return this.db
      .select({
        id: areas.id,
        agencyId: areas.agencyId,
        name: areas.name,
        kind: areas.kind,
        geojson: areas.geojson,
        properties: areas.properties,
      })
      .from(areas)
      .all();
  }

  /**
   * Per-agency figures over the alerts routed to it: counts by status, mean time to
   * acknowledge and to close, and false alarms per detection kind.
   */
  stats(agencyId: string | null): {
    byStatus: { status: string; count: number }[];
    ackMs: { count: number; meanMs: number | null };
    closeMs: { count: number; meanMs: number | null };
    byKind: { kind: string; closed: number; falseAlarms: number }[];
  } {
    const routeFilter = agencyId === null ? sql`1 = 1` : sql`r.agency_id = ${agencyId}`;
    const byStatus = this.db.all<{ status: string; count: number }>(
      sql`SELECT a.status AS status, COUNT(DISTINCT a.id) AS count FROM alerts a JOIN alert_routes r ON r.alert_id = a.id WHERE ${routeFilter} GROUP BY a.status ORDER BY a.status`,
    );
    const ack = this.db.get<{ count: number; meanMs: number | null }>(
      sql`SELECT COUNT(*) AS count, AVG(r.acknowledged_at - r.dispatched_at) AS meanMs FROM alert_routes r WHERE ${routeFilter} AND r.acknowledged_at IS NOT NULL`,
    );
    const close = this.db.get<{ count: number; meanMs: number | null }>(
      sql`SELECT COUNT(*) AS count, AVG(a.closed_at - r.dispatched_at) AS meanMs FROM alert_routes r JOIN alerts a ON a.id = r.alert_id WHERE ${routeFilter} AND a.closed_at IS NOT NULL`,
    );
    const byKind = this.db.all<{ kind: string; closed: number; falseAlarms: number }>(
      sql`SELECT a.primary_kind AS kind, COUNT(DISTINCT a.id) AS closed, COUNT(DISTINCT CASE WHEN a.status = 'false_alarm' THEN a.id END) AS falseAlarms FROM alerts a JOIN alert_routes r ON r.alert_id = a.id WHERE ${routeFilter} AND a.closed_at IS NOT NULL GROUP BY a.primary_kind ORDER BY a.primary_kind`,
    );
    return {
      byStatus,
      ackMs: ack ?? { count: 0, meanMs: null },
      closeMs: close ?? { count: 0, meanMs: null },
      byKind,
    };
  }
}
