// A seeded detection stream and the world it lands in, shared by the processing benchmark and
// the differential test: patrol batches (fires seen again pass after pass, cool spots, canopy
// changes, plumes, water levels) over agencies with jurisdictions, a village and a power line
// (severity, the utility's routes) and a suppressed kiln.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRepositories, openDatabase, type Database_ } from '../../db/index';
import { createLogger } from '../../src/logger';
import { AlertsService, type Actor } from '../../src/services/alerts/alerts-service';
import type { Detection } from '../../src/services/alerts/index';
import { at, canopyChange, hotspot, plume, square, T0, waterLevel } from './fixtures';

export const silentLogger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

export interface ProcessingWorld {
  dir: string;
  store: Database_;
  service: AlertsService;
  actor: Actor;
  clock: { ms: number };
  ids: { utility: string; forestry: string; water: string; emergency: string };
  close(): void;
}

const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties, geometry }],
});

/**
 * A fresh migrated database with four agencies (forestry and water over 40 km around the
 * origin, emergency everywhere, the utility), a village, a power line of the utility, a kiln
 * suppression, and a webhook endpoint of the forestry bureau whose deliveries answer 204.
 */
export function processingWorld(
  options: { webhooks?: boolean; fetchFn?: typeof fetch } = {},
): ProcessingWorld {
  const dir = mkdtempSync(join(tmpdir(), 'sf-alerts-processing-'));
  const store = openDatabase(join(dir, 'alerts.db'));
  const repos = createRepositories(store.db);
  const t = new Date(T0);
  const jurisdiction = {
    type: 'Polygon' as const,
    coordinates: [square(-20_000, -20_000, 40_000)],
  };
  const made = [
    repos.agencies.create(
      { name: 'State Grid Yuhang', kind: 'utility', jurisdiction: null, alertTypes: [] },
      t,
    ),
    repos.agencies.create(
      { name: 'Yuhang Forestry', kind: 'forestry', jurisdiction, alertTypes: [] },
      t,
    ),
    repos.agencies.create({ name: 'Yuhang Water', kind: 'water', jurisdiction, alertTypes: [] }, t),
    repos.agencies.create(
      { name: 'Yuhang Emergency', kind: 'emergency', jurisdiction: null, alertTypes: [] },
      t,
    ),
  ];
  const [utility, forestry, water, emergency] = made.map((a) => {
    if (a === 'name_taken') throw new Error('fresh database expected');
    return a.id;
  }) as [string, string, string, string];
  const area = (name: string, geometry: unknown, asset: string, agencyId: string) =>
    repos.areas.create(
      {
        name,
        kind: 'points',
        geojson: feature(geometry, { asset }),
        properties: { asset },
        areaM2: 0,
        lengthM: 0,
        vertexCount: 0,
        bbox: [0, 0, 0, 0],
      },
      { agencyId, actor: 'test' },
      t,
    );
  area(
    'Jingshan village',
    { type: 'Polygon', coordinates: [square(-2000, -2000, 1500)] },
    'village',
    forestry,
  );
  area(
    'Line 220 kV',
    { type: 'LineString', coordinates: [at(-9000, 3000), at(9000, 3600)] },
    'power_line',
    utility,
  );
  const clock = { ms: T0 };
  const service = new AlertsService({
    store,
    now: () => new Date(clock.ms),
    logger: silentLogger,
    background: false,
    fetchFn: options.fetchFn ?? (() => Promise.resolve(new Response(null, { status: 204 }))),
  });
  service.config.insertSuppression({
    id: 'sup_kiln',
    agencyId: forestry,
    kind: 'kiln',
    name: 'Brick kiln',
    geometry: { type: 'Point', coordinates: at(4500, -4500) },
    radiusM: 120,
    alertTypes: ['fire'],
    validFrom: null,
    validUntil: null,
    note: 'brick kiln',
    createdBy: forestry,
    createdAt: t,
  });
  if (options.webhooks ?? true)
    service.webhooks.insertEndpoint({
      id: 'whk_forestry',
      agencyId: forestry,
      url: 'http://127.0.0.1:9/hook',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      eventTypes: [],
      enabled: true,
      disabledReason: null,
      createdAt: t,
      updatedAt: t,
    });
  return {
    dir,
    store,
    service,
    actor: { agencyId: utility, keyId: 'test', seesAll: true },
    clock,
    ids: { utility, forestry, water, emergency },
    close() {
      service.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Patrol batch `n` of 100 detections, a minute after batch `n - 1`: 60 frames of 10 of 400 fire
 * sites (900 m apart), 20 cool spots (below threshold), 8 canopy changes, 8 plumes, 2 water
 * levels, 2 hotspots at the kiln (suppressed).
 */
export function patrolBatch(n: number, random: () => number): Detection[] {
  const out: Detection[] = [];
  const atMs = T0 + n * 60_000;
  for (let i = 0; i < 60; i++) {
    const fire = (n * 7 + (i % 10)) % 400;
    out.push(
      hotspot({
        eastM: (fire % 20) * 900 - 9000 + random() * 20,
        northM: Math.floor(fire / 20) * 900 - 9000,
        atMs,
        passId: `p${n}`,
        sensorId: i % 3 === 0 ? 'ir-2' : 'ir-1',
        maxTempC: 120 + random() * 300,
        hotPixelCount: 200 + Math.floor(random() * 4000),
      }),
    );
  }
  for (let i = 0; i < 20; i++)
    out.push(
      hotspot({
        eastM: random() * 18_000 - 9000,
        northM: random() * 18_000 - 9000,
        atMs,
        maxTempC: 35,
        ambientTempC: 22,
      }),
    );
  for (let i = 0; i < 8; i++)
    out.push(
      canopyChange(random() * 18_000 - 9000, random() * 18_000 - 9000, 20 + random() * 40, atMs),
    );
  for (let i = 0; i < 8; i++)
    out.push(plume(random() * 18_000 - 9000, random() * 18_000 - 9000, 2 + random() * 10, atMs));
  for (let i = 0; i < 2; i++)
    out.push(waterLevel(random() * 18_000 - 9000, random() * 18_000 - 9000, random() * 2, atMs));
  for (let i = 0; i < 2; i++)
    out.push(hotspot({ eastM: 4500 + random() * 40, northM: -4500, atMs, passId: `p${n}` }));
  return out;
}
