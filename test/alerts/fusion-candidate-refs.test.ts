// Fusion reads 9 columns per candidate (fusionCandidateRefs) where it read whole rows
// (fusionCandidates): the same alerts must come back, in the same order, with the same values
// (the creation order `seq` too: of equally near alerts the oldest wins).
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../src/services/alerts/alert-model';
import { seededRandom } from '../../missions/index';
import { createLocalFrame, detectionBatchSchema } from '../../src/services/alerts/index';
import { at, T0 } from './fixtures';
import { patrolBatch, processingWorld, type ProcessingWorld } from './processing-world';

let w: ProcessingWorld | undefined;
afterEach(() => w?.close());

describe('fusion candidate refs', () => {
  it('name the same alerts as the whole-row search, in the same order, with the same values', async () => {
    w = processingWorld({ webhooks: false });
    const random = seededRandom(31);
    w.service.pauseProcessing();
    for (let n = 0; n < 8; n++) {
      const { detections } = detectionBatchSchema.parse({ detections: patrolBatch(n, random) });
      w.service.acceptBatch(w.actor, detections, `refs-${n}`);
    }
    w.service.resumeProcessing();
    await w.service.whenIdle();
    const repo = w.service.alerts;
    let compared = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 400; i++) {
      const centre = at(random() * 20_000 - 10_000, random() * 20_000 - 10_000);
      const frame = createLocalFrame(centre);
      const box = (m: number): [number, number, number, number] => [
        centre[0] - m / frame.mPerDegLon,
        centre[1] - m / frame.mPerDegLat,
        centre[0] + m / frame.mPerDegLon,
        centre[1] + m / frame.mPerDegLat,
      ];
      const reachM = 100 + random() * 2000;
      const code = i % ALERT_TYPES.length;
      const fromMs = T0 - random() * 3_600_000;
      const toMs = T0 + random() * 3_600_000;
      const args = [
        code,
        box(reachM + 1500),
        box(reachM),
        { lon: frame.mPerDegLon, lat: frame.mPerDegLat },
        fromMs,
        toMs,
      ] as const;
      const whole = repo.fusionCandidates(...args);
      const refs = repo.fusionCandidateRefs(...args);
      expect(refs.map((r) => r.id)).toEqual(whole.map((a) => a.id));
      for (const [k, r] of refs.entries()) {
        const a = whole[k]!;
        expect(r).toEqual({
          seq: a.seq,
          id: a.id,
          alertType: a.alertType,
          version: a.version,
          status: a.status,
          firstObservedAtMs: a.firstObservedAt.getTime(),
          lastObservedAtMs: a.lastObservedAt.getTime(),
          radiusM: a.radiusM,
          geometryJson: JSON.stringify(a.geometry),
        });
      }
      compared++;
      if (refs.length > 1) nonEmpty++;
    }
    expect(compared).toBe(400);
    expect(nonEmpty).toBeGreaterThan(50);
  });
});
