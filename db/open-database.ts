import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database_ {
  /** The drizzle handle; only repositories in db/ write queries with it. */
  db: Db;
  /** The raw better-sqlite3 connection (for repositories needing statements drizzle lacks). */
  sqlite: Database.Database;
  path: string;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Busy timeout in ms before SQLITE_BUSY is raised (default 5000). */
  busyTimeoutMs?: number;
  /** Apply committed migrations on open (default true). */
  migrate?: boolean;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens (creating if needed) the SQLite store at `path`, sets WAL, foreign keys, a busy timeout
 * and full synchronous commits (nothing acknowledged is lost on power failure), then applies the
 * committed migrations.
 *
 * @example
 * const store = openDatabase('./data/shared-flights.db');
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database_ {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqlite.pragma('synchronous = FULL');
    const db = drizzle(sqlite, { schema });
    if (options.migrate ?? true) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    return {
      db,
      sqlite,
      path,
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (err) {
    sqlite.close();
    throw new Error(`cannot open database at ${path}`, { cause: err });
  }
}
