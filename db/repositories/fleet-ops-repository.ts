import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../open-database';
import { dispatchRecords, docks, drones, fleetEvents, telemetrySamples } from '../schema/index';
import type { Scope } from './scope';

export type DispatchRecord = typeof dispatchRecords.$inferSelect;
export type FleetEventRow = typeof fleetEvents.$inferSelect;
export type TelemetrySample = typeof telemetrySamples.$inferSelect;

/** What the fleet watches on a dock's link: the dock and the first drone that lives in it. */
export interface ObservedDockRow {
  dockId: string;
  agencyId: string;
  linkUrl: string;
  dockSystemId: number | null;
  droneId: string | null;
  droneSystemId: number | null;
}

function eventScope(scope: Scope): SQL | undefined {
  return scope.seesAll
    ? undefined
    : or(eq(fleetEvents.agencyId, scope.agencyId), eq(fleetEvents.ownerAgencyId, scope.agencyId));
}

/** Dispatch records (at-most-once dispatch), fleet events and downsampled telemetry. */
export class FleetOpsRepository {
  private readonly insertSampleStatement;

  constructor(private readonly db: Db) {
    // Telemetry is the hot path (every drone, every second): one prepared statement.
    this.insertSampleStatement = db
      .insert(telemetrySamples)
      .values({
        droneId: sql.placeholder('droneId'),
        atS: sql.placeholder('atS'),
        sortieId: sql.placeholder('sortieId'),
        lon: sql.placeholder('lon'),
        lat: sql.placeholder('lat'),
        altM: sql.placeholder('altM'),
        batteryPct: sql.placeholder('batteryPct'),
        groundSpeedMps: sql.placeholder('groundSpeedMps'),
        mode: sql.placeholder('mode'),
      })
      .onConflictDoNothing()
      .prepare();
  }

  /**
   * Every dock with its first drone (by creation), in one query: the fleet re-reads it every
   * tick to start and stop watching docks registered, changed or deleted while it runs.
   */
  observedDocks(): ObservedDockRow[] {
    const rows = this.db
      .select({
        dockId: docks.id,
        agencyId: docks.agencyId,
        linkUrl: docks.linkUrl,
        dockSystemId: docks.systemId,
        droneId: drones.id,
        droneSystemId: drones.systemId,
      })
      .from(docks)
      .leftJoin(drones, eq(drones.dockId, docks.id))
      .orderBy(asc(docks.id), asc(drones.createdAt), asc(drones.id))
      .all();
    const out: ObservedDockRow[] = [];
    for (const r of rows) if (out.at(-1)?.dockId !== r.dockId) out.push(r);
    return out;
  }

  /**
   * Claims the right to dispatch one attempt of a sortie. True for exactly one caller per key,
   * across restarts: the key is the table's primary key.
   */
  claimDispatch(record: DispatchRecord): boolean {
    return this.db.insert(dispatchRecords).values(record).onConflictDoNothing().run().changes === 1;
  }

  getDispatch(key: string): DispatchRecord | undefined {
    return this.db.select().from(dispatchRecords).where(eq(dispatchRecords.key, key)).get();
  }

  dispatchesOf(sortieId: string): DispatchRecord[] {
    return this.db
      .select()
      .from(dispatchRecords)
      .where(eq(dispatchRecords.sortieId, sortieId))
      .orderBy(asc(dispatchRecords.attempt))
      .all();
  }

  updateDispatch(
    key: string,
    patch: Partial<Pick<DispatchRecord, 'status' | 'step'>>,
    at: Date,
  ): void {
    this.db
      .update(dispatchRecords)
      .set({ ...patch, updatedAt: at })
      .where(eq(dispatchRecords.key, key))
      .run();
  }

  insertEvent(event: Omit<FleetEventRow, 'seq'>): FleetEventRow {
    const inserted = this.db.insert(fleetEvents).values(event).returning().all();
    const first = inserted[0];
    if (!first) throw new Error('fleet event insert returned no row');
    return first;
  }

  /** The latest events the scope may see, newest first. */
  recentEvents(scope: Scope, limit: number): FleetEventRow[] {
    return this.db
      .select()
      .from(fleetEvents)
      .where(eventScope(scope))
      .orderBy(desc(fleetEvents.seq))
      .limit(limit)
      .all();
  }

  /** Stores a sample unless its drone already has one in that second (1 Hz downsampling). */
  insertSample(sample: TelemetrySample): boolean {
    return this.insertSampleStatement.run(sample).changes === 1;
  }

  /** A sortie's samples in time order. */
  samplesOfSortie(sortieId: string): TelemetrySample[] {
    return this.db
      .select()
      .from(telemetrySamples)
      .where(eq(telemetrySamples.sortieId, sortieId))
      .orderBy(asc(telemetrySamples.atS))
      .all();
  }

  latestSample(droneId: string): TelemetrySample | undefined {
    return this.db
      .select()
      .from(telemetrySamples)
      .where(eq(telemetrySamples.droneId, droneId))
      .orderBy(desc(telemetrySamples.atS))
      .limit(1)
      .get();
  }

  /** Deletes samples older than `beforeS` (seconds since the epoch); returns how many. */
  pruneSamples(beforeS: number): number {
    return this.db.delete(telemetrySamples).where(lt(telemetrySamples.atS, beforeS)).run().changes;
  }

  /** Events after `afterSeq` (SSE resume), oldest first. */
  eventsAfter(scope: Scope, afterSeq: number, limit: number): FleetEventRow[] {
    return this.db
      .select()
      .from(fleetEvents)
      .where(and(eventScope(scope), gt(fleetEvents.seq, afterSeq)))
      .orderBy(asc(fleetEvents.seq))
      .limit(limit)
      .all();
  }
}
