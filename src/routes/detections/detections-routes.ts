import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth/require-api-key';
import type { AppDeps } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  requireContentType,
  security,
} from '../../http/router';
import { DETECTION_OUTCOMES } from '../../services/alerts/alerts-service';
import { detectionBatchSchema } from '../../services/alerts/detection-schema';
import { actorOf, alertsServiceFor } from '../alerts/alerts-context';

const outcomeSchema = z.enum(DETECTION_OUTCOMES).openapi({
  description:
    '`pending` until the rules have run; then `created` / `merged` (with `alertId`), `suppressed` / `below_threshold` (with `reason`), `rejected` (georeferencing failed) or `failed` (an internal error, logged).',
});

const resultSchema = z.object({
  index: z.number().int(),
  detectionId: z.string(),
  outcome: outcomeSchema,
  alertId: z.string().optional(),
  reason: z.string().optional(),
});

const acceptedSchema = z
  .object({
    batchId: z.string(),
    status: z.enum(['pending', 'processed']),
    statusUrl: z.string().openapi({ example: '/v1/detections/batches/batch_Xy3…' }),
    results: z.array(resultSchema),
  })
  .openapi('DetectionBatchAccepted');

const batchStatusSchema = z
  .object({
    batchId: z.string(),
    status: z.enum(['pending', 'processed']),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
    results: z.array(resultSchema),
  })
  .openapi('DetectionBatchStatus');

const detectionStatusSchema = z
  .object({
    detectionId: z.string(),
    batchId: z.string(),
    kind: z.string(),
    capturedAt: z.string(),
    sensorId: z.string(),
    outcome: outcomeSchema,
    alertId: z.string().nullable(),
    reason: z.string().nullable(),
    location: z.tuple([z.number(), z.number()]).nullable().openapi({
      description: 'Georeferenced `[lon, lat]`, once processed',
    }),
    radiusM: z.number().nullable(),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .openapi('DetectionStatus');

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

const statusUrlOf = (batchId: string) => `/v1/detections/batches/${batchId}`;

/**
 * `POST /v1/detections`: batches of payload detections, stored durably and answered at once
 * (202, outcomes `pending`); the rules run right after. `GET /v1/detections/batches/{id}` and
 * `GET /v1/detections/{id}` answer the outcomes once processed.
 */
export function createDetectionsRoutes(deps: AppDeps) {
  const app = createRouter();
  // created with the app, so batches accepted before a restart are processed at start
  const service = alertsServiceFor(deps);
  app.use('/', requireRole('admin', 'operator'));
  app.post('/', requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['detections'],
      summary: 'Ingest a batch of detections (admin, operator)',
      description:
        'Kinds: `ir_hotspot` (pose, camera, pixel centroid/box, temperatures: georeferenced on the ground with an error estimate), `ir_water_plume`, `lidar_canopy_change`, `water_level`. The batch is validated, then its detections (with the idempotency key and this answer) are committed durably in one transaction and the request is answered at once with each detection\'s id and `outcome: "pending"`. The rules, fusion, routing, audit and delivery run right after, in order of acceptance (also after a restart): read the outcomes at `statusUrl` (or per detection at `/v1/detections/{id}`); alerts are announced on the SSE stream and by webhooks. Idempotent by the `Idempotency-Key` header or by each item\'s `clientKey` (a replayed item stands for the earlier detection).',
      security,
      request: {
        headers: idempotencyHeader,
        body: { content: { 'application/json': { schema: detectionBatchSchema } }, required: true },
      },
      responses: {
        202: {
          description:
            'Stored durably; processing follows (`Location` = `statusUrl`). A replay answers the same, with `Idempotent-Replayed: true`.',
          content: { 'application/json': { schema: acceptedSchema } },
        },
        ...errorResponses(400, 403, 413, 415, 422, 503),
      },
    }),
    (c) => {
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const { response, replayed } = service.acceptBatch(
        actorOf(c.get('auth')),
        body.detections,
        key,
      );
      const statusUrl = statusUrlOf(response.batchId);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      c.header('Location', statusUrl);
      return c.json({ ...response, statusUrl }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/batches/{id}',
      tags: ['detections'],
      summary: 'What became of a batch: each detection’s outcome and alert once processed',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'The batch (`status: processed` once the rules have run over all of it)',
          content: { 'application/json': { schema: batchStatusSchema } },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      return c.json(service.batchStatus(actorOf(c.get('auth')), id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['detections'],
      summary: 'One detection: its outcome, alert and georeferenced place once processed',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'The detection',
          content: { 'application/json': { schema: detectionStatusSchema } },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      return c.json(service.detectionStatus(actorOf(c.get('auth')), id), 200);
    },
  );
  return app;
}
