// The webhook worker sends a pass of due deliveries at once and writes the results that arrive
// together in one transaction: every attempt is still sent once and recorded once.
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../missions/index';
import { detectionBatchSchema } from '../../src/services/alerts/index';
import { patrolBatch, processingWorld, type ProcessingWorld } from './processing-world';

let w: ProcessingWorld | undefined;
afterEach(() => w?.close());

describe('webhook worker passes', () => {
  it('sends each due delivery once and records each answer: 2xx delivered, 503 retried later', async () => {
    const sent = new Map<string, number>();
    let calls = 0;
    // the receiver refuses every third message; answers arrive over several ticks, some together
    w = processingWorld({
      fetchFn: (_url, init) => {
        const id = new Headers(init?.headers).get('webhook-id') ?? '?';
        sent.set(id, (sent.get(id) ?? 0) + 1);
        const status = calls++ % 3 === 2 ? 503 : 204;
        return new Promise((resolve) =>
          setTimeout(() => resolve(new Response(null, { status })), calls % 4),
        );
      },
    });
    w.service.pauseProcessing();
    for (let n = 0; n < 3; n++) {
      const { detections } = detectionBatchSchema.parse({
        detections: patrolBatch(n, seededRandom(n)),
      });
      w.service.acceptBatch(w.actor, detections, `pass-test-${n}`);
    }
    w.service.resumeProcessing();
    await w.service.whenIdle();
    await w.service.deliverDueWebhooks();
    const rows = w.store.sqlite
      .prepare(
        'SELECT message_id, state, attempts, last_status, next_attempt_at, delivered_at FROM webhook_deliveries',
      )
      .all() as {
      message_id: string;
      state: string;
      attempts: number;
      last_status: number | null;
      next_attempt_at: number;
      delivered_at: number | null;
    }[];
    expect(rows.length).toBeGreaterThan(100);
    expect(sent.size).toBe(rows.length);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    for (const r of rows) {
      expect(sent.get(r.message_id)).toBe(1);
      expect(r.attempts).toBe(1);
      if (r.last_status === 204) {
        expect(r.state).toBe('delivered');
        expect(r.delivered_at).toBe(w.clock.ms);
      } else {
        expect(r.last_status).toBe(503);
        expect(r.state).toBe('pending');
        expect(r.next_attempt_at).toBeGreaterThan(w.clock.ms);
      }
    }
    const retried = rows.filter((r) => r.last_status === 503).length;
    expect(retried).toBe(Math.floor(rows.length / 3));
  });
});
