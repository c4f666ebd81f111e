import { randomUUID } from 'node:crypto';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { requireApiKey } from './auth/require-api-key';
import { AppError, toProblem } from './errors';
import type { AppDeps, AppEnv } from './http/app-env';
import { createRouter } from './http/router';
import { createAgenciesRoutes } from './routes/agencies/agencies-routes';
import {
  createAlertRulesRoutes,
  createAuditRoutes,
  createSatelliteRoutes,
  createSuppressionsRoutes,
  createWebhooksRoutes,
} from './routes/alerts/alert-admin-routes';
import { createAlertsRoutes } from './routes/alerts/alerts-routes';
import { createAreasRoutes } from './routes/areas/areas-routes';
import { createDocksRoutes } from './routes/docks/docks-routes';
import { createDocsRoutes } from './routes/docs/docs-routes';
import { createDronesRoutes } from './routes/drones/drones-routes';
import { createFleetRoutes } from './routes/fleet/fleet-routes';
import { createMissionsRoutes } from './routes/missions/missions-routes';
import { createPlansRoutes } from './routes/plans/plans-routes';
import { PlanRunner } from './services/plans/plan-runner';
import { createDetectionsRoutes } from './routes/detections/detections-routes';
import { createHealthRoutes, SERVICE_VERSION } from './routes/health/health-routes';

export type { AppDeps } from './http/app-env';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Builds the HTTP app over its dependencies: request id, one wide log line per request, body
 * limit, API-key auth on `/v1/*`, the resource routes, and the single problem+json renderer.
 */
export function createApp(deps: AppDeps) {
  const app = createRouter();

  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    const auth = c.var.auth;
    const route = c.req.matchedRoutes.filter((r) => r.method !== 'ALL').at(-1)?.path;
    deps.logger.info(
      {
        requestId,
        method: c.req.method,
        route: route ?? null,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        code: c.var.errorCode ?? null,
        agencyId: auth?.agencyId ?? null,
        keyId: auth?.keyId ?? null,
      },
      'request',
    );
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.MAX_BODY_BYTES,
      onError: () => {
        throw new AppError(
          'BODY_TOO_LARGE',
          `The body exceeds ${deps.config.MAX_BODY_BYTES} bytes.`,
        );
      },
    }),
  );

  app.route('/', createHealthRoutes(deps));
  app.route('/', createDocsRoutes());

  app.use('/v1/*', requireApiKey(deps));
  app.route('/v1/agencies', createAgenciesRoutes(deps));
  app.route('/v1/areas', createAreasRoutes(deps));
  const planRunner =
    deps.planRunner ??
    new PlanRunner({
      repos: deps.repos,
      logger: deps.logger,
      now: deps.now,
      maxConcurrent: deps.config.PLAN_WORKERS,
    });
  app.route('/v1/plans', createPlansRoutes(deps, planRunner));
  app.route('/v1/docks', createDocksRoutes(deps));
  app.route('/v1/drones', createDronesRoutes(deps));
  app.route('/v1/missions', createMissionsRoutes(deps));
  app.route('/v1/fleet', createFleetRoutes(deps));
  app.route('/v1/detections', createDetectionsRoutes(deps));
  app.route('/v1/alerts', createAlertsRoutes(deps));
  app.route('/v1/alert-rules', createAlertRulesRoutes(deps));
  app.route('/v1/suppressions', createSuppressionsRoutes(deps));
  app.route('/v1/webhooks', createWebhooksRoutes(deps));
  app.route('/v1/satellite', createSatelliteRoutes(deps));
  app.route('/v1/audit', createAuditRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key bound to one agency and one role: `Authorization: Bearer sf_…`.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Shared Flights',
      version: SERVICE_VERSION,
      description:
        'Dock-based inspection drones shared between agencies: patrol areas, docks, drones, plans, flights and alerts. Errors are application/problem+json with a stable `code`.',
    },
  });

  const routeTable = () =>
    app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+').replace(/\/$/, '')}/?$`),
      }));

  app.notFound((c) => {
    const path = c.req.path;
    const allowed = [
      ...new Set(
        routeTable()
          .filter((r) => r.pattern.test(path))
          .map((r) => r.method),
      ),
    ];
    if (allowed.length > 0) {
      return problem(
        c,
        new AppError(
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
          { headers: { Allow: allowed.join(', ') } },
        ),
      );
    }
    return problem(c, new AppError('NOT_FOUND', `Nothing at ${path}.`));
  });

  app.onError((err, c) => {
    if (err instanceof AppError) return problem(c, err);
    if (err instanceof HTTPException && err.status === 400) {
      return problem(
        c,
        new AppError('BODY_MALFORMED', 'The body is not valid JSON.', { cause: err }),
      );
    }
    deps.logger.error({ err, requestId: c.var.requestId }, 'unhandled error');
    return problem(
      c,
      new AppError(
        'INTERNAL',
        'Something went wrong on our side; the request id identifies it in our logs.',
      ),
    );
  });

  return app;
}

function problem(c: Context<AppEnv>, err: AppError) {
  c.set('errorCode', err.code);
  const body = toProblem(err, { instance: c.req.path, requestId: c.var.requestId });
  for (const [k, v] of Object.entries(err.extra.headers ?? {})) c.header(k, v);
  return c.body(JSON.stringify(body), err.status as 400, {
    'content-type': 'application/problem+json',
  });
}

export type App = ReturnType<typeof createApp>;
