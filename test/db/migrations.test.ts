import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ALERT_RTREE, MIGRATIONS_DIR, openDatabase } from '../../db/index';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'sf-db-'));
  dirs.push(d);
  return join(d, 'nested', 'store.db');
};

describe('the store', () => {
  it('creates the file and its folder, migrates a fresh database and sets WAL, foreign keys and a busy timeout', () => {
    const store = openDatabase(fresh());
    const tables = store.sqlite
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'agencies',
        'api_keys',
        'areas',
        'area_versions',
        'docks',
        'drones',
        'plans',
        'plan_areas',
      ]),
    );
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    store.close();
  });

  it('applies migrations once: reopening keeps the data and the migration journal', () => {
    const path = fresh();
    const first = openDatabase(path);
    first.sqlite
      .prepare(
        "insert into agencies (id, name, kind, alert_types, created_at, updated_at) values ('agc_x', 'x', 'other', '[]', 0, 0)",
      )
      .run();
    const applied = (
      first.sqlite.prepare('select count(*) n from __drizzle_migrations').get() as { n: number }
    ).n;
    first.close();
    const again = openDatabase(path);
    expect(
      (again.sqlite.prepare('select count(*) n from __drizzle_migrations').get() as { n: number })
        .n,
    ).toBe(applied);
    expect(again.sqlite.prepare("select name from agencies where id = 'agc_x'").get()).toEqual({
      name: 'x',
    });
    again.close();
  });

  it('enforces foreign keys', () => {
    const store = openDatabase(fresh());
    expect(() =>
      store.sqlite
        .prepare(
          "insert into docks (id, agency_id, name, lon, lat, ground_alt_m, link_url, created_at, updated_at) values ('dock_x', 'agc_missing', 'd', 0, 0, 0, 'tcp://h:1', 0, 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    store.close();
  });

  it('0010 rebuilds the alert R*Tree of a store that already holds alerts, and its triggers follow changes', () => {
    // the committed migrations up to 0009, applied to a store that then receives an alert
    const folder = mkdtempSync(join(tmpdir(), 'sf-db-migrations-'));
    dirs.push(folder);
    cpSync(MIGRATIONS_DIR, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx < 10);
    writeFileSync(journalPath, JSON.stringify(journal));
    const path = fresh();
    const old = openDatabase(path, { migrate: false });
    migrate(drizzle(old.sqlite), { migrationsFolder: folder });
    old.sqlite
      .prepare(
        `INSERT INTO alerts (id, alert_type, type_code, status, severity, confidence, version, geometry, lon, lat, min_lon, min_lat, max_lon, max_lat, radius_m, extent_area_m2, first_observed_at, last_observed_at, observation_count, primary_kind, pass_keys, sensor_ids, sources, metrics, severity_reasons, created_at, updated_at)
         VALUES ('alr_old', 'flood', 1, 'new', 'low', 'low', 1, '{"type":"Point","coordinates":[120,30]}', 120, 30, 120, 30, 120, 30, 5, 0, 1775000000000, 1775000000000, 1, 'water_level', '[]', '[]', '[]', '{}', '[]', 0, 0)`,
      )
      .run();
    old.close();

    const store = openDatabase(path);
    const box = () =>
      store.sqlite.prepare('SELECT * FROM alerts_rtree').all() as Record<string, number>[];
    const t = 1775000000000 / ALERT_RTREE.timeUnitMs;
    const [b] = box();
    // a point at one instant now has volume in every dimension, type as [code, code + 0.5]
    expect(b).toMatchObject({ min_type: 1, max_type: 1.5 });
    expect(b!.min_lon).toBeLessThan(120);
    expect(b!.max_lon).toBeGreaterThan(120);
    expect(b!.min_t).toBeLessThan(t);
    expect(b!.max_t).toBeGreaterThan(t);
    store.sqlite
      .prepare("UPDATE alerts SET max_lon = 121, type_code = 3 WHERE id = 'alr_old'")
      .run();
    expect(box()[0]).toMatchObject({ min_type: 3, max_type: 3.5 });
    expect(box()[0]!.max_lon).toBeGreaterThan(121);
    store.sqlite.prepare("DELETE FROM alerts WHERE id = 'alr_old'").run();
    expect(box()).toEqual([]);
    store.close();
  });
});
