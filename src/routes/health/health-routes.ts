import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../http/app-env';
import { createRouter } from '../../http/router';

/** `GET /healthz`: no key needed; says whether the store answers. */
export function createHealthRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['service'],
      summary: 'Liveness and store health (no key needed)',
      responses: {
        200: {
          description: 'Healthy',
          content: {
            'application/json': {
              schema: z.object({
                status: z.literal('ok'),
                db: z.literal('ok'),
                version: z.string(),
              }),
            },
          },
        },
        503: {
          description: 'The store does not answer',
          content: {
            'application/json': {
              schema: z.object({
                status: z.literal('degraded'),
                db: z.literal('error'),
                version: z.string(),
              }),
            },
          },
        },
      },
    }),
    (c) => {
      try {
        deps.store.sqlite.prepare('select 1').get();
        return c.json({ status: 'ok' as const, db: 'ok' as const, version: SERVICE_VERSION }, 200);
      } catch (err) {
        deps.logger.error({ err }, 'health check: store does not answer');
        return c.json(
          { status: 'degraded' as const, db: 'error' as const, version: SERVICE_VERSION },
          503,
        );
      }
    },
  );
  return app;
}

export const SERVICE_VERSION = '0.1.0';
