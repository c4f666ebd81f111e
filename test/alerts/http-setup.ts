// A test app with the Yuhang agencies set up: forestry and water with jurisdictions around the
// origin, emergency management everywhere, a forestry bureau far away, and the utility.
import { alertsServiceFor } from '../../src/routes/alerts/alerts-context';
import { call, createTestApp, type TestApp } from '../support/test-app';
import { square } from './fixtures';

export interface AlertsWorld {
  t: TestApp;
  clock: { ms: number };
  keys: {
    utilityAdmin: string;
    operator: string;
    forestry: string;
    forestryAnalyst: string;
    water: string;
    emergency: string;
    elsewhere: string;
  };
  ids: { forestry: string; water: string; emergency: string; elsewhere: string; utility: string };
  service: ReturnType<typeof alertsServiceFor>;
}

export function createAlertsWorld(
  startMs = Date.parse('2026-04-02T03:05:00Z'),
  env: Record<string, string> = {},
): AlertsWorld {
  const clock = { ms: startMs };
  const t = createTestApp({ env, now: () => new Date(clock.ms) });
  const keys = {
    utilityAdmin: t.key('State Grid Yuhang', 'utility', 'admin'),
    operator: t.key('State Grid Yuhang', 'utility', 'operator'),
    forestry: t.key('Yuhang Forestry', 'forestry', 'operator'),
    forestryAnalyst: t.key('Yuhang Forestry', 'forestry', 'analyst'),
    water: t.key('Yuhang Water', 'water', 'operator'),
    emergency: t.key('Yuhang Emergency', 'emergency', 'operator'),
    elsewhere: t.key('Lin’an Forestry', 'forestry', 'admin'),
  };
  const ids = {
    forestry: t.agencyId('Yuhang Forestry'),
    water: t.agencyId('Yuhang Water'),
    emergency: t.agencyId('Yuhang Emergency'),
    elsewhere: t.agencyId('Lin’an Forestry'),
    utility: t.agencyId('State Grid Yuhang'),
  };
  const now = new Date(clock.ms);
  const polygon = (e: number, n: number, size: number) => ({
    type: 'Polygon' as const,
    coordinates: [square(e, n, size)],
  });
  t.deps.repos.agencies.update(ids.forestry, { jurisdiction: polygon(-3000, -3000, 6000) }, now);
  t.deps.repos.agencies.update(ids.water, { jurisdiction: polygon(-3000, -3000, 6000) }, now);
  t.deps.repos.agencies.update(ids.elsewhere, { jurisdiction: polygon(50_000, 50_000, 6000) }, now);
  return { t, clock, keys, ids, service: alertsServiceFor(t.deps) };
}

/** `POST /v1/detections` as the utility's operator: the acceptance answer (202, outcomes pending). */
export async function post(
  w: AlertsWorld,
  detections: unknown[],
  headers: Record<string, string> = {},
) {
  return call(w.t, 'POST', '/v1/detections', {
    key: w.keys.operator,
    json: { detections },
    headers,
  });
}

/**
 * Posts a batch, waits until the service has processed it, and answers the processed batch
 * (`GET statusUrl`) as `body`; `accepted` is the 202 answer. Errors come back as they were.
 */
export async function ingest(
  w: AlertsWorld,
  detections: unknown[],
  headers: Record<string, string> = {},
) {
  const res = await post(w, detections, headers);
  if (res.status !== 202) return { ...res, accepted: res.body };
  await w.service.whenIdle();
  const done = await call(w.t, 'GET', res.body.statusUrl as string, { key: w.keys.operator });
  if (done.status !== 200 || done.body.status !== 'processed')
    throw new Error(`batch not processed: ${done.status} ${done.text}`);
  return { ...res, accepted: res.body, body: done.body };
}

export { call };
