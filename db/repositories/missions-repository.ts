import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../open-database';
import type { Cursor, Page } from '../pagination';
import {
  agencyQuotas,
  docks,
  missions,
  sorties,
  sortieTransitions,
  type SortieStateName,
} from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, type Scope } from './scope';

export type Mission = typeof missions.$inferSelect;
export type Sortie = typeof sorties.$inferSelect;
export type SortieTransition = typeof sortieTransitions.$inferSelect;
export type AgencyQuotaRow = typeof agencyQuotas.$inferSelect;
export type DockRow = typeof docks.$inferSelect;

/** The fields of a sortie a transition may change (besides state, version, updatedAt). */
export type SortiePatch = Partial<
  Omit<
    Sortie,
    'id' | 'missionId' | 'agencyId' | 'ownerAgencyId' | 'state' | 'version' | 'createdAt'
  >
>;

export interface TransitionRecord {
  from: SortieStateName | null;
  to: SortieStateName;
  at: Date;
  actor: string;
  reasonCode: string | null;
  reason: string | null;
}

/** One row of GET /v1/fleet/accounting: what was flown for whom. */
export interface AccountingRow {
  agencyId: string;
  ownerAgencyId: string;
  purpose: string;
  sorties: number;
  done: number;
  aborted: number;
  failed: number;
  flownMin: number;
}

/**
 * Missions and sorties are visible to the requesting agency, to the dock owner, and to the
 * utility's admins.
 */
function missionScope(scope: Scope): SQL | undefined {
  return scope.seesAll
    ? undefined
    : or(eq(missions.agencyId, scope.agencyId), eq(missions.ownerAgencyId, scope.agencyId));
}

function sortieScope(scope: Scope): SQL | undefined {
  return scope.seesAll
    ? undefined
    : or(eq(sorties.agencyId, scope.agencyId), eq(sorties.ownerAgencyId, scope.agencyId));
}

/** Missions, their sorties and every sortie transition; agency quotas and accounting. */
export class MissionsRepository {
  private readonly sortieById;

  constructor(private readonly db: Db) {
    // The hottest read (every transition, progress and event re-reads its sortie): prepared once.
    this.sortieById = db
      .select()
      .from(sorties)
      .where(eq(sorties.id, sql.placeholder('id')))
      .prepare();
  }

  /** Runs `fn` in one transaction (one durable commit for a whole scheduler pass). */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(() => fn());
  }

  /** Any dock by id, whoever owns it: agencies request flights on the utility's docks. */
  findDock(id: string): DockRow | undefined {
    return this.db.select().from(docks).where(eq(docks.id, id)).get();
  }

  /** Inserts a mission and its first sorties (with their opening transitions) atomically. */
  createMission(
    mission: Mission,
    first: { sortie: Sortie; transitions: TransitionRecord[] }[],
  ): Mission {
    this.db.transaction((tx) => {
      tx.insert(missions).values(mission).run();
      for (const { sortie, transitions } of first) {
        tx.insert(sorties).values(sortie).run();
        for (const t of transitions) tx.insert(sortieTransitions).values(row(sortie.id, t)).run();
      }
    });
    return mission;
  }

  getMission(id: string, scope: Scope): Mission | undefined {
    return this.db
      .select()
      .from(missions)
      .where(and(eq(missions.id, id), missionScope(scope)))
      .get();
  }

  /** A mission by id with no scope: for the scheduler and dispatch, never for requests. */
  findMission(id: string): Mission | undefined {
    return this.db.select().from(missions).where(eq(missions.id, id)).get();
  }

  listMissions(
    scope: Scope,
    options: { cursor: Cursor | null; limit: number; status?: Mission['status'] },
  ): Page<Mission> {
    const rows = this.db
      .select()
      .from(missions)
      .where(
        and(
          missionScope(scope),
          options.status ? eq(missions.status, options.status) : undefined,
          afterCursor(missions.createdAt, missions.id, options.cursor),
        ),
      )
      .orderBy(asc(missions.createdAt), asc(missions.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  updateMission(id: string, patch: Partial<Omit<Mission, 'id'>>): void {
    this.db.update(missions).set(patch).where(eq(missions.id, id)).run();
  }

  /**
   * What the scheduler needs to decide whether an approved mission has occurrences to
   * materialise, without reading its route: one light row per approved mission.
   */
  approvedMissionHeads(): Pick<
    Mission,
    'id' | 'schedule' | 'windowMin' | 'createdAt' | 'materialisedUntil'
  >[] {
    return this.db
      .select({
        id: missions.id,
        schedule: missions.schedule,
        windowMin: missions.windowMin,
        createdAt: missions.createdAt,
        materialisedUntil: missions.materialisedUntil,
      })
      .from(missions)
      .where(eq(missions.status, 'approved'))
      .all();
  }

  /** Scheduled or queued sorties whose launch window closed at or before `at`. */
  windowClosedSorties(at: Date): Sortie[] {
    return this.db
      .select()
      .from(sorties)
      .where(and(inArray(sorties.state, ['scheduled', 'queued']), lte(sorties.windowEndsAt, at)))
      .orderBy(asc(sorties.windowEndsAt), asc(sorties.id))
      .all();
  }

  /** Approved recurring missions: what the scheduler expands. */
  approvedMissions(): Mission[] {
    return this.db.select().from(missions).where(eq(missions.status, 'approved')).all();
  }

  /**
   * Inserts a sortie unless its mission already has one at that occurrence. Returns the new
   * row, or undefined when it existed (so materialising twice creates nothing twice).
   */
  insertSortieOnce(sortie: Sortie, transitions: TransitionRecord[]): Sortie | undefined {
    return this.db.transaction((tx) => {
      const inserted = tx
        .insert(sorties)
        .values(sortie)
        .onConflictDoNothing({ target: [sorties.missionId, sorties.occurrenceAt] })
        .run();
      if (inserted.changes !== 1) return undefined;
      for (const t of transitions) tx.insert(sortieTransitions).values(row(sortie.id, t)).run();
      return sortie;
    });
  }

  getSortie(id: string): Sortie | undefined {
    return this.sortieById.get({ id });
  }

  sortiesOfMission(missionId: string): Sortie[] {
    return this.db
      .select()
      .from(sorties)
      .where(eq(sorties.missionId, missionId))
      .orderBy(asc(sorties.occurrenceAt), asc(sorties.id))
      .all();
  }

  sortiesInStates(states: readonly SortieStateName[], options: { dockId?: string } = {}): Sortie[] {
    return this.db
      .select()
      .from(sorties)
      .where(
        and(
          inArray(sorties.state, [...states]),
          options.dockId ? eq(sorties.dockId, options.dockId) : undefined,
        ),
      )
      .orderBy(asc(sorties.dueAt), asc(sorties.id))
      .all();
  }

  /** Sorties in `state` due at or before `at`. */
  dueSorties(state: SortieStateName, at: Date): Sortie[] {
    return this.db
      .select()
      .from(sorties)
      .where(and(eq(sorties.state, state), lte(sorties.dueAt, at)))
      .orderBy(asc(sorties.dueAt), asc(sorties.id))
      .all();
  }

  /** Non-terminal sorties the scope may see (the live fleet snapshot). */
  visibleSorties(scope: Scope, states: readonly SortieStateName[]): Sortie[] {
    return this.db
      .select()
      .from(sorties)
      .where(and(sortieScope(scope), inArray(sorties.state, [...states])))
      .orderBy(asc(sorties.dueAt), asc(sorties.id))
      .all();
  }

  /**
   * Moves a sortie to `transition.to` if it is still at `expectedVersion`, recording the
   * transition in the same database transaction. Returns the new row, or 'stale' when someone
   * else changed it first (the caller re-reads and re-checks).
   */
  applyTransition(
    sortieId: string,
    expectedVersion: number,
    patch: SortiePatch,
    transition: TransitionRecord,
  ): Sortie | 'stale' {
    return this.db.transaction((tx) => {
      const updated = tx
        .update(sorties)
        .set({
          ...patch,
          state: transition.to,
          version: expectedVersion + 1,
          updatedAt: transition.at,
        })
        .where(and(eq(sorties.id, sortieId), eq(sorties.version, expectedVersion)))
        .returning()
        .all();
      const next = updated[0];
      if (!next) return 'stale';
      tx.insert(sortieTransitions).values(row(sortieId, transition)).run();
      return next;
    });
  }

  /** Changes fields without a state change (progress, battery need…), versioned. */
  patchSortie(
    sortieId: string,
    expectedVersion: number,
    patch: SortiePatch,
    at: Date,
  ): Sortie | 'stale' {
    const updated = this.db
      .update(sorties)
      .set({ ...patch, version: expectedVersion + 1, updatedAt: at })
      .where(and(eq(sorties.id, sortieId), eq(sorties.version, expectedVersion)))
      .returning()
      .all();
    return updated[0] ?? 'stale';
  }

  transitionsOf(sortieId: string): SortieTransition[] {
    return this.db
      .select()
      .from(sortieTransitions)
      .where(eq(sortieTransitions.sortieId, sortieId))
      .orderBy(asc(sortieTransitions.seq))
      .all();
  }

  quotasOf(agencyId: string): AgencyQuotaRow[] {
    return this.db
      .select()
      .from(agencyQuotas)
      .where(eq(agencyQuotas.agencyId, agencyId))
      .orderBy(asc(agencyQuotas.period))
      .all();
  }

  allQuotas(): AgencyQuotaRow[] {
    return this.db
      .select()
      .from(agencyQuotas)
      .orderBy(asc(agencyQuotas.agencyId), asc(agencyQuotas.period))
      .all();
  }

  putQuota(quota: AgencyQuotaRow): AgencyQuotaRow {
    this.db
      .insert(agencyQuotas)
      .values(quota)
      .onConflictDoUpdate({
        target: [agencyQuotas.agencyId, agencyQuotas.period],
        set: {
          maxSorties: quota.maxSorties,
          maxFlightMin: quota.maxFlightMin,
          updatedBy: quota.updatedBy,
          updatedAt: quota.updatedAt,
        },
      })
      .run();
    return quota;
  }

  deleteQuota(agencyId: string, period: AgencyQuotaRow['period']): boolean {
    return (
      this.db
        .delete(agencyQuotas)
        .where(and(eq(agencyQuotas.agencyId, agencyId), eq(agencyQuotas.period, period)))
        .run().changes === 1
    );
  }

  /**
   * What an agency has used in `[from, to)` by occurrence time: every sortie that is not
   * rejected and was not aborted before take-off; flown minutes where it flew, planned
   * minutes where it has not flown yet.
   */
  usage(
    agencyId: string,
    from: Date,
    to: Date,
    exceptSortieId?: string,
  ): {
    sorties: number;
    flightMin: number;
  } {
    const result = this.db
      .select({
        sorties: sql<number>`count(*)`,
        flightMin: sql<number>`coalesce(sum(case when ${sorties.launchedAt} is not null then ${sorties.flownMin} when ${sorties.state} in ('done','aborted','failed') then 0 else ${sorties.plannedFlightMin} end), 0)`,
      })
      .from(sorties)
      .where(
        and(
          eq(sorties.agencyId, agencyId),
          gte(sorties.occurrenceAt, from),
          lt(sorties.occurrenceAt, to),
          sql`${sorties.state} <> 'rejected'`,
          sql`not (${sorties.state} in ('aborted','failed') and ${sorties.launchedAt} is null)`,
          exceptSortieId ? sql`${sorties.id} <> ${exceptSortieId}` : undefined,
        ),
      )
      .get();
    return { sorties: result?.sorties ?? 0, flightMin: result?.flightMin ?? 0 };
  }

  /** Sorties that ended in `[from, to)`, per requesting agency, dock owner and purpose. */
  accounting(scope: Scope, from: Date, to: Date): AccountingRow[] {
    return this.db
      .select({
        agencyId: sorties.agencyId,
        ownerAgencyId: sorties.ownerAgencyId,
        purpose: missions.purpose,
        sorties: sql<number>`count(*)`,
        done: sql<number>`sum(case when ${sorties.state} = 'done' then 1 else 0 end)`,
        aborted: sql<number>`sum(case when ${sorties.state} = 'aborted' then 1 else 0 end)`,
        failed: sql<number>`sum(case when ${sorties.state} = 'failed' then 1 else 0 end)`,
        flownMin: sql<number>`coalesce(sum(${sorties.flownMin}), 0)`,
      })
      .from(sorties)
      .innerJoin(missions, eq(missions.id, sorties.missionId))
      .where(
        and(
          sortieScope(scope),
          inArray(sorties.state, ['done', 'aborted', 'failed']),
          sql`${sorties.launchedAt} is not null`,
          gte(sorties.updatedAt, from),
          lt(sorties.updatedAt, to),
        ),
      )
      .groupBy(sorties.agencyId, sorties.ownerAgencyId, missions.purpose)
      .orderBy(asc(sorties.agencyId), asc(missions.purpose), desc(sorties.ownerAgencyId))
      .all();
  }
}

function row(sortieId: string, t: TransitionRecord) {
  return {
    sortieId,
    fromState: t.from,
    toState: t.to,
    at: t.at,
    actor: t.actor,
    reasonCode: t.reasonCode,
    reason: t.reason,
  };
}
