import { and, asc, eq, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../open-database';
import { newId } from '../ids';
import type { Cursor, Page } from '../pagination';
import { docks, drones, type Payload } from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, scopeFilter, type Scope } from './scope';

export type Dock = typeof docks.$inferSelect;
export type Drone = typeof drones.$inferSelect;

export interface DockContent {
  name: string;
  lon: number;
  lat: number;
  groundAltM: number;
  linkUrl: string;
  systemId: number | null;
  /** Visible read-only to every agency, which may plan from it and request sorties there (default false). */
  shared?: boolean;
}

export interface DroneContent {
  dockId: string;
  name: string;
  systemId: number;
  model: string;
  cruiseSpeedMps: number;
  maxFlightTimeMin: number;
  batteryReservePct: number;
  maxWindMps: number;
  payloads: Payload[];
}

const visibleDock = (scope: Scope): SQL | undefined => {
  const own = scopeFilter(docks.agencyId, scope);
  return own ? or(own, eq(docks.shared, true)) : undefined;
};

export type SystemIdClash = { clash: 'drone' | 'dock'; id: string };

/** Docks and the drones that live in them. */
export class FleetRepository {
  constructor(private readonly db: Db) {}

  createDock(input: DockContent, agencyId: string, now: Date): Dock | SystemIdClash {
    return this.db.transaction((tx) => {
      const clash =
        input.systemId === null ? undefined : this.systemIdClash(input.linkUrl, input.systemId, {});
      if (clash) return clash;
      const row: Dock = {
        id: newId('dock'),
        agencyId,
        ...input,
        shared: input.shared ?? false,
        createdAt: now,
        updatedAt: now,
      };
      tx.insert(docks).values(row).run();
      return row;
    });
  }

  /** A dock the caller may read: its own, or one shared with every agency. */
  getDock(id: string, scope: Scope): Dock | undefined {
    return this.db
      .select()
      .from(docks)
      .where(and(eq(docks.id, id), visibleDock(scope)))
      .get();
  }

  /** A dock the caller owns (or any dock for the utility's admins): the one it may change. */
  getOwnDock(id: string, scope: Scope): Dock | undefined {
    return this.db
      .select()
      .from(docks)
      .where(and(eq(docks.id, id), scopeFilter(docks.agencyId, scope)))
      .get();
  }

  /** The docks the caller may read (its own and the shared ones), oldest first. */
  listDocks(scope: Scope, options: { cursor: Cursor | null; limit: number }): Page<Dock> {
    const rows = this.db
      .select()
      .from(docks)
      .where(and(visibleDock(scope), afterCursor(docks.createdAt, docks.id, options.cursor)))
      .orderBy(asc(docks.createdAt), asc(docks.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  /** Every dock, regardless of agency: for the service's own link management. */
  allDocks(): Dock[] {
    return this.db.select().from(docks).orderBy(asc(docks.createdAt)).all();
  }

  updateDock(
    id: string,
    scope: Scope,
    input: DockContent,
    now: Date,
  ): Dock | SystemIdClash | undefined {
    return this.db.transaction(() => {
      const current = this.getOwnDock(id, scope);
      if (!current) return undefined;
      if (input.systemId !== null) {
        const clash = this.systemIdClash(input.linkUrl, input.systemId, { exceptDockId: id });
        if (clash) return clash;
      }
      // Moving a dock to another link must not make its drones clash there.
      if (input.linkUrl !== current.linkUrl) {
        for (const drone of this.dronesOfDock(id)) {
          const clash = this.systemIdClash(input.linkUrl, drone.systemId, {
            exceptDroneId: drone.id,
            exceptDockId: id,
          });
          if (clash) return clash;
        }
      }
      const next: Dock = { ...current, ...input, shared: input.shared ?? false, updatedAt: now };
      this.db.update(docks).set(next).where(eq(docks.id, id)).run();
      return next;
    });
  }

  deleteDock(id: string, scope: Scope): 'deleted' | 'not_found' | 'in_use' {
    return this.db.transaction((tx) => {
      if (!this.getOwnDock(id, scope)) return 'not_found';
      if (this.dronesOfDock(id).length > 0) return 'in_use';
      tx.delete(docks).where(eq(docks.id, id)).run();
      return 'deleted';
    });
  }

  dronesOfDock(dockId: string): Drone[] {
    return this.db.select().from(drones).where(eq(drones.dockId, dockId)).all();
  }

  createDrone(
    input: DroneContent,
    agencyId: string,
    now: Date,
  ): Drone | SystemIdClash | 'dock_not_found' {
    return this.db.transaction((tx) => {
      const dock = tx.select().from(docks).where(eq(docks.id, input.dockId)).get();
      if (!dock) return 'dock_not_found';
      const clash = this.systemIdClash(dock.linkUrl, input.systemId, {});
      if (clash) return clash;
      const row: Drone = { id: newId('drone'), agencyId, ...input, createdAt: now, updatedAt: now };
      tx.insert(drones).values(row).run();
      return row;
    });
  }

  getDrone(id: string, scope: Scope): Drone | undefined {
    return this.db
      .select()
      .from(drones)
      .where(and(eq(drones.id, id), scopeFilter(drones.agencyId, scope)))
      .get();
  }

  listDrones(
    scope: Scope,
    options: { dockId?: string; cursor: Cursor | null; limit: number },
  ): Page<Drone> {
    const rows = this.db
      .select()
      .from(drones)
      .where(
        and(
          scopeFilter(drones.agencyId, scope),
          options.dockId ? eq(drones.dockId, options.dockId) : undefined,
          afterCursor(drones.createdAt, drones.id, options.cursor),
        ),
      )
      .orderBy(asc(drones.createdAt), asc(drones.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  updateDrone(
    id: string,
    scope: Scope,
    input: DroneContent,
    now: Date,
  ): Drone | SystemIdClash | 'dock_not_found' | undefined {
    return this.db.transaction(() => {
      const current = this.getDrone(id, scope);
      if (!current) return undefined;
      const dock = this.db.select().from(docks).where(eq(docks.id, input.dockId)).get();
      if (!dock) return 'dock_not_found';
      const clash = this.systemIdClash(dock.linkUrl, input.systemId, { exceptDroneId: id });
      if (clash) return clash;
      const next: Drone = { ...current, ...input, updatedAt: now };
      this.db.update(drones).set(next).where(eq(drones.id, id)).run();
      return next;
    });
  }

  deleteDrone(id: string, scope: Scope): 'deleted' | 'not_found' {
    const current = this.getDrone(id, scope);
    if (!current) return 'not_found';
    this.db.delete(drones).where(eq(drones.id, id)).run();
    return 'deleted';
  }

  /** MAVLink system ids must be unique on one link: among its docks and their drones. */
  private systemIdClash(
    linkUrl: string,
    systemId: number,
    except: { exceptDockId?: string; exceptDroneId?: string },
  ): SystemIdClash | undefined {
    const dock = this.db
      .select({ id: docks.id })
      .from(docks)
      .where(
        and(
          eq(docks.linkUrl, linkUrl),
          eq(docks.systemId, systemId),
          except.exceptDockId ? ne(docks.id, except.exceptDockId) : undefined,
        ),
      )
      .get();
    if (dock) return { clash: 'dock', id: dock.id };
    const drone = this.db
      .select({ id: drones.id })
      .from(drones)
      .innerJoin(docks, eq(docks.id, drones.dockId))
      .where(
        and(
          eq(docks.linkUrl, linkUrl),
          eq(drones.systemId, systemId),
          except.exceptDroneId ? sql`${drones.id} <> ${except.exceptDroneId}` : undefined,
        ),
      )
      .get();
    return drone ? { clash: 'drone', id: drone.id } : undefined;
  }
}
