import { createRoute, z } from '@hono/zod-openapi';
import {
  MISSION_PURPOSE_NAMES,
  MISSION_STATUSES,
  SORTIE_STATE_NAMES,
  type Mission,
  type Sortie,
  type SortieTransition,
} from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import type { AppDeps } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  pageQuery,
  parseCursor,
  requireContentType,
  security,
  pageResponse,
} from '../../http/router';
import { fleetServiceFor, sortieTrack } from '../../services/fleet/index';
import { actorOf, sortieJson, sortieOut } from '../fleet/sortie-json';

const lonLat = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .openapi({ description: '[lon, lat] in degrees, WGS-84' });

const missionItem = z
  .object({
    command: z.number().int().min(0).max(65535),
    frame: z.number().int().min(0).max(21),
    param1: z.number().default(0),
    param2: z.number().default(0),
    param3: z.number().default(0),
    param4: z.number().default(0),
    position: lonLat.nullable(),
    altM: z.number().min(-500).max(10_000),
    autocontinue: z.boolean().default(true),
  })
  .strict()
  .openapi('MissionItem');

const routeSchema = z
  .object({
    mission: z.array(missionItem).max(5000).default([]),
    fence: z.array(missionItem).max(500).default([]),
    rally: z.array(missionItem).max(50).default([]),
  })
  .strict()
  .openapi('SortieRoute', {
    description: 'The MAVLink items to upload: mission, geofence and rally points',
  });

const scheduleSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('immediate') }).strict(),
    z.object({ kind: z.literal('at'), at: z.iso.datetime({ offset: true }) }).strict(),
    z
      .object({
        kind: z.literal('recurring'),
        rule: z.string().min(6).max(500).openapi({
          description: 'RFC 5545 RRULE without DTSTART',
          example: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
        }),
        startsAt: z.iso.datetime({ offset: true }),
        endsAt: z.iso.datetime({ offset: true }),
        timeZone: z.string().min(1).max(64).default('Asia/Shanghai'),
      })
      .strict(),
  ])
  .openapi('MissionSchedule');

const missionInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    purpose: z.enum(MISSION_PURPOSE_NAMES),
    areaIds: z.array(z.string().min(1).max(100)).min(1).max(50),
    dockId: z.string().min(1).max(100),
    planId: z.string().min(1).max(100).nullable().default(null),
    route: routeSchema.default({ mission: [], fence: [], rally: [] }),
    estimatedFlightMin: z
      .number()
      .positive()
      .max(600)
      .nullable()
      .default(null)
      .openapi({ description: 'Expected flight time, minutes; derived from the route if null' }),
    schedule: scheduleSchema,
    windowMin: z
      .number()
      .positive()
      .max(24 * 60)
      .default(30)
      .openapi({ description: 'How long after its due time a sortie may still launch, minutes' }),
  })
  .strict()
  .openapi('MissionInput');

const missionOut = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    ownerAgencyId: z.string(),
    dockId: z.string(),
    planId: z.string().nullable(),
    name: z.string(),
    purpose: z.enum(MISSION_PURPOSE_NAMES),
    priority: z.number(),
    areaIds: z.array(z.string()),
    schedule: scheduleSchema,
    windowMin: z.number(),
    estimatedFlightMin: z.number(),
    routeItems: z.object({ mission: z.number(), fence: z.number(), rally: z.number() }),
    status: z.enum(MISSION_STATUSES),
    statusReason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sorties: z.array(sortieOut).optional(),
  })
  .openapi('Mission');

const transitionOut = z
  .object({
    from: z.enum(SORTIE_STATE_NAMES).nullable(),
    to: z.enum(SORTIE_STATE_NAMES),
    at: z.string(),
    actor: z.string(),
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('SortieTransition');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function missionJson(m: Mission, sorties?: Sortie[]): z.infer<typeof missionOut> {
  return {
    id: m.id,
    agencyId: m.agencyId,
    ownerAgencyId: m.ownerAgencyId,
    dockId: m.dockId,
    planId: m.planId,
    name: m.name,
    purpose: m.purpose,
    priority: m.priority,
    areaIds: m.areaIds,
    schedule: m.schedule,
    windowMin: m.windowMin,
    estimatedFlightMin: Math.round(m.estimatedFlightMin * 100) / 100,
    routeItems: {
      mission: m.route.mission.length,
      fence: m.route.fence.length,
      rally: m.route.rally.length,
    },
    status: m.status,
    statusReason: m.statusReason,
    decidedBy: m.decidedBy,
    decidedAt: iso(m.decidedAt),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    ...(sorties ? { sorties: sorties.map(sortieJson) } : {}),
  };
}

function transitionJson(t: SortieTransition): z.infer<typeof transitionOut> {
  return {
    from: t.fromState,
    to: t.toState,
    at: t.at.toISOString(),
    actor: t.actor,
    reasonCode: t.reasonCode,
    reason: t.reason,
  };
}

const sortieParams = z.object({
  id: idParams.shape.id,
  sortieId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'sortieId', in: 'path' }, example: 'srt_Xy3…' }),
});

const reasonBody = z
  .object({ reason: z.string().trim().min(1).max(500).nullable().default(null) })
  .strict();

/**
 * `/v1/missions`: agencies request missions over their areas from a dock; the dock owner
 * approves or rejects; sorties are aborted, paused, resumed and acted on here.
 */
export function createMissionsRoutes(deps: AppDeps) {
  const app = createRouter();
  const fleet = () => fleetServiceFor(deps);

  app.on(['POST'], ['/', '/*'], requireContentType('application/json'));
  app.on(['POST'], ['/', '/*'], requireRole('admin', 'planner', 'operator'));

  const missionResponse = { content: { 'application/json': { schema: missionOut } } };
  const sortieResponse = { content: { 'application/json': { schema: sortieOut } } };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['missions'],
      summary: 'Request a mission over your areas from a dock (admin, planner, operator)',
      description:
        'Priority follows the purpose. One-off schedules get their sortie at once; recurring ones as the scheduler reaches them. Quotas are checked here and again at approval. A request by the dock owner’s own admins or operators is approved at once.',
      security,
      request: {
        body: { required: true, content: { 'application/json': { schema: missionInput } } },
      },
      responses: {
        201: { description: 'Requested', ...missionResponse },
        ...errorResponses(400, 403, 409, 415, 422),
      },
    }),
    (c) => {
      const body = c.req.valid('json');
      const { mission, sorties } = fleet().requestMission(body, actorOf(c));
      return c.json(missionJson(mission, sorties), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['missions'],
      summary: 'List the missions you requested or that fly from your docks',
      security,
      request: { query: pageQuery.extend({ status: z.enum(MISSION_STATUSES).optional() }) },
      responses: {
        200: pageResponse(missionOut),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const a = actorOf(c);
      const result = deps.repos.missions.listMissions(
        { agencyId: a.agencyId, seesAll: a.seesAll },
        {
          cursor: parseCursor(q.cursor),
          limit: q.limit,
          ...(q.status ? { status: q.status } : {}),
        },
      );
      return c.json(
        { items: result.items.map((m) => missionJson(m)), nextCursor: result.nextCursor },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['missions'],
      summary: 'Get a mission with its sorties',
      security,
      request: { params: idParams },
      responses: {
        200: { description: 'The mission', ...missionResponse },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const mission = fleet().getMission(c.req.valid('param').id, actorOf(c));
      return c.json(missionJson(mission, deps.repos.missions.sortiesOfMission(mission.id)), 200);
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${decision}`,
        tags: ['missions'],
        summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a requested mission (the dock owner’s admins and operators)`,
        security,
        request: {
          params: idParams,
          body: { required: true, content: { 'application/json': { schema: reasonBody } } },
        },
        responses: {
          200: { description: 'Decided', ...missionResponse },
          ...errorResponses(400, 403, 404, 409, 415),
        },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const mission = fleet().decideMission(id, decision, reason, actorOf(c));
        return c.json(missionJson(mission, deps.repos.missions.sortiesOfMission(id)), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/sorties',
      tags: ['missions'],
      summary: 'Add a sortie of an approved mission, now',
      security,
      request: {
        params: idParams,
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({}).strict() } },
        },
      },
      responses: {
        201: { description: 'Scheduled', ...sortieResponse },
        ...errorResponses(400, 403, 404, 409, 415),
      },
    }),
    (c) => c.json(sortieJson(fleet().addSortieNow(c.req.valid('param').id, actorOf(c))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/sorties/{sortieId}',
      tags: ['missions'],
      summary: 'Get a sortie with every transition it went through',
      security,
      request: { params: sortieParams },
      responses: {
        200: {
          description: 'The sortie',
          content: {
            'application/json': {
              schema: sortieOut.extend({ transitions: z.array(transitionOut) }),
            },
          },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id, sortieId } = c.req.valid('param');
      const { sortie } = fleet().getSortie(id, sortieId, actorOf(c));
      return c.json(
        {
          ...sortieJson(sortie),
          transitions: deps.repos.missions.transitionsOf(sortie.id).map(transitionJson),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/sorties/{sortieId}/abort',
      tags: ['missions'],
      summary: 'Abort a sortie: never gated behind approvals (admins, operators)',
      description:
        'Before take-off the sortie ends aborted. In the air the drone is commanded home (unless it is in its own failsafe) and the sortie ends aborted once landed.',
      security,
      request: {
        params: sortieParams,
        body: { required: true, content: { 'application/json': { schema: reasonBody } } },
      },
      responses: {
        200: { description: 'Aborting or aborted', ...sortieResponse },
        ...errorResponses(400, 403, 404, 409, 415),
      },
    }),
    (c) => {
      const { id, sortieId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      return c.json(sortieJson(fleet().abortSortie(id, sortieId, reason, actorOf(c))), 200);
    },
  );

  for (const what of ['pause', 'resume'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/sorties/{sortieId}/${what}`,
        tags: ['missions'],
        summary: `${what === 'pause' ? 'Pause (hold position)' : 'Resume'} a sortie in flight (the dock owner’s admins and operators)`,
        security,
        request: {
          params: sortieParams,
          body: {
            required: true,
            content: { 'application/json': { schema: z.object({}).strict() } },
          },
        },
        responses: {
          200: { description: 'Done', ...sortieResponse },
          ...errorResponses(400, 403, 404, 409, 415),
          502: { description: 'The vehicle did not carry out the command' },
        },
      }),
      async (c) => {
        const { id, sortieId } = c.req.valid('param');
        const actor = actorOf(c);
        const sortie =
          what === 'pause'
            ? await fleet().pauseSortie(id, sortieId, actor)
            : await fleet().resumeSortie(id, sortieId, actor);
        return c.json(sortieJson(sortie), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/sorties/{sortieId}/operator-actions',
      tags: ['missions'],
      summary: 'Act on a vehicle failsafe (the dock owner’s admins and operators)',
      description:
        'A vehicle that entered its own failsafe is never commanded until an operator acknowledges it. Once landed, the operator resumes the sortie (queued again from its last reached item) or ends it.',
      security,
      request: {
        params: sortieParams,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  action: z.enum([
                    'acknowledge_failsafe',
                    'resume_after_failsafe',
                    'end_after_failsafe',
                  ]),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: { description: 'Done', ...sortieResponse },
        ...errorResponses(400, 403, 404, 409, 415),
      },
    }),
    (c) => {
      const { id, sortieId } = c.req.valid('param');
      const { action } = c.req.valid('json');
      return c.json(sortieJson(fleet().operatorAction(id, sortieId, action, actorOf(c))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/sorties/{sortieId}/track',
      tags: ['missions'],
      summary: 'The flown track of a sortie as a GeoJSON Feature (~1 Hz samples)',
      security,
      request: { params: sortieParams },
      responses: {
        200: {
          description: 'A GeoJSON Feature: LineString of [lon, lat, altM]',
          content: {
            'application/geo+json': {
              schema: z.object({ type: z.literal('Feature') }).passthrough(),
            },
          },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id, sortieId } = c.req.valid('param');
      const { sortie } = fleet().getSortie(id, sortieId, actorOf(c));
      fleet().flushTelemetry();
      const feature = sortieTrack(sortie.id, deps.repos.fleetOps.samplesOfSortie(sortie.id));
      return c.json(feature, 200, { 'content-type': 'application/geo+json' });
    },
  );

  return app;
}
