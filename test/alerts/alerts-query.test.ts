// The alert list (R*Tree over lon, lat, time and type, then exact re-checks, visibility and
// keyset pages) against a brute-force filter over the same rows, on a real migrated store.
// Coordinates and times are drawn from a coarse grid so that boxes and spans touch query bounds
// exactly and often; some bounds sit a hair (1e-9 degrees, 1 ms) past an alert, inside the
// R*Tree's rounding and padding, where only the exact re-check can tell them apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ALERT_RTREE,
  ALERT_STATUS_NAMES,
  ALERT_TYPES,
  AlertsRepository,
  createRepositories,
  openDatabase,
  SEVERITY_NAMES,
  type AlertFilters,
  type AlertRow,
  type Database_,
  type NewAlertRow,
} from '../../db/index';
import type { Scope } from '../../db/repositories/scope';
import { seededRandom as seeded } from '../../missions/index';

const T0 = Date.parse('2026-04-02T00:00:00Z');
const HOUR_MS = 3_600_000;
const LON0 = 119.7;
const LAT0 = 30.3;
const STEP_DEG = 0.001;

interface World {
  dir: string;
  store: Database_;
  repo: AlertsRepository;
  agencies: string[];
  /** What the store should hold: alerts and, per alert id, the agencies it is routed to. */
  alerts: Map<string, AlertRow>;
  routes: Map<string, Set<string>>;
  random: () => number;
}

let w: World;

function openWorld(seed: number): World {
  const dir = mkdtempSync(join(tmpdir(), 'sf-alerts-query-'));
  const store = openDatabase(join(dir, 'store.db'));
  const repos = createRepositories(store.db);
  const agencies = ['A', 'B', 'C'].map((name) => {
    const made = repos.agencies.create(
      { name: `Agency ${name}`, kind: 'forestry', jurisdiction: null, alertTypes: [] },
      new Date(T0),
    );
    if (made === 'name_taken') throw new Error('fresh store expected');
    return made.id;
  });
  return {
    dir,
    store,
    repo: new AlertsRepository(store.db, store.sqlite),
    agencies,
    alerts: new Map(),
    routes: new Map(),
    random: seeded(seed),
  };
}

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)]!;

/** A box of 0, 1 or 3 grid steps (0 = a point) and a span of 0, 1 or 5 hours (0 = one instant). */
function shape(random: () => number) {
  const minLon = LON0 + Math.floor(random() * 40) * STEP_DEG;
  const minLat = LAT0 + Math.floor(random() * 40) * STEP_DEG;
  const w = pick(random, [0, 1, 3]) * STEP_DEG;
  const h = pick(random, [0, 1, 3]) * STEP_DEG;
  const first = T0 + Math.floor(random() * 120) * HOUR_MS;
  const last = first + pick(random, [0, 1, 5]) * HOUR_MS;
  return { minLon, minLat, maxLon: minLon + w, maxLat: minLat + h, first, last };
}

function addAlert(i: number): void {
  const { random } = w;
  const s = shape(random);
  const typeCode = Math.floor(random() * ALERT_TYPES.length);
  const row: NewAlertRow = {
    id: `alr_q${i.toString().padStart(5, '0')}`,
    alertType: ALERT_TYPES[typeCode]!,
    typeCode,
    status: pick(random, ALERT_STATUS_NAMES),
    severity: pick(random, SEVERITY_NAMES),
    confidence: 'low',
    version: 1,
    geometry: { type: 'Point', coordinates: [s.minLon, s.minLat] },
    lon: (s.minLon + s.maxLon) / 2,
    lat: (s.minLat + s.maxLat) / 2,
    minLon: s.minLon,
    minLat: s.minLat,
    maxLon: s.maxLon,
    maxLat: s.maxLat,
    radiusM: 10,
    extentAreaM2: 100,
    firstObservedAt: new Date(s.first),
    lastObservedAt: new Date(s.last),
    observationCount: 1,
    primaryKind: 'ir_hotspot',
    passKeys: [`p${i}`],
    sensorIds: ['ir-1'],
    sources: ['drone'],
    metrics: { maxTempC: 300 + i },
    severityReasons: [],
    outcomeLabel: null,
    duplicateOf: null,
    closedAt: null,
    createdAt: new Date(T0 + i),
    updatedAt: new Date(T0 + i),
  };
  const stored = w.repo.insertAlert(row);
  w.alerts.set(row.id, stored);
  const to = new Set<string>();
  for (const agencyId of w.agencies) if (random() < 0.4) to.add(agencyId);
  for (const agencyId of to)
    w.repo.addRoute({
      alertId: row.id,
      agencyId,
      kind: 'routed',
      reason: 'test',
      state: 'pending',
      dispatchedAt: new Date(T0),
      acknowledgedAt: null,
      reminderSentAt: null,
      escalatedAt: null,
      handedOverTo: null,
      handoverReason: null,
      rating: null,
      ratingNote: null,
    });
  w.routes.set(row.id, to);
}

/** Fusion grows an alert (box and span), the lifecycle changes status, and some are deleted. */
function churn(): void {
  const { random } = w;
  for (const a of [...w.alerts.values()]) {
    const roll = random();
    if (roll < 0.15) {
      const s = shape(random);
      const grown: AlertRow = {
        ...a,
        minLon: Math.min(a.minLon, s.minLon),
        minLat: Math.min(a.minLat, s.minLat),
        maxLon: Math.max(a.maxLon, s.maxLon),
        maxLat: Math.max(a.maxLat, s.maxLat),
        firstObservedAt: new Date(Math.min(a.firstObservedAt.getTime(), s.first)),
        lastObservedAt: new Date(Math.max(a.lastObservedAt.getTime(), s.last)),
        version: a.version + 1,
      };
      w.repo.growAlert(a.id, grown);
      w.alerts.set(a.id, grown);
    } else if (roll < 0.3) {
      const status = pick(random, ALERT_STATUS_NAMES);
      w.repo.setStatus(a.id, status);
      w.alerts.set(a.id, { ...a, status });
    } else if (roll < 0.35) {
      w.store.sqlite.prepare('DELETE FROM alerts WHERE id = ?').run(a.id);
      w.alerts.delete(a.id);
      w.routes.delete(a.id);
    }
  }
}

/** The same filters, applied row by row to what the store should hold, in `seq` order. */
function bruteForce(scope: Scope, f: AlertFilters): string[] {
  return [...w.alerts.values()]
    .filter((a) => {
      const to = w.routes.get(a.id)!;
      if (!scope.seesAll && !to.has(scope.agencyId)) return false;
      if (f.agencyId !== undefined && !to.has(f.agencyId)) return false;
      if (f.bbox) {
        const [minLon, minLat, maxLon, maxLat] = f.bbox;
        if (a.maxLon < minLon || a.minLon > maxLon || a.maxLat < minLat || a.minLat > maxLat)
          return false;
      }
      if (f.fromMs !== undefined && a.lastObservedAt.getTime() < f.fromMs) return false;
      if (f.toMs !== undefined && a.firstObservedAt.getTime() > f.toMs) return false;
      if (f.types && !f.types.some((t) => t.code === a.typeCode)) return false;
      if (f.statuses && !f.statuses.includes(a.status)) return false;
      if (f.severities && !f.severities.includes(a.severity)) return false;
      return true;
    })
    .sort((a, b) => a.seq - b.seq)
    .map((a) => a.id);
}

/** Every page of the list, following `afterSeq` from the last item of each page. */
function allPages(scope: Scope, f: AlertFilters, limit: number, repo = w.repo): string[] {
  const ids: string[] = [];
  let afterSeq: number | null = null;
  for (let n = 0; n < 1000; n++) {
    const page = repo.listAlerts(scope, f, { afterSeq, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((a) => a.id));
    if (page.nextCursor === null) return ids;
    expect(page.items.length).toBe(limit);
    afterSeq = page.items.at(-1)!.seq;
  }
  throw new Error('paging did not end');
}

/** A grid value, or a hair past it (inside the R*Tree's rounding and padding). */
function bound(random: () => number, gridValue: number, hair: number): number {
  const r = random();
  return r < 0.6 ? gridValue : r < 0.8 ? gridValue + hair : gridValue - hair;
}

function randomFilters(): AlertFilters {
  const { random } = w;
  const f: AlertFilters = {};
  if (random() < 0.8) {
    const a = shape(random);
    const b = shape(random);
    const minLon = bound(random, Math.min(a.minLon, b.minLon), 1e-9);
    const minLat = bound(random, Math.min(a.minLat, b.minLat), 1e-9);
    f.bbox = [
      minLon,
      minLat,
      Math.max(minLon, bound(random, Math.max(a.maxLon, b.maxLon), 1e-9)),
      Math.max(minLat, bound(random, Math.max(a.maxLat, b.maxLat), 1e-9)),
    ];
  }
  const t = shape(random);
  if (random() < 0.7) f.fromMs = bound(random, t.first, 1);
  if (random() < 0.7) f.toMs = Math.max(f.fromMs ?? 0, bound(random, t.last + 24 * HOUR_MS, 1));
  if (random() < 0.7) {
    const codes = [0, 1, 2, 3].filter(() => random() < 0.5);
    f.types = codes.map((code) => ({ code, name: ALERT_TYPES[code]! }));
  }
  if (random() < 0.2) f.statuses = ALERT_STATUS_NAMES.filter(() => random() < 0.5);
  if (random() < 0.2) f.severities = SEVERITY_NAMES.filter(() => random() < 0.5);
  if (random() < 0.15) f.agencyId = pick(random, w.agencies);
  return f;
}

function randomScope(): Scope {
  return w.random() < 0.25
    ? { agencyId: w.agencies[0]!, seesAll: true }
    : { agencyId: pick(w.random, w.agencies), seesAll: false };
}

beforeEach(() => {
  w = openWorld(20_260_402);
});
afterEach(() => {
  w.store.close();
  rmSync(w.dir, { recursive: true, force: true });
});

describe('the alert list against a brute-force filter', () => {
  it('returns exactly the matching alerts, in creation order, over every page (random alerts and filters)', () => {
    w.repo.inTransaction(() => {
      for (let i = 0; i < 500; i++) addAlert(i);
      churn();
    });
    // a cap of 5 R*Tree hits, always counted, sends most queries to the scan in seq order: both
    // plans are checked
    const capped = new AlertsRepository(w.store.db, w.store.sqlite, {
      treeHitCap: 5,
      smallBoxDeg2Days: -1,
    });
    let nonEmpty = 0;
    for (let q = 0; q < 150; q++) {
      const scope = randomScope();
      const f = randomFilters();
      const expected = bruteForce(scope, f);
      if (expected.length > 0) nonEmpty++;
      const limit = 1 + Math.floor(w.random() * 9);
      const what = JSON.stringify({ scope, f, limit });
      expect(allPages(scope, f, limit), what).toEqual(expected);
      expect(allPages(scope, f, limit, capped), `capped ${what}`).toEqual(expected);
    }
    // the check means something only if many queries find alerts
    expect(nonEmpty).toBeGreaterThan(60);
  });

  it('counts a box that touches the query bbox on any side, and nothing a hair beyond', () => {
    addAlert(0);
    const a = [...w.alerts.values()][0]!;
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: true };
    const ids = (bbox: [number, number, number, number]) =>
      w.repo.listAlerts(scope, { bbox }, { afterSeq: null, limit: 10 }).items.map((r) => r.id);
    const d = 0.01;
    // the query box ends exactly where the alert's box begins (west, south), or begins where it ends
    expect(ids([a.minLon - d, a.minLat - d, a.minLon, a.minLat])).toEqual([a.id]);
    expect(ids([a.maxLon, a.maxLat, a.maxLon + d, a.maxLat + d])).toEqual([a.id]);
    // 1e-9 degrees (0.1 mm) apart: inside the R*Tree's 32-bit rounding and 1e-5 padding
    expect(ids([a.minLon - d, a.minLat - d, a.minLon - 1e-9, a.maxLat])).toEqual([]);
    expect(ids([a.maxLon + 1e-9, a.minLat, a.maxLon + d, a.maxLat])).toEqual([]);
    expect(ids([a.minLon, a.maxLat + 1e-9, a.maxLon, a.maxLat + d])).toEqual([]);
    // a query box that is one point on the alert's edge
    expect(ids([a.maxLon, a.minLat, a.maxLon, a.minLat])).toEqual([a.id]);
  });

  it('takes both time bounds inclusively: observed spans that meet [from, to] at one millisecond count', () => {
    addAlert(0);
    const a = [...w.alerts.values()][0]!;
    const first = a.firstObservedAt.getTime();
    const last = a.lastObservedAt.getTime();
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: true };
    const ids = (fromMs?: number, toMs?: number) =>
      w.repo
        .listAlerts(
          scope,
          { ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }) },
          { afterSeq: null, limit: 10 },
        )
        .items.map((r) => r.id);
    expect(ids(last)).toEqual([a.id]);
    expect(ids(last + 1)).toEqual([]);
    expect(ids(undefined, first)).toEqual([a.id]);
    expect(ids(undefined, first - 1)).toEqual([]);
    expect(ids(last, last + HOUR_MS)).toEqual([a.id]);
    expect(ids(first - HOUR_MS, first)).toEqual([a.id]);
    expect(ids(first - HOUR_MS, first - 1)).toEqual([]);
    // within the R*Tree's one-minute padding, still exact
    expect(ids(last + ALERT_RTREE.padMs / 2)).toEqual([]);
  });

  it('refuses a bbox across the antimeridian (minLon > maxLon) and an inverted one', () => {
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: true };
    const page = { afterSeq: null, limit: 10 };
    expect(() => w.repo.listAlerts(scope, { bbox: [179, 10, -179, 11] }, page)).toThrow(
      /bbox \[179, 10, -179, 11\]: expected minLon <= maxLon/,
    );
    expect(() => w.repo.listAlerts(scope, { bbox: [10, 11, 11, 10] }, page)).toThrow(RangeError);
    expect(() => w.repo.listAlerts(scope, { bbox: [10, Number.NaN, 11, 10] }, page)).toThrow(
      RangeError,
    );
  });

  it('matches nothing for an empty list of types, statuses or severities', () => {
    w.repo.inTransaction(() => {
      for (let i = 0; i < 20; i++) addAlert(i);
    });
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: true };
    const page = { afterSeq: null, limit: 50 };
    expect(w.repo.listAlerts(scope, {}, page).items).toHaveLength(20);
    expect(w.repo.listAlerts(scope, { types: [] }, page).items).toEqual([]);
    expect(w.repo.listAlerts(scope, { statuses: [] }, page).items).toEqual([]);
    expect(w.repo.listAlerts(scope, { severities: [] }, page).items).toEqual([]);
  });

  it('never shows an agency an alert that is not routed or shared to it, whatever the filters', () => {
    w.repo.inTransaction(() => {
      for (let i = 0; i < 300; i++) addAlert(i);
    });
    for (const agencyId of w.agencies) {
      const scope: Scope = { agencyId, seesAll: false };
      for (let q = 0; q < 20; q++) {
        const f = randomFilters();
        for (const a of w.repo.listAlerts(scope, f, { afterSeq: null, limit: 500 }).items)
          expect(w.routes.get(a.id)!.has(agencyId), `${a.id} shown to ${agencyId}`).toBe(true);
      }
      // asking for another agency's alerts answers only those shared with the caller too
      const other = w.agencies.find((id) => id !== agencyId)!;
      const both = w.repo.listAlerts(scope, { agencyId: other }, { afterSeq: null, limit: 500 });
      expect(both.items.map((a) => a.id)).toEqual(
        bruteForce(scope, { agencyId: other }).slice(0, 500),
      );
      expect(both.items.every((a) => w.routes.get(a.id)!.has(other))).toBe(true);
    }
  });
});

describe('the alert R*Tree', () => {
  it('holds one box per alert that contains its exact box, span and type after inserts, growth and deletes', () => {
    w.repo.inTransaction(() => {
      for (let i = 0; i < 300; i++) addAlert(i);
      churn();
    });
    const boxes = w.store.sqlite
      .prepare(
        'SELECT r.*, a.min_lon AS a_min_lon, a.max_lon AS a_max_lon, a.min_lat AS a_min_lat, a.max_lat AS a_max_lat, a.first_observed_at, a.last_observed_at, a.type_code FROM alerts_rtree r LEFT JOIN alerts a ON a.seq = r.seq',
      )
      .all() as Record<string, number | null>[];
    expect(boxes).toHaveLength(w.alerts.size);
    const unit = ALERT_RTREE.timeUnitMs;
    for (const b of boxes) {
      expect(b.a_min_lon, `R*Tree entry ${b.seq} without an alert`).not.toBeNull();
      expect(b.min_lon!).toBeLessThan(b.a_min_lon!);
      expect(b.max_lon!).toBeGreaterThan(b.a_max_lon!);
      expect(b.min_lat!).toBeLessThan(b.a_min_lat!);
      expect(b.max_lat!).toBeGreaterThan(b.a_max_lat!);
      expect(b.min_t!).toBeLessThan(b.first_observed_at! / unit);
      expect(b.max_t!).toBeGreaterThan(b.last_observed_at! / unit);
      expect([b.min_type, b.max_type]).toEqual([b.type_code, b.type_code! + ALERT_RTREE.typeWidth]);
    }
  });

  it('scans rows in seq order when there is no bbox and no time bound, or when the R*Tree would answer too much', () => {
    addAlert(0);
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: true };
    const typeOnly = w.repo.listPlan(scope, { types: [{ code: 1, name: 'flood' }] });
    expect(typeOnly.some((d) => d.includes('VIRTUAL TABLE'))).toBe(false);
    const f: AlertFilters = { bbox: [100, 20, 130, 40] };
    expect(w.repo.listPlan(scope, f).some((d) => d.includes('VIRTUAL TABLE'))).toBe(true);
    const capped = new AlertsRepository(w.store.db, w.store.sqlite, {
      treeHitCap: 1,
      smallBoxDeg2Days: -1,
    });
    expect(capped.listPlan(scope, f).some((d) => d.includes('VIRTUAL TABLE'))).toBe(false);
    // a small box (area × days) is not counted first: the R*Tree drives whatever the cap
    const small: AlertFilters = {
      bbox: [119.7, 30.3, 119.8, 30.4],
      fromMs: T0,
      toMs: T0 + 86_400_000,
    };
    const cappedCounting = new AlertsRepository(w.store.db, w.store.sqlite, { treeHitCap: 1 });
    expect(cappedCounting.listPlan(scope, small).some((d) => d.includes('VIRTUAL TABLE'))).toBe(
      true,
    );
    expect(cappedCounting.listPlan(scope, f).some((d) => d.includes('VIRTUAL TABLE'))).toBe(false);
  });

  it('drives the list: the plan scans the R*Tree and reaches alerts by primary key', () => {
    addAlert(0);
    const scope: Scope = { agencyId: w.agencies[0]!, seesAll: false };
    const f: AlertFilters = {
      bbox: [119, 30, 120, 31],
      fromMs: T0,
      toMs: T0 + 86_400_000,
      types: [
        { code: 0, name: 'fire' },
        { code: 2, name: 'illegal_logging' },
      ],
    };
    w.repo.listAlerts(scope, f, { afterSeq: null, limit: 10 });
    const plan = w.repo.listPlan(scope, f);
    expect(plan.filter((d) => d.startsWith('SCAN r VIRTUAL TABLE'))).toHaveLength(2);
    expect(plan).toContain('SEARCH a USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan.some((d) => d.includes('alerts_type_time_idx'))).toBe(false);
    // the hits come sorted by seq (one sort per type run, merged), so the page needs no sort of rows
    expect(plan.filter((d) => d === 'USE TEMP B-TREE FOR ORDER BY')).toHaveLength(2);
    expect(plan.at(-1)).not.toBe('USE TEMP B-TREE FOR ORDER BY');
  });
});
