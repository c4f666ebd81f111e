// GET /v1/alerts over random alerts routed to forestry and water: every page of a bbox + time +
// type query, followed by its cursor, answers exactly what a brute-force filter over the same
// alerts and routes answers for the calling agency, and nothing of another agency's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_TYPES, type AlertRow } from '../../db/index';
import { call, createAlertsWorld, type AlertsWorld } from './http-setup';
import { seededRandom as seeded } from '../../missions/index';

const T0 = Date.parse('2026-04-02T00:00:00Z');
const HOUR_MS = 3_600_000;

let w: AlertsWorld;
beforeEach(() => {
  w = createAlertsWorld();
});
afterEach(() => {
  w.service.stop();
  w.t.close();
});

/** 300 alerts on a 0.001° grid over 5 days; each routed to forestry, water, both or neither. */
function seedAlerts(random: () => number): { rows: AlertRow[]; routes: Map<string, string[]> } {
  const repo = w.service.alerts;
  const rows: AlertRow[] = [];
  const routes = new Map<string, string[]>();
  repo.inTransaction(() => {
    for (let i = 0; i < 300; i++) {
      const minLon = 119.7 + Math.floor(random() * 30) * 0.001;
      const minLat = 30.3 + Math.floor(random() * 30) * 0.001;
      const size = Math.floor(random() * 3) * 0.001;
      const first = T0 + Math.floor(random() * 120) * HOUR_MS;
      const typeCode = Math.floor(random() * ALERT_TYPES.length);
      const row = repo.insertAlert({
        id: `alr_h${i.toString().padStart(4, '0')}`,
        alertType: ALERT_TYPES[typeCode]!,
        typeCode,
        status: 'dispatched',
        severity: 'medium',
        confidence: 'low',
        version: 1,
        geometry: { type: 'Point', coordinates: [minLon, minLat] },
        lon: minLon,
        lat: minLat,
        minLon,
        minLat,
        maxLon: minLon + size,
        maxLat: minLat + size,
        radiusM: 5,
        extentAreaM2: 0,
        firstObservedAt: new Date(first),
        lastObservedAt: new Date(first + Math.floor(random() * 3) * HOUR_MS),
        observationCount: 1,
        primaryKind: 'ir_hotspot',
        passKeys: [],
        sensorIds: [],
        sources: ['drone'],
        metrics: {},
        severityReasons: [],
        outcomeLabel: null,
        duplicateOf: null,
        closedAt: null,
        createdAt: new Date(T0 + i),
        updatedAt: new Date(T0 + i),
      });
      const to = [w.ids.forestry, w.ids.water].filter(() => random() < 0.5);
      for (const agencyId of to)
        repo.addRoute({
          alertId: row.id,
          agencyId,
          kind: 'routed',
          reason: 'test',
          state: 'pending',
          dispatchedAt: new Date(first),
          acknowledgedAt: null,
          reminderSentAt: null,
          escalatedAt: null,
          handedOverTo: null,
          handoverReason: null,
          rating: null,
          ratingNote: null,
        });
      rows.push(row);
      routes.set(row.id, to);
    }
  });
  return { rows, routes };
}

async function everyPage(key: string, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 200; n++) {
    const res = await call(
      w.t,
      'GET',
      `/v1/alerts?${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      { key },
    );
    expect(res.status, res.text).toBe(200);
    ids.push(...(res.body.items as { id: string }[]).map((a) => a.id));
    cursor = res.body.nextCursor as string | null;
    if (cursor === null) return ids;
  }
  throw new Error('paging did not end');
}

describe('GET /v1/alerts against a brute-force filter', () => {
  it('pages through exactly the caller’s matching alerts, bounds inclusive, for forestry and water', async () => {
    const random = seeded(6);
    const { rows, routes } = seedAlerts(random);
    let nonEmpty = 0;
    for (let q = 0; q < 12; q++) {
      const minLon = 119.7 + Math.floor(random() * 20) * 0.001;
      const minLat = 30.3 + Math.floor(random() * 20) * 0.001;
      const bbox = [minLon, minLat, minLon + 0.01, minLat + 0.01];
      const fromMs = T0 + Math.floor(random() * 100) * HOUR_MS;
      const toMs = fromMs + 24 * HOUR_MS;
      const types = ALERT_TYPES.filter(() => random() < 0.5);
      const query = [
        `bbox=${bbox.join(',')}`,
        `from=${new Date(fromMs).toISOString()}`,
        `to=${new Date(toMs).toISOString()}`,
        ...(types.length > 0 ? [`type=${types.join(',')}`] : []),
      ].join('&');
      for (const [key, agencyId] of [
        [w.keys.forestry, w.ids.forestry],
        [w.keys.water, w.ids.water],
      ] as const) {
        const expected = rows
          .filter(
            (a) =>
              routes.get(a.id)!.includes(agencyId) &&
              a.maxLon >= bbox[0]! &&
              a.minLon <= bbox[2]! &&
              a.maxLat >= bbox[1]! &&
              a.minLat <= bbox[3]! &&
              a.lastObservedAt.getTime() >= fromMs &&
              a.firstObservedAt.getTime() <= toMs &&
              (types.length === 0 || types.includes(a.alertType)),
          )
          .map((a) => a.id);
        if (expected.length > 0) nonEmpty++;
        expect(await everyPage(key, query), query).toEqual(expected);
      }
    }
    expect(nonEmpty).toBeGreaterThan(8);
  });

  it('answers 400 for a bbox across the antimeridian and shows an agency none of the alerts it was not sent', async () => {
    const { routes } = seedAlerts(seeded(7));
    const res = await call(w.t, 'GET', '/v1/alerts?bbox=179.5,10,-179.5,11', {
      key: w.keys.forestry,
    });
    expect(res.status).toBe(400);
    const seen = await everyPage(w.keys.elsewhere, 'bbox=119,30,121,31');
    expect(seen).toEqual([]);
    const forestry = await everyPage(w.keys.forestry, 'bbox=119,30,121,31');
    expect(forestry.length).toBeGreaterThan(0);
    for (const id of forestry) expect(routes.get(id)).toContain(w.ids.forestry);
  });
});
