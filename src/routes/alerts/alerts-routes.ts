import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import {
  ALERT_STATUS_NAMES,
  ALERT_TYPES,
  SEVERITY_NAMES,
  type AlertRouteRow,
  type AlertRow,
  type AlertStatusName,
  type SeverityName,
  type VerificationRecord,
  VERIFICATION_STATUSES,
} from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import { AppError } from '../../errors';
import type { AppDeps } from '../../http/app-env';
import { createRouter, errorResponses, idParams, parseCursor, security } from '../../http/router';
import { OUTCOME_LABELS } from '../../services/alerts/alert-lifecycle';
import type { Actor, AlertsService, AlertStreamEvent } from '../../services/alerts/alerts-service';
import { encodeCursor } from '../../../db/index';
import {
  trackUrlOf,
  VERIFICATION_POLICY_ACTOR,
  verificationServiceFor,
} from '../../services/verification/index';
import { actorOf, alertsServiceFor } from './alerts-context';

const CAP_MEDIA_TYPE = 'application/cap+xml';
const SSE_HEARTBEAT_MS = 15_000;

const routeOut = z.object({
  agencyId: z.string(),
  kind: z.string(),
  reason: z.string(),
  state: z.string(),
  dispatchedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  ackDueAt: z.string(),
  light: z.enum(['green', 'yellow', 'red', 'done']),
  reminderSentAt: z.string().nullable(),
  escalatedAt: z.string().nullable(),
  handedOverTo: z.string().nullable(),
  handoverReason: z.string().nullable(),
  rating: z.number().int().nullable(),
});

const alertOut = z
  .object({
    id: z.string(),
    type: z.enum(ALERT_TYPES),
    status: z.enum(ALERT_STATUS_NAMES),
    severity: z.enum(SEVERITY_NAMES),
    confidence: z.enum(['low', 'high', 'highest']),
    version: z.number().int(),
    geometry: z.unknown(),
    centroid: z.tuple([z.number(), z.number()]),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    radiusM: z.number(),
    extentAreaM2: z.number(),
    firstObservedAt: z.string(),
    lastObservedAt: z.string(),
    observationCount: z.number().int(),
    primaryKind: z.string(),
    sources: z.array(z.string()),
    metrics: z.record(z.string(), z.number()),
    severityReasons: z.array(z.string()),
    outcomeLabel: z.string().nullable(),
    duplicateOf: z.string().nullable(),
    closedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    routes: z.array(routeOut),
  })
  .openapi('Alert');

type AlertJson = z.infer<typeof alertOut>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function routeJson(
  service: AlertsService,
  alert: AlertRow,
  r: AlertRouteRow,
): z.infer<typeof routeOut> {
  const { light, ackDueAt } = service.lightOf(r, alert.severity, alert.status);
  return {
    agencyId: r.agencyId,
    kind: r.kind,
    reason: r.reason,
    state: r.state,
    dispatchedAt: r.dispatchedAt.toISOString(),
    acknowledgedAt: iso(r.acknowledgedAt),
    ackDueAt,
    light,
    reminderSentAt: iso(r.reminderSentAt),
    escalatedAt: iso(r.escalatedAt),
    handedOverTo: r.handedOverTo,
    handoverReason: r.handoverReason,
    rating: r.rating,
  };
}

export function alertJson(service: AlertsService, a: AlertRow, routes: AlertRouteRow[]): AlertJson {
  return {
    id: a.id,
    type: a.alertType,
    status: a.status,
    severity: a.severity,
    confidence: a.confidence,
    version: a.version,
    geometry: a.geometry,
    centroid: [a.lon, a.lat],
    bbox: [a.minLon, a.minLat, a.maxLon, a.maxLat],
    radiusM: a.radiusM,
    extentAreaM2: a.extentAreaM2,
    firstObservedAt: a.firstObservedAt.toISOString(),
    lastObservedAt: a.lastObservedAt.toISOString(),
    observationCount: a.observationCount,
    primaryKind: a.primaryKind,
    sources: a.sources,
    metrics: a.metrics,
    severityReasons: a.severityReasons,
    outcomeLabel: a.outcomeLabel,
    duplicateOf: a.duplicateOf,
    closedAt: iso(a.closedAt),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    routes: routes.map((r) => routeJson(service, a, r)),
  };
}

function csvOf<T extends string>(values: readonly T[], name: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return undefined;
      const parts = text.split(',').map((p) => p.trim());
      const bad = parts.filter((p) => !values.includes(p as T));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown ${name} ${bad.join(', ')}; expected ${values.join(' | ')}`,
        });
        return z.NEVER;
      }
      return parts as T[];
    })
    .openapi({ description: `Comma-separated: ${values.join(', ')}`, type: 'string' });
}

const listQuery = z.object({
  bbox: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const n = text.split(',').map(Number);
      const [minLon, minLat, maxLon, maxLat] = n;
      if (
        n.length !== 4 ||
        n.some((x) => !Number.isFinite(x)) ||
        minLon! > maxLon! ||
        minLat! > maxLat! ||
        Math.abs(minLat!) > 90 ||
        Math.abs(maxLat!) > 90
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `bbox "${text}": expected minLon,minLat,maxLon,maxLat`,
        });
        return z.NEVER;
      }
      return n as [number, number, number, number];
    })
    .openapi({
      description: 'minLon,minLat,maxLon,maxLat (WGS-84)',
      type: 'string',
      example: '119.7,30.3,119.9,30.5',
    }),
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Alerts observed at or after this time' }),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Alerts observed at or before this time' }),
  type: csvOf(ALERT_TYPES, 'type'),
  status: csvOf(ALERT_STATUS_NAMES, 'status'),
  severity: csvOf(SEVERITY_NAMES, 'severity'),
  agencyId: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'Only alerts routed or shared to this agency' }),
  format: z.enum(['json', 'geojson']).default('json'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

const noteBody = z.object({ note: z.string().max(2000).optional() });
const closeBody = noteBody.extend({ outcomeLabel: z.enum(OUTCOME_LABELS).optional() });

/** `/v1/alerts`: list (JSON, GeoJSON), one (JSON, CAP), stream (SSE), lifecycle, stats, verification. */
export function createAlertsRoutes(deps: AppDeps) {
  const app = createRouter();
  const service = alertsServiceFor(deps);
  app.on(
    'POST',
    [
      '/:id/acknowledge',
      '/:id/start',
      '/:id/resolve',
      '/:id/false-alarm',
      '/:id/duplicate',
      '/:id/handover',
      '/:id/share',
      '/:id/rate',
      '/:id/verification',
    ],
    requireRole('admin', 'operator'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['alerts'],
      summary: 'List the alerts routed or shared to the caller’s agency',
      description:
        'Filters combine (bbox, time range, type, status, severity, agency). `?format=geojson` answers a FeatureCollection. Pages follow creation order.',
      security,
      request: { query: listQuery },
      responses: {
        200: {
          description: 'A page of alerts, or a GeoJSON FeatureCollection',
          content: {
            'application/json': {
              schema: z.object({ items: z.array(alertOut), nextCursor: z.string().nullable() }),
            },
            'application/geo+json': {
              schema: z.object({
                type: z.literal('FeatureCollection'),
                features: z.array(z.unknown()),
                nextCursor: z.string().nullable(),
              }),
            },
          },
        },
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const scope = { agencyId: c.get('auth').agencyId, seesAll: c.get('auth').seesAll };
      const cursor = parseCursor(q.cursor);
      let afterSeq: number | null = null;
      if (cursor) {
        const seq = service.alerts.seqOf(cursor);
        if (seq === undefined)
          throw new AppError('CURSOR_INVALID', 'The cursor is not one this service issued.');
        afterSeq = seq;
      }
      const page = service.alerts.listAlerts(
        scope,
        {
          ...(q.bbox ? { bbox: q.bbox } : {}),
          ...(q.from ? { fromMs: Date.parse(q.from) } : {}),
          ...(q.to ? { toMs: Date.parse(q.to) } : {}),
          ...(q.type
            ? { types: q.type.map((name) => ({ name, code: ALERT_TYPES.indexOf(name) })) }
            : {}),
          ...(q.status ? { statuses: q.status as AlertStatusName[] } : {}),
          ...(q.severity ? { severities: q.severity as SeverityName[] } : {}),
          ...(q.agencyId ? { agencyId: q.agencyId } : {}),
        },
        { afterSeq, limit: q.limit },
      );
      const routes = service.alerts.routesOfMany(page.items.map((a) => a.id));
      const items = page.items.map((a) =>
        alertJson(
          service,
          a,
          routes.filter((r) => r.alertId === a.id),
        ),
      );
      const last = page.items.at(-1);
      const nextCursor =
        page.nextCursor && last
          ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
          : null;
      if (q.format === 'geojson') {
        const fc = {
          type: 'FeatureCollection' as const,
          features: items.map(({ geometry, ...properties }) => ({
            type: 'Feature',
            id: properties.id,
            geometry,
            properties,
          })),
          nextCursor,
        };
        return c.json(fc, 200, { 'content-type': 'application/geo+json' });
      }
      return c.json({ items, nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stream',
      tags: ['alerts'],
      summary: 'Server-Sent Events: every change of the alerts the caller may see',
      description:
        'Each event has the alert-event sequence as its id; reconnect with `Last-Event-ID` to replay what was missed.',
      security,
      responses: {
        200: {
          description: 'An event stream',
          content: { 'text/event-stream': { schema: z.string() } },
        },
        ...errorResponses(),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const scope = { agencyId: auth.agencyId, seesAll: auth.seesAll };
      const lastId = Number(c.req.header('last-event-id') ?? '0');
      return streamSSE(c, async (stream) => {
        const queue: AlertStreamEvent[] = [];
        let wake: (() => void) | undefined;
        let open = true;
        const onEvent = (e: AlertStreamEvent) => {
          if (!scope.seesAll && !e.agencyIds.includes(scope.agencyId)) return;
          queue.push(e);
          wake?.();
        };
        service.stream.on('event', onEvent);
        stream.onAbort(() => {
          open = false;
          service.stream.off('event', onEvent);
          wake?.();
        });
        let sent = Number.isSafeInteger(lastId) && lastId > 0 ? lastId : 0;
        if (sent > 0) {
          for (const e of service.alerts.eventsAfter(sent, scope, 1000)) {
            await stream.writeSSE({
              id: String(e.seq),
              event: e.type,
              data: JSON.stringify({ alertId: e.alertId, version: e.version, ...e.data }),
            });
            sent = e.seq;
          }
        }
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ lastEventId: sent }) });
        while (open) {
          while (queue.length > 0) {
            const e = queue.shift()!;
            if (e.seq <= sent) continue;
            await stream.writeSSE({
              id: String(e.seq),
              event: e.type,
              data: JSON.stringify({ alertId: e.alertId, ...e.data }),
            });
            sent = e.seq;
          }
          if (!open) break;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, SSE_HEARTBEAT_MS);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
          if (open && queue.length === 0) await stream.write(': keep-alive\n\n');
        }
        service.stream.off('event', onEvent);
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stats',
      tags: ['alerts'],
      summary:
        'Per-agency figures: counts, time to acknowledge and close, false-alarm rate per detection kind',
      security,
      request: { query: z.object({ agencyId: z.string().max(100).optional() }) },
      responses: {
        200: {
          description: 'Figures',
          content: {
            'application/json': {
              schema: z.object({ agencyId: z.string().nullable() }).passthrough(),
            },
          },
        },
        ...errorResponses(400),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const wanted = c.req.valid('query').agencyId;
      // an agency sees its own figures; the utility's admins any agency's or everyone's
      const agencyId = auth.seesAll ? (wanted ?? null) : auth.agencyId;
      const s = service.alerts.stats(agencyId);
      return c.json(
        {
          agencyId,
          byStatus: Object.fromEntries(s.byStatus.map((r) => [r.status, r.count])),
          acknowledged: {
            count: s.ackMs.count,
            meanTimeToAcknowledgeS: s.ackMs.meanMs === null ? null : s.ackMs.meanMs / 1000,
          },
          closed: {
            count: s.closeMs.count,
            meanTimeToCloseS: s.closeMs.meanMs === null ? null : s.closeMs.meanMs / 1000,
          },
          falseAlarmRateByKind: Object.fromEntries(
            s.byKind.map((k) => [
              k.kind,
              {
                closed: k.closed,
                falseAlarms: k.falseAlarms,
                rate: k.closed ? k.falseAlarms / k.closed : null,
              },
            ]),
          ),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['alerts'],
      summary: 'One alert: JSON by default, OASIS CAP 1.2 XML with `Accept: application/cap+xml`',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'The alert',
          content: {
            'application/json': { schema: alertOut },
            [CAP_MEDIA_TYPE]: { schema: z.string() },
          },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const alert = service.getAlert(actorOf(c.get('auth')), id);
      c.header('Vary', 'Accept');
      if ((c.req.header('accept') ?? '').toLowerCase().includes(CAP_MEDIA_TYPE)) {
        return c.body(service.capXml(alert), 200, {
          'content-type': `${CAP_MEDIA_TYPE}; charset=utf-8`,
        });
      }
      return c.json(alertJson(service, alert, service.alerts.routesOf(id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/events',
      tags: ['alerts'],
      summary: 'The history of an alert: every step with actor, time and note',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'Events, oldest first',
          content: { 'application/json': { schema: z.object({ items: z.array(z.unknown()) }) } },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      service.getAlert(actorOf(c.get('auth')), id);
      const items = service.alerts.eventsOf(id).map((e) => ({
        seq: e.seq,
        version: e.version,
        type: e.type,
        actor: e.actor,
        agencyId: e.agencyId,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        note: e.note,
        data: e.data,
        at: e.at.toISOString(),
      }));
      return c.json({ items }, 200);
    },
  );

  const lifecycle = (
    path: string,
    action: 'acknowledge' | 'start' | 'resolve' | 'false_alarm' | 'duplicate',
    summary: string,
    body: z.ZodType<{
      note?: string | undefined;
      outcomeLabel?: (typeof OUTCOME_LABELS)[number] | undefined;
      duplicateOf?: string | undefined;
    }>,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${path}`,
        tags: ['alerts'],
        summary,
        security,
        request: {
          params: idParams,
          body: { content: { 'application/json': { schema: body } }, required: false },
        },
        responses: {
          200: {
            description: 'The alert after the step',
            content: { 'application/json': { schema: alertOut } },
          },
          ...errorResponses(400, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const text = await c.req.text();
        let input: unknown = {};
        if (text.trim() !== '') {
          try {
            input = JSON.parse(text);
          } catch (err) {
            throw new AppError('BODY_MALFORMED', 'The body is not valid JSON.', { cause: err });
          }
        }
        const parsed = body.safeParse(input);
        if (!parsed.success) {
          throw new AppError('VALIDATION_FAILED', 'The request body is not valid.', {
            issues: parsed.error.issues.map((i) => ({
              path: `/body/${i.path.join('/')}`,
              code: i.code.toUpperCase(),
              message: i.message,
            })),
          });
        }
        const updated = service.act(actorOf(c.get('auth')), id, action, parsed.data);
        return c.json(alertJson(service, updated, service.alerts.routesOf(id)), 200);
      },
    );
  lifecycle(
    'acknowledge',
    'acknowledge',
    'Acknowledge an alert for the caller’s agency (stops its deadline clock)',
    noteBody,
  );
  lifecycle('start', 'start', 'Start working on an alert', noteBody);
  lifecycle('resolve', 'resolve', 'Resolve an alert with an outcome label', closeBody);
  lifecycle(
    'false-alarm',
    'false_alarm',
    'Close an alert as a false alarm (CAP Cancel)',
    closeBody,
  );
  lifecycle(
    'duplicate',
    'duplicate',
    'Close an alert as a duplicate of another (CAP Cancel)',
    closeBody.extend({ duplicateOf: z.string().min(1).max(100) }),
  );

  /** `POST /{id}/<path>` with a required JSON body: one step on the alert, answered with the alert. */
  const alertStep = <T>(
    path: string,
    summary: string,
    schema: z.ZodType<T>,
    errors: number[],
    run: (actor: Actor, id: string, body: T) => AlertRow,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${path}`,
        tags: ['alerts'],
        summary,
        security,
        request: {
          params: idParams,
          body: { content: { 'application/json': { schema } }, required: true },
        },
        responses: {
          200: { description: 'The alert', content: { 'application/json': { schema: alertOut } } },
          ...errorResponses(...errors),
        },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        const alert = run(actorOf(c.get('auth')), id, c.req.valid('json'));
        return c.json(alertJson(service, alert, service.alerts.routesOf(id)), 200);
      },
    );

  alertStep(
    'handover',
    '“Not ours”: hand the alert over to another agency with a reason',
    z.object({
      toAgencyId: z.string().min(1).max(100),
      reason: z.string().min(1).max(2000),
    }),
    [400, 403, 404, 409, 422],
    (actor, id, b) => service.handover(actor, id, b.toAgencyId, b.reason),
  );
  alertStep(
    'share',
    'Share the alert explicitly with another agency',
    z.object({
      agencyId: z.string().min(1).max(100),
      note: z.string().max(2000).optional(),
    }),
    [400, 403, 404, 422],
    (actor, id, b) => service.share(actor, id, b.agencyId, b.note),
  );
  alertStep(
    'rate',
    'Rate how a closed alert was handled (1–5)',
    z.object({
      stars: z.number().int().min(1).max(5),
      note: z.string().max(2000).optional(),
    }),
    [400, 403, 404, 409],
    (actor, id, b) => service.rate(actor, id, b.stars, b.note),
  );

  // ---- verification flights (src/services/verification): listening from app creation on
  const verification = verificationServiceFor(deps, service);

  const verificationOut = z
    .object({
      id: z.string(),
      alertId: z.string(),
      agencyId: z.string(),
      status: z.enum(VERIFICATION_STATUSES).openapi({
        description:
          'requested → planned → mission_created (awaiting the dock owner) → scheduled → flying → done; or failed / no_capable_dock with reasonCode and reason',
      }),
      dockId: z.string().nullable(),
      dockDistanceM: z.number().nullable(),
      note: z.string().nullable(),
      payload: z.string().nullable(),
      purpose: z.string().nullable(),
      planId: z.string().nullable(),
      missionId: z.string().nullable(),
      sortieId: z.string().nullable(),
      approvedBy: z
        .string()
        .nullable()
        .openapi({
          description: `\`${VERIFICATION_POLICY_ACTOR}\` when the standing approval rule applied, \`key:…\` for a person`,
        }),
      reasonCode: z.string().nullable(),
      reason: z.string().nullable(),
      trackUrl: z
        .string()
        .nullable()
        .openapi({ description: 'The flown track (GeoJSON Feature) once the sortie is done' }),
      steps: z.array(
        z.object({
          status: z.string(),
          at: z.string(),
          actor: z.string(),
          detail: z.string().nullable(),
        }),
      ),
      createdAt: z.string(),
      updatedAt: z.string(),
      completedAt: z.string().nullable(),
    })
    .openapi('Verification');

  const verificationJson = ({
    request: r,
    flight: f,
  }: VerificationRecord): z.infer<typeof verificationOut> => {
    // The dock that flies it, once chosen among the caller's own and shared docks (the request's
    // nearest dock may be another agency's unshared one, which the caller must not learn of).
    const dockId = f?.dockId ?? null;
    return {
      id: r.id,
      alertId: r.alertId,
      agencyId: r.agencyId,
      status: r.status,
      dockId,
      dockDistanceM: dockId !== null && dockId === r.dockId ? r.dockDistanceM : null,
      note: r.note,
      payload: f?.payload ?? null,
      purpose: f?.purpose ?? null,
      planId: f?.planId ?? null,
      missionId: f?.missionId ?? null,
      sortieId: f?.sortieId ?? null,
      approvedBy: f?.approvedBy ?? null,
      reasonCode: f?.reasonCode ?? null,
      reason: f?.reason ?? null,
      trackUrl:
        r.status === 'done' && f?.missionId && f.sortieId
          ? trackUrlOf(f.missionId, f.sortieId)
          : null,
      steps: f?.steps ?? [],
      createdAt: r.createdAt.toISOString(),
      updatedAt: (f?.updatedAt ?? r.createdAt).toISOString(),
      completedAt: iso(f?.completedAt ?? null),
    };
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/verification',
      tags: ['alerts'],
      summary: 'Ask for a close-up verification flight from the nearest capable dock',
      description:
        'Answers 201 at once with the stored request; the service then plans an inspection tour over and around the alert from the nearest own or shared dock whose drone carries the payload the alert type needs (IR for fire and pollution, lidar for logging and flood) and can reach it, and asks the fleet for a mission on behalf of the caller’s agency (priority from the alert type). The dock owner approves; high and critical alerts from a shared dock are approved by a standing rule. Follow it with GET.',
      security,
      request: {
        params: idParams,
        body: { content: { 'application/json': { schema: noteBody } }, required: false },
      },
      responses: {
        201: {
          description: 'The request',
          content: { 'application/json': { schema: verificationOut } },
        },
        ...errorResponses(400, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const text = await c.req.text();
      const parsed = noteBody.safeParse(text.trim() ? (JSON.parse(text) as unknown) : {});
      if (!parsed.success)
        throw new AppError('VALIDATION_FAILED', 'The request body is not valid.');
      const row = service.requestVerification(actorOf(c.get('auth')), id, parsed.data.note);
      c.header('Location', `/v1/alerts/${id}/verification`);
      return c.json(verificationJson({ request: row, flight: null }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/verification',
      tags: ['alerts'],
      summary: 'The verification flights asked for an alert, with their status',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'Requests, oldest first',
          content: {
            'application/json': { schema: z.object({ items: z.array(verificationOut) }) },
          },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      // Only agencies that see the alert see its verifications (404 otherwise, as for the alert).
      service.getAlert(actorOf(c.get('auth')), id);
      return c.json({ items: verification.list(id).map(verificationJson) }, 200);
    },
  );

  return app;
}
