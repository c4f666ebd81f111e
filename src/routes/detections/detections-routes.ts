import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-api-key';
import type { AppDeps } from '../../http/app-env';
import { createRouter, errorResponses, requireContentType, security } from '../../http/router';
import { detectionBatchSchema } from '../../services/alerts/detection-schema';
import { actorOf, alertsServiceFor } from '../alerts/alerts-context';

const resultSchema = z.object({
  index: z.number().int(),
  detectionId: z.string(),
  outcome: z.enum(['created', 'merged', 'suppressed', 'below_threshold', 'rejected']),
  alertId: z.string().optional(),
  reason: z.string().optional(),
});

const ingestResponse = z
  .object({ batchId: z.string(), results: z.array(resultSchema) })
  .openapi('DetectionBatchResult');

const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: 'Same key and body → the earlier answer; same key, other body → 422.',
    }),
});

/** `POST /v1/detections`: batches of payload detections, idempotent, durable before the answer. */
export function createDetectionsRoutes(deps: AppDeps) {
  const app = createRouter();
  app.use('/', requireRole('admin', 'operator'));
  app.post('/', requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['detections'],
      summary: 'Ingest a batch of detections (admin, operator)',
      description:
        "Kinds: `ir_hotspot` (pose, camera, pixel centroid/box, temperatures: georeferenced on the ground with an error estimate), `ir_water_plume`, `lidar_canopy_change`, `water_level`. The batch is one transaction, committed durably before the answer. Idempotent by the `Idempotency-Key` header or by each item's `clientKey`.",
      security,
      request: {
        headers: idempotencyHeader,
        body: { content: { 'application/json': { schema: detectionBatchSchema } }, required: true },
      },
      responses: {
        200: {
          description:
            'What the rules made of each detection (a replay answers the same, with `Idempotent-Replayed: true`)',
          content: { 'application/json': { schema: ingestResponse } },
        },
        ...errorResponses(400, 403, 413, 415, 422),
      },
    }),
    (c) => {
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const { response, replayed } = alertsServiceFor(deps).ingestBatch(
        actorOf(c.get('auth')),
        body.detections,
        body.detections,
        key,
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(response, 200);
    },
  );
  return app;
}
