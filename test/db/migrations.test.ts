import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/index';

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
});
