import { createRoute, z } from '@hono/zod-openapi';
import {
  newId,
  type AlertRuleRow,
  type SuppressionRow,
  type WebhookEndpoint,
  type WebhookEndpointRow,
} from '../../../db/index';
import { ALERT_TYPES } from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import { AppError } from '../../errors';
import type { AppDeps, AuthContext } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  pageQuery,
  parseCursor,
  requireContentType,
  security,
  pageResponse,
  scopeOf,
} from '../../http/router';
import {
  areaGeometrySchema,
  pointGeometrySchema,
  lineStringGeometrySchema,
  polygonGeometrySchema,
  multiPolygonGeometrySchema,
} from '../../services/alerts/detection-schema';
import { SUPPRESSION_KINDS } from '../../services/alerts/suppression-registry';
import {
  generateWebhookSecret,
  WEBHOOK_SECRET_OVERLAP_MAX_S,
  WEBHOOK_SECRET_OVERLAP_S,
} from '../../services/alerts/webhook-signature';
import { pointInGeometry, vertices, type Geometry } from '../../services/alerts/geometry';
import {
  addDeleteRoute,
  addListRoute,
  addUpdateRoute,
  storedResponse,
} from './agency-resource-routes';
import { actorOf, alertsServiceFor } from './alerts-context';

/**
 * Rules and suppressions change what every agency is told, so an agency may set them only
 * inside its own jurisdiction; the utility's admins anywhere.
 */
function requireInsideJurisdiction(
  deps: AppDeps,
  auth: AuthContext,
  geometry: Geometry | undefined,
  path: string,
): void {
  if (auth.seesAll) return;
  const jurisdiction = deps.repos.agencies.findById(auth.agencyId)?.jurisdiction as
    Geometry | null | undefined;
  const inside =
    geometry !== undefined &&
    jurisdiction !== null &&
    jurisdiction !== undefined &&
    vertices(geometry).every((p) => pointInGeometry(p, jurisdiction));
  if (!inside) {
    throw new AppError(
      'VALIDATION_FAILED',
      'An agency sets rules and suppressions only inside its own jurisdiction.',
      {
        issues: [
          {
            path,
            code: 'OUTSIDE_JURISDICTION',
            message: 'must lie inside the agency’s jurisdiction',
          },
        ],
      },
    );
  }
}
const iso = (d: Date | null) => (d ? d.toISOString() : null);

// ------------------------------------------------------------------ suppressions

const suppressionIn = z
  .object({
    kind: z.enum(SUPPRESSION_KINDS),
    name: z.string().max(200).optional(),
    geometry: z.discriminatedUnion('type', [
      pointGeometrySchema,
      lineStringGeometrySchema,
      polygonGeometrySchema,
      multiPolygonGeometrySchema,
    ]),
    radiusM: z.number().min(0).max(10_000).default(50),
    alertTypes: z.array(z.enum(ALERT_TYPES)).min(1).default(['fire']),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine(
    (s) => s.kind !== 'permitted_burn' || (s.validFrom !== undefined && s.validUntil !== undefined),
    {
      message: 'a permitted burn needs validFrom and validUntil',
      path: ['validUntil'],
    },
  )
  .refine(
    (s) => !s.validFrom || !s.validUntil || Date.parse(s.validFrom) <= Date.parse(s.validUntil),
    {
      message: 'validFrom must not be after validUntil',
      path: ['validFrom'],
    },
  );

function suppressionJson(s: SuppressionRow) {
  return {
    id: s.id,
    agencyId: s.agencyId,
    kind: s.kind,
    name: s.name,
    geometry: s.geometry,
    radiusM: s.radiusM,
    alertTypes: s.alertTypes,
    validFrom: iso(s.validFrom),
    validUntil: iso(s.validUntil),
    note: s.note,
    createdAt: s.createdAt.toISOString(),
  };
}

/** `/v1/suppressions`: the registry of known heat sources and permitted burns. */
export function createSuppressionsRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  const repo = service.config;
  app.on(['POST', 'DELETE'], ['/', '/:id'], requireRole('admin', 'operator'));
  app.post('/', requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['alert rules'],
      summary:
        'Register a known heat source (kiln, chimney, transformer, solar field) or a permitted burn with its time window',
      security,
      request: {
        body: { content: { 'application/json': { schema: suppressionIn } }, required: true },
      },
      responses: {
        201: storedResponse('Stored'),
        ...errorResponses(400, 403, 415),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const b = c.req.valid('json');
      requireInsideJurisdiction(deps, auth, b.geometry, '/body/geometry');
      const row: SuppressionRow = {
        id: newId('sup'),
        agencyId: auth.agencyId,
        kind: b.kind,
        name: b.name ?? null,
        geometry: b.geometry,
        radiusM: b.radiusM,
        alertTypes: b.alertTypes,
        validFrom: b.validFrom ? new Date(b.validFrom) : null,
        validUntil: b.validUntil ? new Date(b.validUntil) : null,
        note: b.note ?? null,
        createdBy: auth.keyId,
        createdAt: deps.now(),
      };
      service.audited(
        actorOf(auth),
        'suppression.created',
        `suppression:${row.id}`,
        { kind: row.kind, alertTypes: row.alertTypes, validUntil: iso(row.validUntil) },
        () => {
          repo.insertSuppression(row);
          return true;
        },
      );
      return c.json(suppressionJson(row), 201);
    },
  );

  addListRoute(app, {
    tag: 'alert rules',
    summary: 'List the caller’s suppressions',
    list: (scope, page) => repo.listSuppressions(scope, page),
    toJson: suppressionJson,
  });

  addDeleteRoute(app, {
    tag: 'alert rules',
    summary: 'Remove a suppression',
    remove: (id, scope, auth) =>
      service.audited(actorOf(auth), 'suppression.deleted', `suppression:${id}`, {}, () =>
        repo.deleteSuppression(id, scope) ? true : undefined,
      ) ?? false,
    notFound: ['SUPPRESSION_NOT_FOUND', 'No suppression'],
  });
  return app;
}

// ------------------------------------------------------------------ rules

const ruleSettings = z
  .object({
    minConfidence: z.number().min(0).max(1),
    minMaxTempC: z.number(),
    minDeltaAboveAmbientC: z.number(),
    minHotAreaM2: z.number().min(0),
    minSatelliteConfidencePct: z.number().min(0).max(100),
    minTemperatureDifferenceC: z.number(),
    minChangedAreaM2: z.number().min(0),
    minMeanHeightLossM: z.number().min(0),
    minWaterRiseM: z.number(),
    fusionDistanceM: z.number().min(0).max(50_000),
    fusionWindowMs: z
      .number()
      .int()
      .min(0)
      .max(90 * 86_400_000),
    satelliteCreatesAlerts: z.boolean(),
  })
  .partial()
  .strict();

const ruleIn = z.object({
  alertType: z.enum(ALERT_TYPES),
  name: z.string().max(200).optional(),
  area: areaGeometrySchema
    .optional()
    .openapi({ description: 'Where the rule applies; absent = everywhere' }),
  enabled: z.boolean().default(true),
  settings: ruleSettings,
});

function ruleJson(r: AlertRuleRow) {
  return {
    id: r.id,
    agencyId: r.agencyId,
    alertType: r.alertType,
    name: r.name,
    area: r.area,
    enabled: r.enabled,
    settings: r.settings,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** `/v1/alert-rules`: thresholds and fusion settings per alert type and area. */
export function createAlertRulesRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  const repo = service.config;
  app.on(['POST', 'PATCH', 'DELETE'], ['/', '/:id'], requireRole('admin'));
  app.on(['POST', 'PATCH'], ['/', '/:id'], requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['alert rules'],
      summary:
        'Add a rule: thresholds and fusion settings for one alert type, everywhere or in an area (admin)',
      security,
      request: { body: { content: { 'application/json': { schema: ruleIn } }, required: true } },
      responses: {
        201: storedResponse('Stored'),
        ...errorResponses(400, 403, 415),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const b = c.req.valid('json');
      requireInsideJurisdiction(deps, auth, b.area, '/body/area');
      const now = deps.now();
      const row: AlertRuleRow = {
        id: newId('rule'),
        agencyId: auth.agencyId,
        alertType: b.alertType,
        name: b.name ?? null,
        area: b.area ?? null,
        enabled: b.enabled,
        settings: b.settings as Record<string, number | boolean>,
        createdAt: now,
        updatedAt: now,
      };
      service.audited(
        actorOf(auth),
        'rule.created',
        `rule:${row.id}`,
        { alertType: row.alertType, enabled: row.enabled, settings: row.settings },
        () => {
          repo.insertRule(row);
          return true;
        },
      );
      return c.json(ruleJson(row), 201);
    },
  );

  addListRoute(app, {
    tag: 'alert rules',
    summary: 'List the caller’s rules',
    list: (scope, page) => repo.listRules(scope, page),
    toJson: ruleJson,
  });

  addUpdateRoute(app, {
    tag: 'alert rules',
    summary: 'Enable, disable or change a rule (admin)',
    body: z.object({
      enabled: z.boolean().optional(),
      name: z.string().max(200).optional(),
      settings: ruleSettings.optional(),
    }),
    answer: 'The rule',
    errors: [400, 403, 404, 415],
    get: (id, scope) => repo.getRule(id, scope),
    notFound: ['ALERT_RULE_NOT_FOUND', 'No rule'],
    change: (current, b): AlertRuleRow => ({
      ...current,
      ...(b.enabled === undefined ? {} : { enabled: b.enabled }),
      ...(b.name === undefined ? {} : { name: b.name }),
      ...(b.settings === undefined
        ? {}
        : {
            settings: {
              ...current.settings,
              ...(b.settings as Record<string, number | boolean>),
            },
          }),
      updatedAt: deps.now(),
    }),
    update: (id, next, auth) =>
      service.audited(
        actorOf(auth),
        'rule.changed',
        `rule:${id}`,
        { enabled: next.enabled, settings: next.settings },
        () => {
          repo.updateRule(id, next);
          return true;
        },
      ),
    toJson: ruleJson,
  });

  addDeleteRoute(app, {
    tag: 'alert rules',
    summary: 'Remove a rule (admin)',
    remove: (id, scope, auth) =>
      service.audited(actorOf(auth), 'rule.deleted', `rule:${id}`, {}, () =>
        repo.deleteRule(id, scope) ? true : undefined,
      ) ?? false,
    notFound: ['ALERT_RULE_NOT_FOUND', 'No rule'],
  });
  return app;
}

// ------------------------------------------------------------------ webhooks

export const WEBHOOK_EVENT_TYPES = [
  'alert.created',
  'alert.dispatched',
  'alert.updated',
  'alert.acknowledged',
  'alert.started',
  'alert.closed',
  'alert.handed_over',
  'alert.shared',
  'alert.rated',
  'alert.reminder',
  'alert.escalated',
  'alert.verification_requested',
  'alert.verification_done',
  'alert.verification_failed',
  'alert.verification_cancelled',
] as const;

const webhookIn = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  eventTypes: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .default([])
    .openapi({ description: 'Empty = every event' }),
});

function endpointJson(e: WebhookEndpoint) {
  return {
    id: e.id,
    agencyId: e.agencyId,
    url: e.url,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: iso(e.previousSecretExpiresAt),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

const rotateSecretIn = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(WEBHOOK_SECRET_OVERLAP_MAX_S)
      .default(WEBHOOK_SECRET_OVERLAP_S)
      .openapi({
        description: `How long deliveries carry the replaced secret's signature too (seconds, 0–${WEBHOOK_SECRET_OVERLAP_MAX_S}; default ${WEBHOOK_SECRET_OVERLAP_S}, 24 h). 0: the replaced secret stops signing at once.`,
        example: WEBHOOK_SECRET_OVERLAP_S,
      }),
  })
  .strict();

/** `/v1/webhooks`: per-agency endpoints (Standard Webhooks), deliveries and the dead-letter list. */
export function createWebhooksRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  const repo = service.webhooks;
  app.on(['POST', 'PATCH', 'DELETE'], ['/', '/:id', '/:id/*'], requireRole('admin'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['webhooks'],
      summary:
        'Register an endpoint for the caller’s agency; the signing secret (`whsec_…`) is shown only here (admin)',
      security,
      request: { body: { content: { 'application/json': { schema: webhookIn } }, required: true } },
      responses: {
        201: storedResponse('Stored', { id: z.string(), secret: z.string() }),
        ...errorResponses(400, 403, 415),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const b = c.req.valid('json');
      const now = deps.now();
      const row: WebhookEndpointRow = {
        id: newId('whk'),
        agencyId: auth.agencyId,
        url: b.url,
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        eventTypes: b.eventTypes,
        enabled: true,
        disabledReason: null,
        createdAt: now,
        updatedAt: now,
      };
      // stored sealed (AES-256-GCM); this answer is the only time the secret is shown
      service.audited(
        actorOf(auth),
        'webhook.created',
        `webhook:${row.id}`,
        { url: row.url, eventTypes: row.eventTypes },
        () => {
          repo.insertEndpoint(row);
          return true;
        },
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ ...endpointJson(row), secret: row.secret }, 201);
    },
  );

  addListRoute(app, {
    tag: 'webhooks',
    summary: 'List the caller’s endpoints',
    list: (scope, page) => repo.listEndpoints(scope, page),
    toJson: endpointJson,
  });

  addUpdateRoute(app, {
    tag: 'webhooks',
    summary: 'Re-enable or disable an endpoint (admin)',
    body: z.object({ enabled: z.boolean() }),
    answer: 'The endpoint',
    errors: [400, 403, 404],
    get: (id, scope) => repo.getEndpoint(id, scope),
    notFound: ['WEBHOOK_NOT_FOUND', 'No webhook endpoint'],
    change: (current, { enabled }) => ({
      ...current,
      enabled,
      disabledReason: enabled ? null : 'disabled by the agency',
      updatedAt: deps.now(),
    }),
    update: (id, next, auth) =>
      service.audited(
        actorOf(auth),
        next.enabled ? 'webhook.enabled' : 'webhook.disabled',
        `webhook:${id}`,
        {},
        () => {
          repo.updateEndpoint(id, next);
          return true;
        },
      ),
    toJson: endpointJson,
  });

  addDeleteRoute(app, {
    tag: 'webhooks',
    summary: 'Remove an endpoint and its deliveries (admin)',
    remove: (id, scope, auth) =>
      service.audited(actorOf(auth), 'webhook.deleted', `webhook:${id}`, {}, () =>
        repo.deleteEndpoint(id, scope) ? true : undefined,
      ) ?? false,
    notFound: ['WEBHOOK_NOT_FOUND', 'No webhook endpoint'],
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/rotate-secret',
      tags: ['webhooks'],
      summary:
        'Replace the signing secret of one of the caller’s endpoints; the new secret (`whsec_…`) is shown only here (admin of the owning agency)',
      description:
        'Standard Webhooks zero-downtime rotation: until `previousSecretExpiresAt` every delivery carries two space-separated `v1,` signatures in `webhook-signature`, the new secret’s first, then the replaced one’s; after it only the new secret signs and the replaced one is deleted. Rotating again during an overlap keeps only the secret it replaces. Only the agency that owns the endpoint may rotate (another agency’s id, the utility’s admins included, answers 404): the new secret goes to whoever asks.',
      security,
      request: {
        params: idParams,
        body: {
          content: { 'application/json': { schema: rotateSecretIn } },
          required: false,
          description: 'Optional; without a body the overlap is 24 h.',
        },
      },
      responses: {
        200: storedResponse('The endpoint with its new secret', {
          id: z.string(),
          secret: z.string(),
          previousSecretExpiresAt: z.string().nullable(),
        }),
        ...errorResponses(400, 403, 404),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const { id } = c.req.valid('param');
      const { overlapSeconds = WEBHOOK_SECRET_OVERLAP_S } = c.req.valid('json');
      const now = deps.now();
      const secret = generateWebhookSecret();
      // the owner only: the utility's admins see every endpoint, but must not receive its secret
      const previousExpiresAt =
        overlapSeconds === 0 ? null : new Date(now.getTime() + overlapSeconds * 1000);
      const endpoint = service.audited(
        actorOf(auth),
        'webhook.secret_rotated',
        `webhook:${id}`,
        { overlapSeconds, previousSecretExpiresAt: iso(previousExpiresAt) },
        () =>
          repo.rotateSecret(
            id,
            { agencyId: auth.agencyId, seesAll: false },
            { secret, previousExpiresAt, now },
          ),
      );
      if (!endpoint) throw new AppError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}.`);
      deps.logger.info(
        { endpointId: id, agencyId: endpoint.agencyId, apiKeyId: auth.keyId, overlapSeconds },
        'rotated a webhook signing secret',
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ ...endpointJson(endpoint), secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      tags: ['webhooks'],
      summary: 'Deliveries of an endpoint; `?state=dead_letter` is the dead-letter list',
      security,
      request: {
        params: idParams,
        query: pageQuery.extend({
          state: z.enum(['pending', 'delivered', 'dead_letter']).optional(),
        }),
      },
      responses: {
        200: pageResponse(z.unknown()),
        ...errorResponses(400, 404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      if (!repo.getEndpoint(id, scopeOf(c.get('auth'))))
        throw new AppError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${id}.`);
      const page = repo.listDeliveries(id, {
        ...(q.state ? { state: q.state } : {}),
        cursor: parseCursor(q.cursor),
        limit: q.limit,
      });
      const items = page.items.map((d) => ({
        id: d.id,
        messageId: d.messageId,
        eventType: d.eventType,
        state: d.state,
        attempts: d.attempts,
        nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
        lastStatus: d.lastStatus,
        lastError: d.lastError,
        deliveredAt: iso(d.deliveredAt),
        createdAt: d.createdAt.toISOString(),
        payload: d.payload,
      }));
      return c.json({ items, nextCursor: page.nextCursor }, 200);
    },
  );
  return app;
}

// ------------------------------------------------------------------ satellite, audit

/** `/v1/satellite/firms`: NASA FIRMS CSV import for an area. */
export function createSatelliteRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  app.post(
    '/firms',
    requireRole('admin', 'operator'),
    requireContentType('text/csv', 'text/plain'),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/firms',
      tags: ['alerts'],
      summary:
        'Import a NASA FIRMS hotspot CSV for an area: hotspots raise the confidence of matching fire alerts or open low-confidence ones',
      security,
      request: {
        query: z.object({
          areaId: z.string().max(100).optional().openapi({
            description: 'A patrol area of the caller; default: the agency’s jurisdiction',
          }),
          bufferM: z.coerce.number().min(0).max(50_000).default(0),
        }),
        body: { content: { 'text/csv': { schema: z.string() } }, required: true },
      },
      responses: {
        200: {
          description: 'What the import did',
          content: {
            'application/json': { schema: z.object({ parsed: z.number() }).passthrough() },
          },
        },
        ...errorResponses(400, 403, 404, 415),
      },
    }),
    async (c) => {
      const auth = c.get('auth');
      const q = c.req.valid('query');
      let area: Geometry[];
      if (q.areaId) {
        const a = deps.repos.areas.get(q.areaId, scopeOf(auth));
        if (!a) throw new AppError('AREA_NOT_FOUND', `No area ${q.areaId}.`);
        const fc = a.geojson as { features?: { geometry?: Geometry | null }[] };
        area = (fc.features ?? []).flatMap((f) => (f.geometry ? [f.geometry] : []));
      } else {
        const agency = deps.repos.agencies.findById(auth.agencyId);
        if (!agency?.jurisdiction) {
          throw new AppError(
            'VALIDATION_FAILED',
            'Give areaId: the agency has no jurisdiction to import for.',
            {
              issues: [{ path: '/query/areaId', code: 'REQUIRED', message: 'an area id' }],
            },
          );
        }
        area = [agency.jurisdiction as Geometry];
      }
      const result = service.importFirms(actorOf(auth), await c.req.text(), area, q.bufferM);
      return c.json(result, 200);
    },
  );
  return app;
}

/** `/v1/audit/verify`: walks the hash chain of the audit log. */
export function createAuditRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  app.use('/verify', requireRole('admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/verify',
      tags: ['alerts'],
      summary: 'Verify the append-only, hash-chained audit log (admin)',
      security,
      responses: {
        200: {
          description: '`ok` true with the head hash, or the first broken entry',
          content: {
            'application/json': {
              schema: z.object({ ok: z.boolean(), checked: z.number() }).passthrough(),
            },
          },
        },
        ...errorResponses(403),
      },
    }),
    (c) => c.json(service.verifyAudit(), 200),
  );
  return app;
}
