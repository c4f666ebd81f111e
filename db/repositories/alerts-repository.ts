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

/**
 * The R*Tree's geometry (migration 0010): time in units of 30 days, so that a degree (~100 km)
 * weighs like a month and a query of a few km over a few days is a compact box; every box is
 * padded so that it has volume in every dimension (R* insertion and splits compare volumes, and
 * one flat dimension makes every volume zero); the type is the interval [code, code + 0.5].
 * These constants must match the migration's SQL.
 */
export const ALERT_RTREE = {
  timeUnitMs: 30 * 86_400_000,
  padDeg: 1e-5,
  padMs: 60_000,
  typeWidth: 0.5,
} as const;

// Hot-path statements are prepared once with better-sqlite3: building a drizzle query costs
// hundreds of microseconds per call, which an ingest of thousands of detections cannot pay.
type RawRow = Record<string, unknown>;
const num = (v: unknown) => v as number;
const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v === null ? null : (v as string));
const date = (v: unknown) => new Date(v as number);
const dateOrNull = (v: unknown) => (v === null ? null : new Date(v as number));
const json = <T>(v: unknown) => JSON.parse(v as string) as T;

/**
 * The columns of `alerts` in {@link AlertRow} order. Lists read rows as arrays of these
 * (better-sqlite3's `raw` mode): building one object per row with 31 named keys, then mapping
 * it, costs about twice as much as reading the values positionally.
 */
export const ALERT_COLUMNS = [
  'seq',
  'id',
  'alert_type',
  'type_code',
  'status',
  'severity',
  'confidence',
  'version',
  'geometry',
  'lon',
  'lat',
  'min_lon',
  'min_lat',
  'max_lon',
  'max_lat',
  'radius_m',
  'extent_area_m2',
  'first_observed_at',
  'last_observed_at',
  'observation_count',
  'primary_kind',
  'pass_keys',
  'sensor_ids',
  'sources',
  'metrics',
  'severity_reasons',
  'outcome_label',
  'duplicate_of',
  'closed_at',
  'created_at',
  'updated_at',
] as const;

/** `a.seq, a.id, …` for `SELECT` lists over `alerts a`. */
export const ALERT_SELECT = ALERT_COLUMNS.map((c) => `a.${c}`).join(', ');

/** One `alerts` row read in {@link ALERT_COLUMNS} order (raw mode) as an {@link AlertRow}. */
export function alertFromArray(r: unknown[]): AlertRow {
  return {
    seq: num(r[0]),
    id: str(r[1]),
    alertType: str(r[2]) as AlertRow['alertType'],
    typeCode: num(r[3]),
    status: str(r[4]) as AlertRow['status'],
    severity: str(r[5]) as AlertRow['severity'],
    confidence: str(r[6]) as AlertRow['confidence'],
    version: num(r[7]),
    geometry: json(r[8]),
    lon: num(r[9]),
    lat: num(r[10]),
    minLon: num(r[11]),
    minLat: num(r[12]),
    maxLon: num(r[13]),
    maxLat: num(r[14]),
    radiusM: num(r[15]),
    extentAreaM2: num(r[16]),
    firstObservedAt: date(r[17]),
    lastObservedAt: date(r[18]),
    observationCount: num(r[19]),
    primaryKind: str(r[20]) as AlertRow['primaryKind'],
    passKeys: json(r[21]),
    sensorIds: json(r[22]),
    sources: json(r[23]),
    metrics: json(r[24]),
    severityReasons: json(r[25]),
    outcomeLabel: strOrNull(r[26]),
    duplicateOf: strOrNull(r[27]),
    closedAt: dateOrNull(r[28]),
    createdAt: date(r[29]),
    updatedAt: date(r[30]),
  };
}

function routeFromRaw(r: RawRow): AlertRouteRow {
  return {
    alertId: str(r.alert_id),
    agencyId: str(r.agency_id),
    kind: str(r.kind) as AlertRouteRow['kind'],
    reason: str(r.reason),
    state: str(r.state) as AlertRouteRow['state'],
    dispatchedAt: date(r.dispatched_at),
    acknowledgedAt: dateOrNull(r.acknowledged_at),
    reminderSentAt: dateOrNull(r.reminder_sent_at),
    escalatedAt: dateOrNull(r.escalated_at),
    handedOverTo: strOrNull(r.handed_over_to),
    handoverReason: strOrNull(r.handover_reason),
    rating: r.rating === null ? null : num(r.rating),
    ratingNote: strOrNull(r.rating_note),
  };
}

/**
 * The fusion search's filter over `alerts_rtree r CROSS JOIN alerts a` (CROSS JOIN keeps the
 * R*Tree as the outer loop: SQLite would otherwise scan open alerts by status); parameters in
 * the order of {@link fusionParams}.
 */
const FUSION_WHERE = `WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ?
           AND r.max_t >= ? AND r.min_t <= ? AND r.min_type <= ? AND r.max_type >= ?
           AND a.status IN ('new', 'dispatched', 'acknowledged', 'in_progress')
           AND a.last_observed_at >= ? AND a.first_observed_at <= ?
           AND a.max_lon + a.radius_m / ? >= ? AND a.min_lon - a.radius_m / ? <= ?
           AND a.max_lat + a.radius_m / ? >= ? AND a.min_lat - a.radius_m / ? <= ?`;

function fusionParams(
  typeCode: number,
  outer: [number, number, number, number],
  inner: [number, number, number, number],
  mPerDeg: { lon: number; lat: number },
  fromMs: number,
  toMs: number,
): unknown[] {
  return [
    outer[0],
    outer[2],
    outer[1],
    outer[3],
    fromMs / ALERT_RTREE.timeUnitMs,
    toMs / ALERT_RTREE.timeUnitMs,
    typeCode,
    typeCode,
    fromMs,
    toMs,
    mPerDeg.lon,
    inner[0],
    mPerDeg.lon,
    inner[2],
    mPerDeg.lat,
    inner[1],
    mPerDeg.lat,
    inner[3],
  ];
}

/** What the fusion test reads of an open alert near an observation (see fusionCandidateRefs). */
export interface FusionCandidateRef {
  /** Creation order (the row's key): fusion's tie rule gives equally near alerts to the oldest. */
  seq: number;
  id: string;
  alertType: AlertRow['alertType'];
  /** Grows by one with every change of the geometry: a parsed geometry may be kept by it. */
  version: number;
  status: AlertRow['status'];
  firstObservedAtMs: number;
  lastObservedAtMs: number;
  radiusM: number;
  /** The stored GeoJSON text, parsed by the caller (which may keep it by id and version). */
  geometryJson: string;
}

/** The grown shape of an alert the rules engine writes back after fusion. */
export type AlertGrowth = Pick<
  AlertRow,
  | 'severity'
  | 'confidence'
  | 'geometry'
  | 'lon'
  | 'lat'
  | 'minLon'
  | 'minLat'
  | 'maxLon'
  | 'maxLat'
  | 'radiusM'
  | 'extentAreaM2'
  | 'firstObservedAt'
  | 'lastObservedAt'
  | 'observationCount'
  | 'passKeys'
  | 'sensorIds'
  | 'sources'
  | 'metrics'
  | 'severityReasons'
  | 'version'
  | 'updatedAt'
>;

/**
 * Filters of {@link AlertsRepository.listAlerts}; every bound is inclusive.
 * - `bbox` `[minLon, minLat, maxLon, maxLat]` (degrees, WGS-84): alerts whose box
 *   `[minLon, maxLon] × [minLat, maxLat]` meets it, touching included. `minLon > maxLon` (a box
 *   across the antimeridian) is refused with a RangeError: ask for its two halves.
 * - `fromMs` / `toMs` (epoch ms): alerts whose observed span `[firstObservedAt, lastObservedAt]`
 *   meets `[fromMs, toMs]`, i.e. `lastObservedAt >= fromMs` and `firstObservedAt <= toMs`.
 * - `types`, `statuses`, `severities`: any of the listed values; an empty list matches nothing.
 */
export interface AlertFilters {
  /** [minLon, minLat, maxLon, maxLat] */
  bbox?: [number, number, number, number];
  fromMs?: number;
  toMs?: number;
  /** Type codes (index in ALERT_TYPES) and names; the R*Tree filters on the codes exactly. */
  types?: { code: number; name: string }[];
  statuses?: AlertStatusName[];
  severities?: SeverityName[];
  /** Only alerts routed or shared to this agency. */
  agencyId?: string;
}

/** Alerts, their routes and events, verification requests; the R*Tree queries. */
export interface DockWithPayloads {
  id: string;
  agencyId: string;
  shared: boolean;
  lon: number;
  lat: number;
  payloadKinds: string[];
}

export class AlertsRepository {
  private readonly byIdSeq: Database.Statement<[string], { seq: number }>;
  private readonly hot: {
    byId: Database.Statement<[string], unknown[]>;
    candidates: Database.Statement<unknown[], unknown[]>;
    fusionRefs: Database.Statement<unknown[], unknown[]>;
    insert: Database.Statement<unknown[], { seq: number }>;
    grow: Database.Statement<unknown[]>;
    growInBox: Database.Statement<unknown[]>;
    setStatus: Database.Statement<unknown[]>;
    routesOf: Database.Statement<[string], RawRow>;
    addRoute: Database.Statement<unknown[]>;
    insertEvent: Database.Statement<unknown[], { seq: number }>;
  };
  /** List statements by filter shape (which filters are present), prepared on first use. */
  private readonly lists = new Map<
    string,
    Database.Statement<[Record<string, unknown>], unknown[]>
  >();

  /** Above this many R*Tree hits a list scans rows in `seq` order instead (see listAlerts). */
  private readonly treeHitCap: number;
  /** Query boxes up to this volume skip counting R*Tree hits (see SMALL_BOX_DEG2_DAYS). */
  private readonly smallBoxDeg2Days: number;
  /** Statements counting R*Tree hits up to the cap, by filter shape. */
  private readonly probes = new Map<
    string,
    Database.Statement<[Record<string, unknown>], number>
  >();

  constructor(
    private readonly db: Db,
    private readonly sqlite: Database.Database,
    options: { treeHitCap?: number; smallBoxDeg2Days?: number } = {},
  ) {
    this.treeHitCap = options.treeHitCap ?? 20_000;
    this.smallBoxDeg2Days = options.smallBoxDeg2Days ?? SMALL_BOX_DEG2_DAYS;
    this.byIdSeq = sqlite.prepare('SELECT seq FROM alerts WHERE id = ?');
    this.hot = {
      byId: sqlite
        .prepare<[string], unknown[]>(`SELECT ${ALERT_SELECT} FROM alerts a WHERE a.id = ?`)
        .raw(true),
      fusionRefs: sqlite
        .prepare<unknown[], unknown[]>(
          `SELECT a.seq, a.id, a.alert_type, a.version, a.status, a.first_observed_at, a.last_observed_at, a.radius_m, a.geometry
         FROM alerts_rtree r CROSS JOIN alerts a ON a.seq = r.seq ${FUSION_WHERE}`,
        )
        .raw(true),
      // CROSS JOIN keeps the R*Tree as the outer loop (SQLite would otherwise scan open alerts by
      // status); rows read as arrays (raw mode), half the cost of 31-key objects per candidate
      candidates: sqlite
        .prepare<unknown[], unknown[]>(
          `SELECT ${ALERT_SELECT} FROM alerts_rtree r CROSS JOIN alerts a ON a.seq = r.seq ${FUSION_WHERE}`,
        )
        .raw(true),
      insert: sqlite.prepare(
        `INSERT INTO alerts (id, alert_type, type_code, status, severity, confidence, version, geometry, lon, lat, min_lon, min_lat, max_lon, max_lat, radius_m, extent_area_m2, first_observed_at, last_observed_at, observation_count, primary_kind, pass_keys, sensor_ids, sources, metrics, severity_reasons, outcome_label, duplicate_of, closed_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      ),
      grow: sqlite.prepare(
        `UPDATE alerts SET severity = ?, confidence = ?, geometry = ?, lon = ?, lat = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, radius_m = ?, extent_area_m2 = ?, first_observed_at = ?, last_observed_at = ?, observation_count = ?, pass_keys = ?, sensor_ids = ?, sources = ?, metrics = ?, severity_reasons = ?, version = ?, updated_at = ? WHERE id = ?`,
      ),
      // the same without the box and the time span: the R*Tree trigger (a delete and an insert in
      // the tree) fires only for an UPDATE that sets one of those columns
      growInBox: sqlite.prepare(
        `UPDATE alerts SET severity = ?, confidence = ?, geometry = ?, lon = ?, lat = ?, radius_m = ?, extent_area_m2 = ?, observation_count = ?, pass_keys = ?, sensor_ids = ?, sources = ?, metrics = ?, severity_reasons = ?, version = ?, updated_at = ? WHERE id = ?`,
      ),
      setStatus: sqlite.prepare('UPDATE alerts SET status = ? WHERE id = ?'),
      routesOf: sqlite.prepare(
        'SELECT * FROM alert_routes WHERE alert_id = ? ORDER BY dispatched_at, agency_id',
      ),
      addRoute: sqlite.prepare(
        `INSERT INTO alert_routes (alert_id, agency_id, kind, reason, state, dispatched_at, acknowledged_at, reminder_sent_at, escalated_at, handed_over_to, handover_reason, rating, rating_note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      insertEvent: sqlite.prepare(
        'INSERT INTO alert_events (alert_id, version, type, actor, agency_id, from_status, to_status, note, data, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq',
      ),
    };
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so concurrent
   * writers queue instead of failing half-way); nested calls become savepoints.
   */
  inTransaction<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return this.sqlite.transaction(fn)();
    return this.sqlite.transaction(fn).immediate();
  }

  insertAlert(r: NewAlertRow): AlertRow {
    const { seq } = this.hot.insert.get(
      r.id,
      r.alertType,
      r.typeCode,
      r.status,
      r.severity,
      r.confidence,
      r.version,
      JSON.stringify(r.geometry),
      r.lon,
      r.lat,
      r.minLon,
      r.minLat,
      r.maxLon,
      r.maxLat,
      r.radiusM,
      r.extentAreaM2,
      r.firstObservedAt.getTime(),
      r.lastObservedAt.getTime(),
      r.observationCount,
      r.primaryKind,
      JSON.stringify(r.passKeys),
      JSON.stringify(r.sensorIds),
      JSON.stringify(r.sources),
      JSON.stringify(r.metrics),
      JSON.stringify(r.severityReasons),
      r.outcomeLabel,
      r.duplicateOf,
      r.closedAt?.getTime() ?? null,
      r.createdAt.getTime(),
      r.updatedAt.getTime(),
    )!;
    return { ...r, seq };
  }

  /**
   * Writes back an alert grown by fusion (geometry, metrics, confidence, severity, version).
   * Given the row as it was (`before`), an alert whose box and time span did not change is
   * written without them, which leaves its R*Tree entry where it is (the same row results; the
   * entry's place in the tree orders fusion's candidates, which decides nothing since fusion's
   * tie rule: of equally near alerts the oldest wins).
   */
  growAlert(
    id: string,
    g: AlertGrowth,
    before?: Pick<
      AlertRow,
      'minLon' | 'minLat' | 'maxLon' | 'maxLat' | 'firstObservedAt' | 'lastObservedAt'
    >,
  ): void {
    // The columns both statements set, before and after the box and time span.
    const head = [g.severity, g.confidence, JSON.stringify(g.geometry), g.lon, g.lat];
    const tail = [
      g.observationCount,
      JSON.stringify(g.passKeys),
      JSON.stringify(g.sensorIds),
      JSON.stringify(g.sources),
      JSON.stringify(g.metrics),
      JSON.stringify(g.severityReasons),
      g.version,
      g.updatedAt.getTime(),
      id,
    ];
    if (
      before &&
      before.minLon === g.minLon &&
      before.minLat === g.minLat &&
      before.maxLon === g.maxLon &&
      before.maxLat === g.maxLat &&
      before.firstObservedAt.getTime() === g.firstObservedAt.getTime() &&
      before.lastObservedAt.getTime() === g.lastObservedAt.getTime()
    ) {
      this.hot.growInBox.run(...head, g.radiusM, g.extentAreaM2, ...tail);
      return;
    }
    this.hot.grow.run(
      ...head,
      g.minLon,
      g.minLat,
      g.maxLon,
      g.maxLat,
      g.radiusM,
      g.extentAreaM2,
      g.firstObservedAt.getTime(),
      g.lastObservedAt.getTime(),
      ...tail,
    );
  }

  setStatus(id: string, status: AlertStatusName): void {
    this.hot.setStatus.run(status, id);
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
    const r = this.hot.byId.get(id);
    return r ? alertFromArray(r) : undefined;
  }

  private visible(scope: Scope) {
    return scope.seesAll
      ? undefined
      : sql`EXISTS (SELECT 1 FROM alert_routes ar WHERE ar.alert_id = ${alerts.id} AND ar.agency_id = ${scope.agencyId})`;
  }

  /**
   * Open alerts of one type that may absorb an observation: the R*Tree finds those whose box
   * and time span (`[fromMs, toMs]`, re-checked exactly) meet `outer` (the reach plus the largest alert radius); each alert's own
   * radius then trims them to `inner` (the reach) before any row is decoded.
   */
  fusionCandidates(
    typeCode: number,
    outer: [number, number, number, number],
    inner: [number, number, number, number],
    mPerDeg: { lon: number; lat: number },
    fromMs: number,
    toMs: number,
  ): AlertRow[] {
    return this.hot.candidates
      .all(...fusionParams(typeCode, outer, inner, mPerDeg, fromMs, toMs))
      .map(alertFromArray);
  }

  /**
   * The same alerts as {@link fusionCandidates}, in the same order (the R*Tree's: the rules'
   * choice does not depend on it), with only what the fusion test and its tie rule read (9 of 31
   * columns): the rules pick one, and only that one is read whole
   * ({@link getAlertUnscoped}). Per candidate this skips decoding the JSON columns (pass keys,
   * sensors, sources, metrics, reasons) and the dates of a row the detection will not join.
   */
  fusionCandidateRefs(
    typeCode: number,
    outer: [number, number, number, number],
    inner: [number, number, number, number],
    mPerDeg: { lon: number; lat: number },
    fromMs: number,
    toMs: number,
  ): FusionCandidateRef[] {
    const rows = this.hot.fusionRefs.all(
      ...fusionParams(typeCode, outer, inner, mPerDeg, fromMs, toMs),
    );
    const out: FusionCandidateRef[] = new Array<FusionCandidateRef>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = {
        seq: r[0] as number,
        id: r[1] as string,
        alertType: r[2] as AlertRow['alertType'],
        version: r[3] as number,
        status: r[4] as AlertRow['status'],
        firstObservedAtMs: r[5] as number,
        lastObservedAtMs: r[6] as number,
        radiusM: r[7] as number,
        geometryJson: r[8] as string,
      };
    }
    return out;
  }

  /** The cursor's alert sequence number (pagination follows `seq`, i.e. creation order). */
  seqOf(cursor: Cursor): number | undefined {
    return this.byIdSeq.get(cursor.id)?.seq;
  }

  /**
   * Lists alerts visible to `scope` matching the filters (see {@link AlertFilters}), in
   * creation order (`seq`), `limit` at a time after `afterSeq`.
   *
   * With a bbox or a time bound the R*Tree drives: one scan per run of consecutive type codes
   * (its boxes are exact in type, 32-bit floats rounded outwards and padded elsewhere), its hits
   * sorted by `seq`, then joined in that order: each row re-checks box and time exactly, then
   * status, severity, agency and the scope's visibility (a primary-key probe of `alert_routes`),
   * until `limit + 1` rows pass. Filters that select much (more than `treeHitCap` R*Tree hits,
   * counted first unless the query box is small) or have no bbox and no time bound scan the rows
   * in `seq` order instead, where the page fills quickly.
   */
  listAlerts(
    scope: Scope,
    filters: AlertFilters,
    options: { afterSeq: number | null; limit: number },
  ): Page<AlertRow> {
    const query = this.listQuery(scope, filters, options.afterSeq);
    if (!query) return { items: [], nextCursor: null };
    query.params.limit = options.limit + 1;
    return page(query.statement.all(query.params).map(alertFromArray), options.limit);
  }

  /** The query plan `listAlerts` runs for these filters (EXPLAIN QUERY PLAN details). */
  listPlan(scope: Scope, filters: AlertFilters): string[] {
    const query = this.listQuery(scope, filters, null);
    if (!query) return [];
    return (
      this.sqlite
        .prepare(`EXPLAIN QUERY PLAN ${query.statement.source}`)
        .all({ ...query.params, limit: 1 }) as { detail: string }[]
    ).map((r) => r.detail);
  }

  /** The prepared statement for the filters' shape and its parameters; null when nothing can match. */
  private listQuery(
    scope: Scope,
    filters: AlertFilters,
    afterSeq: number | null,
  ): {
    statement: Database.Statement<[Record<string, unknown>], unknown[]>;
    params: Record<string, unknown>;
  } | null {
    const { bbox, fromMs, toMs, types, statuses, severities, agencyId } = filters;
    if (bbox && !(bbox[0] <= bbox[2] && bbox[1] <= bbox[3]))
      throw new RangeError(
        `bbox [${bbox.join(', ')}]: expected minLon <= maxLon and minLat <= maxLat (a box across the antimeridian is two queries)`,
      );
    if (types?.length === 0 || statuses?.length === 0 || severities?.length === 0) return null;
    const runs = typeRuns(types);
    const shape: ListShape = {
      tree: bbox !== undefined || fromMs !== undefined || toMs !== undefined,
      bbox: bbox !== undefined,
      from: fromMs !== undefined,
      to: toMs !== undefined,
      typeRuns: runs.length,
      statuses: statuses !== undefined,
      severities: severities !== undefined,
      agency: agencyId !== undefined,
      scoped: !scope.seesAll,
    };
    const params: Record<string, unknown> = {};
    if (bbox) [params.minLon, params.minLat, params.maxLon, params.maxLat] = bbox;
    if (fromMs !== undefined) {
      params.fromMs = fromMs;
      params.fromT = fromMs / ALERT_RTREE.timeUnitMs;
    }
    if (toMs !== undefined) {
      params.toMs = toMs;
      params.toT = toMs / ALERT_RTREE.timeUnitMs;
    }
    for (const [i, [lo, hi]] of runs.entries()) {
      params[`typeLo${i}`] = lo;
      params[`typeHi${i}`] = hi;
    }
    if (statuses) params.statuses = JSON.stringify(statuses);
    if (severities) params.severities = JSON.stringify(severities);
    if (agencyId !== undefined) params.agencyId = agencyId;
    if (!scope.seesAll) params.scopeAgencyId = scope.agencyId;
    params.afterSeq = afterSeq ?? -1;
    if (shape.tree && !smallBox(bbox, fromMs, toMs, this.smallBoxDeg2Days)) {
      const key = Object.values(shape).join(',');
      let probe = this.probes.get(key);
      if (!probe) {
        probe = this.sqlite
          .prepare<[Record<string, unknown>], number>(
            `SELECT COUNT(*) FROM (${treeScans(shape).join(' UNION ALL ')} LIMIT @cap)`,
          )
          .pluck();
        this.probes.set(key, probe);
      }
      if (probe.get({ ...params, cap: this.treeHitCap })! >= this.treeHitCap) shape.tree = false;
    }
    const key = Object.values(shape).join(',');
    let statement = this.lists.get(key);
    if (!statement) {
      statement = this.sqlite
        .prepare<[Record<string, unknown>], unknown[]>(listSql(shape))
        .raw(true);
      this.lists.set(key, statement);
    }
    return { statement, params };
  }

  routesOf(alertId: string): AlertRouteRow[] {
    return this.hot.routesOf.all(alertId).map(routeFromRaw);
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
  addRoute(r: AlertRouteRow): boolean {
    return (
      this.hot.addRoute.run(
        r.alertId,
        r.agencyId,
        r.kind,
        r.reason,
        r.state,
        r.dispatchedAt.getTime(),
        r.acknowledgedAt?.getTime() ?? null,
        r.reminderSentAt?.getTime() ?? null,
        r.escalatedAt?.getTime() ?? null,
        r.handedOverTo,
        r.handoverReason,
        r.rating,
        r.ratingNote,
      ).changes === 1
    );
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

  insertEvent(e: NewAlertEvent): number {
    return this.hot.insertEvent.get(
      e.alertId,
      e.version,
      e.type,
      e.actor,
      e.agencyId,
      e.fromStatus,
      e.toStatus,
      e.note,
      JSON.stringify(e.data),
      e.at.getTime(),
    )!.seq;
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
  /** Docks with the payload kinds of their drones, and whether their owners share them. */
  docksWithPayloads(): DockWithPayloads[] {
    const rows = this.db
      .select({
        id: docks.id,
        agencyId: docks.agencyId,
        shared: docks.shared,
        lon: docks.lon,
        lat: docks.lat,
        payloads: drones.payloads,
      })
      .from(docks)
      .leftJoin(drones, eq(drones.dockId, docks.id))
      .all();
    const byDock = new Map<string, DockWithPayloads>();
    for (const r of rows) {
      const d = byDock.get(r.id) ?? {
        id: r.id,
        agencyId: r.agencyId,
        shared: r.shared,
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

/** Which filters a list query has: one prepared statement per shape. */
interface ListShape {
  /** The R*Tree drives (else rows are scanned in `seq` order). */
  tree: boolean;
  bbox: boolean;
  from: boolean;
  to: boolean;
  /** Runs of consecutive type codes, one R*Tree scan each; 0 = no type filter. */
  typeRuns: number;
  statuses: boolean;
  severities: boolean;
  agency: boolean;
  scoped: boolean;
}

/** `[lo, hi]` runs of consecutive type codes, e.g. codes 3, 0, 1 → [[0, 1], [3, 3]]. */
function typeRuns(types: { code: number }[] | undefined): [number, number][] {
  if (!types) return [];
  const codes = [...new Set(types.map((t) => t.code))].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const code of codes) {
    const last = runs.at(-1);
    if (last && code === last[1] + 1) last[1] = code;
    else runs.push([code, code]);
  }
  return runs;
}

/**
 * Query boxes up to this volume (bbox area in square degrees × time range in days) skip the
 * count of R*Tree hits: 2 is e.g. 15 km × 15 km × 3 weeks, about 6,000 hits at the benchmark's
 * density (1,000,000 alerts a year over 100 km × 100 km), a sort of integers that costs little.
 */
const SMALL_BOX_DEG2_DAYS = 2;

function smallBox(
  bbox: [number, number, number, number] | undefined,
  fromMs: number | undefined,
  toMs: number | undefined,
  maxDeg2Days: number,
): boolean {
  if (!bbox || fromMs === undefined || toMs === undefined) return false;
  const days = (toMs - fromMs) / 86_400_000;
  return (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) * days <= maxDeg2Days;
}

/** The R*Tree scans of a shape, one per run of type codes, each answering `seq`. */
function treeScans(shape: ListShape): string[] {
  const terms: string[] = ['r.seq > @afterSeq'];
  if (shape.bbox)
    terms.push(
      'r.max_lon >= @minLon',
      'r.min_lon <= @maxLon',
      'r.max_lat >= @minLat',
      'r.min_lat <= @maxLat',
    );
  if (shape.from) terms.push('r.max_t >= @fromT');
  if (shape.to) terms.push('r.min_t <= @toT');
  const runs = Array.from({ length: shape.typeRuns }, (_, i) => [
    `r.min_type <= @typeHi${i}`,
    `r.max_type >= @typeLo${i}`,
  ]);
  return (runs.length === 0 ? [[]] : runs).map(
    (run) => `SELECT r.seq FROM alerts_rtree r WHERE ${[...terms, ...run].join(' AND ')}`,
  );
}

function listSql(shape: ListShape): string {
  const exact: string[] = [];
  if (shape.bbox)
    exact.push(
      'a.max_lon >= @minLon',
      'a.min_lon <= @maxLon',
      'a.max_lat >= @minLat',
      'a.min_lat <= @maxLat',
    );
  if (shape.from) exact.push('a.last_observed_at >= @fromMs');
  if (shape.to) exact.push('a.first_observed_at <= @toMs');
  if (!shape.tree && shape.typeRuns > 0)
    exact.push(
      `(${Array.from({ length: shape.typeRuns }, (_, i) => `a.type_code BETWEEN @typeLo${i} AND @typeHi${i}`).join(' OR ')})`,
    );
  if (shape.statuses) exact.push('a.status IN (SELECT value FROM json_each(@statuses))');
  if (shape.severities) exact.push('a.severity IN (SELECT value FROM json_each(@severities))');
  if (shape.agency)
    exact.push(
      'EXISTS (SELECT 1 FROM alert_routes f WHERE f.alert_id = a.id AND f.agency_id = @agencyId)',
    );
  // visibility last: it is the one filter that probes another table
  if (shape.scoped)
    exact.push(
      'EXISTS (SELECT 1 FROM alert_routes v WHERE v.alert_id = a.id AND v.agency_id = @scopeAgencyId)',
    );
  if (!shape.tree)
    return `SELECT ${ALERT_SELECT} FROM alerts a WHERE ${['a.seq > @afterSeq', ...exact].join(' AND ')} ORDER BY a.seq LIMIT @limit`;
  // The R*Tree's hits are sorted by seq first (integers only, a merge across the type runs), then
  // joined in that order, so the rows are read and re-checked only until the page is full: the
  // limit stops the join. `LIMIT -1 OFFSET 0` keeps SQLite from flattening the subquery into the
  // join (it would then join every hit and sort whole rows); the outer ORDER BY needs no sort.
  const hits = `SELECT seq FROM (${treeScans(shape).join(' UNION ALL ')}) ORDER BY seq LIMIT -1 OFFSET 0`;
  const where = exact.length > 0 ? `WHERE ${exact.join(' AND ')}` : '';
  return `SELECT ${ALERT_SELECT} FROM (${hits}) r CROSS JOIN alerts a ON a.seq = r.seq ${where} ORDER BY r.seq LIMIT @limit`;
}
