import { count, eq } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import type { detectionBatches, ingestKeys } from '../schema/index';
import { detections, satelliteHotspots } from '../schema/index';

export type DetectionRow = typeof detections.$inferSelect;
export type DetectionBatchRow = typeof detectionBatches.$inferSelect;
export type IngestKeyRow = typeof ingestKeys.$inferSelect;
export type SatelliteHotspotRow = typeof satelliteHotspots.$inferSelect;

/** What acceptance stores of one detection; the rules fill in the rest later. */
export interface AcceptedDetectionRow {
  id: string;
  batchId: string;
  agencyId: string;
  kind: DetectionRow['kind'];
  capturedAtMs: number;
  sensorId: string;
  passKey: string;
  /** The validated detection, already serialised (it is also what the request hash covers). */
  payloadJson: string;
  receivedAtMs: number;
}

/** A stored detection still waiting for the rules. */
export interface PendingDetection {
  id: string;
  batchId: string;
  agencyId: string;
  payloadJson: string;
  receivedAtMs: number;
}

/** What the rules made of one detection. */
export interface DetectionOutcomeUpdate {
  passKey: string;
  lon: number | null;
  lat: number | null;
  radiusM: number | null;
  outcome: string;
  outcomeDetail: string | null;
  alertId: string | null;
  processedAtMs: number;
}

/**
 * The id of a batch's own new detection: the batch's random part and the index. A batch's
 * detections sit side by side in the primary-key index, so storing a batch dirties a page or
 * two of it, not one per detection (random ids did: the commit wrote ~100 index pages).
 */
export function batchDetectionId(batchId: string, index: number): string {
  return `det_${batchId.slice(batchId.indexOf('_') + 1)}_${index.toString(36).padStart(2, '0')}`;
}

const ACCEPT_COLUMNS =
  'id, batch_id, agency_id, kind, captured_at, sensor_id, pass_key, payload, outcome, received_at';
const ACCEPT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)";
/** Rows per multi-row INSERT: chunks of powers of two keep the statement cache at 9 entries. */
const MAX_ROWS_PER_INSERT = 256;

/**
 * Detections (accepted first, processed by the rules right after), their batches, their
 * idempotency keys, and imported satellite hotspots. The acceptance path uses prepared
 * statements and one multi-row INSERT per batch: it runs inside the request.
 */
export class AlertsIngestRepository {
  private readonly insertDetectionsStmts = new Map<number, Database.Statement<unknown[]>>();
  private readonly stmts: {
    findKey: Database.Statement<[string, string, string], Record<string, unknown>>;
    putKey: Database.Statement<unknown[]>;
    insertBatch: Database.Statement<unknown[]>;
    pendingBatches: Database.Statement<[number], Record<string, unknown>>;
    pendingOf: Database.Statement<[string], Record<string, unknown>>;
    markDetection: Database.Statement<unknown[]>;
    markBatch: Database.Statement<[number, string]>;
    getBatch: Database.Statement<[string], Record<string, unknown>>;
    byIds: Database.Statement<[string], Record<string, unknown>>;
    getDetection: Database.Statement<[string], Record<string, unknown>>;
  };
  private readonly savepoint: {
    begin: Database.Statement<[]>;
    release: Database.Statement<[]>;
    rollback: Database.Statement<[]>;
  };

  constructor(
    private readonly db: Db,
    private readonly sqlite: Database.Database,
  ) {
    this.savepoint = {
      begin: sqlite.prepare('SAVEPOINT detection'),
      release: sqlite.prepare('RELEASE detection'),
      rollback: sqlite.prepare('ROLLBACK TO detection'),
    };
    this.stmts = {
      findKey: sqlite.prepare(
        'SELECT request_hash, response FROM ingest_keys WHERE agency_id = ? AND scope = ? AND key = ?',
      ),
      putKey: sqlite.prepare(
        'INSERT INTO ingest_keys (agency_id, scope, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertBatch: sqlite.prepare(
        'INSERT INTO detection_batches (id, agency_id, item_count, detection_ids, received_at, processed_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      pendingBatches: sqlite.prepare(
        'SELECT id, agency_id, item_count, detection_ids, received_at FROM detection_batches WHERE processed_at IS NULL ORDER BY seq LIMIT ?',
      ),
      pendingOf: sqlite.prepare(
        `SELECT id, batch_id, agency_id, payload, received_at FROM detections
         WHERE id IN (SELECT value FROM json_each(?)) AND outcome = 'pending'`,
      ),
      markDetection: sqlite.prepare(
        `UPDATE detections SET pass_key = ?, lon = ?, lat = ?, radius_m = ?, outcome = ?, outcome_detail = ?, alert_id = ?, processed_at = ?
         WHERE id = ?`,
      ),
      markBatch: sqlite.prepare('UPDATE detection_batches SET processed_at = ? WHERE id = ?'),
      getBatch: sqlite.prepare(
        'SELECT seq, id, agency_id, item_count, detection_ids, received_at, processed_at FROM detection_batches WHERE id = ?',
      ),
      byIds: sqlite.prepare(
        `SELECT id, batch_id, agency_id, kind, captured_at, sensor_id, pass_key, lon, lat, radius_m, outcome, outcome_detail, alert_id, received_at, processed_at
         FROM detections WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      getDetection: sqlite.prepare(
        `SELECT id, batch_id, agency_id, kind, captured_at, sensor_id, pass_key, lon, lat, radius_m, outcome, outcome_detail, alert_id, received_at, processed_at
         FROM detections WHERE id = ?`,
      ),
    };
  }

  /**
   * Runs `fn` in a savepoint of the open transaction: kept when `fn` returns, undone when it
   * throws (the error is rethrown). The rules run one per detection; the statements are prepared
   * once, where better-sqlite3's `transaction(fn)()` builds a new wrapper on every call.
   */
  inSavepoint<T>(fn: () => T): T {
    if (!this.sqlite.inTransaction) throw new Error('inSavepoint needs an open transaction');
    this.savepoint.begin.run();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      // a failed COMMIT-level error may have ended the transaction already
      if (this.sqlite.inTransaction) {
        this.savepoint.rollback.run();
        this.savepoint.release.run();
      }
      throw err;
    }
    this.savepoint.release.run();
    return result;
  }

  /** Runs `fn` in one IMMEDIATE transaction (a savepoint when one is open already). */
  inTransaction<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return this.sqlite.transaction(fn)();
    return this.sqlite.transaction(fn).immediate();
  }

  findKey(
    agencyId: string,
    scope: 'batch' | 'item',
    key: string,
  ): { requestHash: string; response: unknown } | undefined {
    const r = this.stmts.findKey.get(agencyId, scope, key);
    if (!r) return undefined;
    return { requestHash: r.request_hash as string, response: JSON.parse(r.response as string) };
  }

  /** Stores an idempotency key with the hash of its request and the answer (already JSON). */
  putKey(
    agencyId: string,
    scope: 'batch' | 'item',
    key: string,
    requestHash: string,
    responseJson: string,
    createdAtMs: number,
  ): void {
    this.stmts.putKey.run(agencyId, scope, key, requestHash, responseJson, createdAtMs);
  }

  private insertDetectionsStmt(rows: number): Database.Statement<unknown[]> {
    let stmt = this.insertDetectionsStmts.get(rows);
    if (!stmt) {
      stmt = this.sqlite.prepare(
        `INSERT INTO detections (${ACCEPT_COLUMNS}) VALUES ${Array.from({ length: rows }, () => ACCEPT_ROW).join(', ')}`,
      );
      this.insertDetectionsStmts.set(rows, stmt);
    }
    return stmt;
  }

  /** Inserts accepted detections with `outcome = 'pending'`, in multi-row statements. */
  insertAccepted(rows: AcceptedDetectionRow[]): void {
    let at = 0;
    while (at < rows.length) {
      let n = MAX_ROWS_PER_INSERT;
      while (n > rows.length - at) n >>= 1;
      const params: unknown[] = new Array(n * 9);
      let p = 0;
      for (let i = at; i < at + n; i++) {
        const r = rows[i]!;
        params[p++] = r.id;
        params[p++] = r.batchId;
        params[p++] = r.agencyId;
        params[p++] = r.kind;
        params[p++] = r.capturedAtMs;
        params[p++] = r.sensorId;
        params[p++] = r.passKey;
        params[p++] = r.payloadJson;
        params[p++] = r.receivedAtMs;
      }
      this.insertDetectionsStmt(n).run(...params);
      at += n;
    }
  }

  /**
   * Stores a batch. `detectionIds` may be left empty when every item is the batch's own new
   * detection, named by {@link batchDetectionId}: readers then derive the list.
   */
  insertBatch(row: {
    id: string;
    agencyId: string;
    itemCount: number;
    detectionIds: string[];
    receivedAtMs: number;
    processedAtMs: number | null;
  }): void {
    this.stmts.insertBatch.run(
      row.id,
      row.agencyId,
      row.itemCount,
      row.detectionIds.length === 0 ? '[]' : JSON.stringify(row.detectionIds),
      row.receivedAtMs,
      row.processedAtMs,
    );
  }

  private idsOf(r: Record<string, unknown>): string[] {
    const listed = JSON.parse(r.detection_ids as string) as string[];
    if (listed.length > 0) return listed;
    const batchId = r.id as string;
    return Array.from({ length: r.item_count as number }, (_, i) => batchDetectionId(batchId, i));
  }

  /** The oldest batches not yet processed, in their order of acceptance. */
  pendingBatches(
    limit: number,
  ): { id: string; agencyId: string; detectionIds: string[]; receivedAtMs: number }[] {
    return this.stmts.pendingBatches.all(limit).map((r) => ({
      id: r.id as string,
      agencyId: r.agency_id as string,
      detectionIds: this.idsOf(r),
      receivedAtMs: r.received_at as number,
    }));
  }

  /** How many items the batches not yet processed hold (for back-pressure; read once at start). */
  pendingItemCount(): number {
    const row = this.sqlite
      .prepare(
        'SELECT COALESCE(SUM(item_count), 0) AS n FROM detection_batches WHERE processed_at IS NULL',
      )
      .get() as { n: number };
    return row.n;
  }

  /** The pending detections among `ids` (in no particular order). */
  pendingDetections(ids: string[]): PendingDetection[] {
    if (ids.length === 0) return [];
    return this.stmts.pendingOf.all(JSON.stringify(ids)).map((r) => ({
      id: r.id as string,
      batchId: r.batch_id as string,
      agencyId: r.agency_id as string,
      payloadJson: r.payload as string,
      receivedAtMs: r.received_at as number,
    }));
  }

  markDetection(id: string, u: DetectionOutcomeUpdate): void {
    this.stmts.markDetection.run(
      u.passKey,
      u.lon,
      u.lat,
      u.radiusM,
      u.outcome,
      u.outcomeDetail,
      u.alertId,
      u.processedAtMs,
      id,
    );
  }

  markBatchProcessed(id: string, processedAtMs: number): void {
    this.stmts.markBatch.run(processedAtMs, id);
  }

  getBatch(id: string): DetectionBatchRow | undefined {
    const r = this.stmts.getBatch.get(id);
    if (!r) return undefined;
    return {
      seq: r.seq as number,
      id: r.id as string,
      agencyId: r.agency_id as string,
      itemCount: r.item_count as number,
      detectionIds: this.idsOf(r),
      receivedAt: new Date(r.received_at as number),
      processedAt: r.processed_at === null ? null : new Date(r.processed_at as number),
    };
  }

  /** Detections by id, without their payloads. */
  detectionsByIds(ids: string[]): Omit<DetectionRow, 'payload'>[] {
    if (ids.length === 0) return [];
    return this.stmts.byIds.all(JSON.stringify(ids)).map(detectionOf);
  }

  getDetection(id: string): Omit<DetectionRow, 'payload'> | undefined {
    const r = this.stmts.getDetection.get(id);
    return r ? detectionOf(r) : undefined;
  }

  detectionsOfAlert(alertId: string): DetectionRow[] {
    return this.db.select().from(detections).where(eq(detections.alertId, alertId)).all();
  }

  countDetections(): number {
    return this.db.select({ n: count() }).from(detections).get()?.n ?? 0;
  }

  /** Inserts a hotspot unless the same one (satellite, time, place) was imported before. */
  insertHotspot(row: SatelliteHotspotRow): boolean {
    return this.db.insert(satelliteHotspots).values(row).onConflictDoNothing().run().changes === 1;
  }
}

function detectionOf(r: Record<string, unknown>): Omit<DetectionRow, 'payload'> {
  return {
    id: r.id as string,
    batchId: r.batch_id as string,
    agencyId: r.agency_id as string,
    kind: r.kind as DetectionRow['kind'],
    capturedAt: new Date(r.captured_at as number),
    sensorId: r.sensor_id as string,
    passKey: r.pass_key as string,
    lon: r.lon as number | null,
    lat: r.lat as number | null,
    radiusM: r.radius_m as number | null,
    outcome: r.outcome as string,
    outcomeDetail: r.outcome_detail as string | null,
    alertId: r.alert_id as string | null,
    receivedAt: new Date(r.received_at as number),
    processedAt: r.processed_at === null ? null : new Date(r.processed_at as number),
  };
}
