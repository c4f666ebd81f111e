// Of two open alerts equally near a detection, the oldest (created first) absorbs it, whatever
// order the R*Tree returns them in. Built through POST /v1/detections on a migrated database:
// two fire alerts on the same spot that fusion's time window keeps apart (7 h between them,
// window 6 h), then one of them grown (its R*Tree entry moves behind the other's), then a
// detection half-way in time on the same spot (distance 0 to both, within both windows).
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../src/services/alerts/alert-model';
import { createLocalFrame, DEFAULT_RULES } from '../../src/services/alerts/index';
import { at, hotspot, T0 } from './fixtures';
import { createAlertsWorld, ingest, type AlertsWorld } from './http-setup';

const HOUR_MS = 3_600_000;
let w: AlertsWorld | undefined;
afterEach(() => {
  w?.service.stop();
  w?.t.close();
  w = undefined;
});

/** Posts one hotspot at `(eastM, northM)` captured at `atMs`; answers its processed result. */
async function detect(world: AlertsWorld, atMs: number, passId: string, eastM = 0, northM = 0) {
  const res = await ingest(world, [hotspot({ atMs, passId, eastM, northM })]);
  expect(res.status).toBe(202);
  return res.body.results[0] as { outcome: string; alertId?: string };
}

/** The open fire alerts near the origin in the order the R*Tree returns them (fusion's order). */
function treeOrder(world: AlertsWorld, fromMs: number, toMs: number): string[] {
  const frame = createLocalFrame(at(0, 0));
  const box = (m: number): [number, number, number, number] => {
    const [lon, lat] = at(0, 0);
    return [
      lon - m / frame.mPerDegLon,
      lat - m / frame.mPerDegLat,
      lon + m / frame.mPerDegLon,
      lat + m / frame.mPerDegLat,
    ];
  };
  return world.service.alerts
    .fusionCandidateRefs(
      ALERT_TYPES.indexOf('fire'),
      box(5000),
      box(1000),
      { lon: frame.mPerDegLon, lat: frame.mPerDegLat },
      fromMs,
      toMs,
    )
    .map((r) => r.id);
}

describe('fusion between equally near alerts', () => {
  expect(DEFAULT_RULES.fire.fusionWindowMs).toBe(6 * HOUR_MS);

  for (const grown of ['older', 'younger'] as const) {
    for (const observedFirst of ['older', 'younger'] as const) {
      it(`gives the detection to the alert created first (${grown} one grown last, ${observedFirst} one observed first)`, async () => {
        w = createAlertsWorld(T0 + 12 * HOUR_MS);
        // capture times: the older alert's detection arrives first, whatever it saw
        const olderAtMs = observedFirst === 'older' ? T0 : T0 + 7 * HOUR_MS;
        const youngerAtMs = observedFirst === 'older' ? T0 + 7 * HOUR_MS : T0;
        const older = await detect(w, olderAtMs, 'p1');
        const younger = await detect(w, youngerAtMs, 'p2');
        expect(older.outcome).toBe('created');
        expect(younger.outcome).toBe('created');
        expect(younger.alertId).not.toBe(older.alertId);

        // a second look 5 min later grows one of them (and only it: the other is 6 h 55 min away)
        const grownAtMs = (grown === 'older' ? olderAtMs : youngerAtMs) + 5 * 60_000;
        const growth = await detect(w, grownAtMs, 'p3');
        expect(growth).toMatchObject({
          outcome: 'merged',
          alertId: grown === 'older' ? older.alertId : younger.alertId,
        });

        // the layout this case is about: the grown alert's entry now comes second
        const tieAtMs = T0 + 3.5 * HOUR_MS;
        const order = treeOrder(w, tieAtMs - 6 * HOUR_MS, tieAtMs + 6 * HOUR_MS);
        expect(order).toEqual(
          grown === 'older' ? [younger.alertId, older.alertId] : [older.alertId, younger.alertId],
        );

        const tie = await detect(w, tieAtMs, 'p4');
        expect(tie).toMatchObject({ outcome: 'merged', alertId: older.alertId });
      });
    }
  }

  it('still gives a detection to the nearer alert when the younger one is nearer by 1 cm', async () => {
    w = createAlertsWorld(T0 + 12 * HOUR_MS);
    const older = await detect(w, T0, 'p1', 0, 0);
    const younger = await detect(w, T0 + 7 * HOUR_MS, 'p2', 60, 0);
    expect(younger.alertId).not.toBe(older.alertId);
    // the footprints are equal squares (a few metres) around their centres: one seen 1 cm east
    // of half-way lies 2 cm nearer to the younger alert's square than to the older one's
    const near = await detect(w, T0 + 3.5 * HOUR_MS, 'p3', 30.01, 0);
    expect(near).toMatchObject({ outcome: 'merged', alertId: younger.alertId });
  });
});
