import { createRoute, z } from '@hono/zod-openapi';
import { PAYLOAD_KINDS, type Drone, type Payload } from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import { AppError } from '../../errors';
import type { AppDeps } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  pageQuery,
  pageResponse,
  parseCursor,
  requireContentType,
  scopeOf,
  security,
} from '../../http/router';
import { systemIdTaken } from '../docks/docks-routes';

const payloadSchema = z
  .object({
    kind: z.enum(PAYLOAD_KINDS),
    sensorWidthMm: z.number().positive().max(100).optional(),
    sensorHeightMm: z.number().positive().max(100).optional(),
    focalLengthMm: z.number().positive().max(1000).optional(),
    imageWidthPx: z.number().int().positive().max(100_000).optional(),
    imageHeightPx: z.number().int().positive().max(100_000).optional(),
    hfovDeg: z.number().positive().lt(180).optional(),
    vfovDeg: z.number().positive().lt(180).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const lens =
      p.sensorWidthMm !== undefined &&
      p.sensorHeightMm !== undefined &&
      p.focalLengthMm !== undefined;
    const fov = p.hfovDeg !== undefined;
    if (!lens && !fov) {
      ctx.addIssue({
        code: 'custom',
        message: `payload ${p.kind}: give sensorWidthMm, sensorHeightMm and focalLengthMm, or hfovDeg (and vfovDeg)`,
      });
    }
    if (
      p.kind !== 'lidar' &&
      lens &&
      (p.imageWidthPx === undefined || p.imageHeightPx === undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageWidthPx'],
        message: `payload ${p.kind}: a camera needs imageWidthPx and imageHeightPx`,
      });
    }
  })
  .openapi('Payload');

const droneInput = z
  .object({
    dockId: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(120),
    systemId: z
      .number()
      .int()
      .min(1)
      .max(254)
      .openapi({ description: 'MAVLink system id, unique on its dock’s link' }),
    model: z.string().trim().min(1).max(120),
    cruiseSpeedMps: z.number().positive().max(60),
    maxFlightTimeMin: z.number().positive().max(600),
    batteryReservePct: z.number().min(0).max(90).default(25),
    maxWindMps: z.number().positive().max(40).default(12),
    payloads: z.array(payloadSchema).max(8).default([]),
  })
  .strict()
  .openapi('DroneInput');

const droneOut = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    dockId: z.string(),
    name: z.string(),
    systemId: z.number(),
    model: z.string(),
    cruiseSpeedMps: z.number(),
    maxFlightTimeMin: z.number(),
    batteryReservePct: z.number(),
    maxWindMps: z.number(),
    payloads: z.array(payloadSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Drone');

export function droneJson(d: Drone): z.infer<typeof droneOut> {
  return {
    id: d.id,
    agencyId: d.agencyId,
    dockId: d.dockId,
    name: d.name,
    systemId: d.systemId,
    model: d.model,
    cruiseSpeedMps: d.cruiseSpeedMps,
    maxFlightTimeMin: d.maxFlightTimeMin,
    batteryReservePct: d.batteryReservePct,
    maxWindMps: d.maxWindMps,
    payloads: d.payloads,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** `/v1/drones`: drones live in the caller's own docks. */
export function createDronesRoutes(deps: AppDeps) {
  const app = createRouter();
  const { fleet } = deps.repos;

  app.on(['POST', 'PUT', 'DELETE'], ['/', '/:id'], requireRole('admin', 'operator'));
  app.on(['POST', 'PUT'], ['/', '/:id'], requireContentType('application/json'));

  const droneResponse = { content: { 'application/json': { schema: droneOut } } };

  /**
   * The dock must be the caller's own: another agency's dock id answers as unknown, even a
   * shared one (sharing lends sorties, not hangar space).
   */
  const checkDock = (auth: { agencyId: string; seesAll: boolean }, dockId: string) => {
    const dock = fleet.getOwnDock(dockId, scopeOf(auth));
    if (!dock) {
      throw new AppError(
        'DOCK_REFERENCE_INVALID',
        `Dock ${dockId} does not exist or is not yours.`,
        {
          issues: [
            {
              path: '/body/dockId',
              code: 'UNKNOWN_DOCK',
              message: `no dock ${dockId} visible to this agency`,
            },
          ],
        },
      );
    }
    return dock;
  };

  const save = (
    result: Drone | { clash: 'drone' | 'dock'; id: string } | 'dock_not_found' | undefined,
    body: { systemId: number; dockId: string },
    linkUrl: string,
  ) => {
    if (result === 'dock_not_found')
      throw new AppError('DOCK_REFERENCE_INVALID', `Dock ${body.dockId} does not exist.`);
    if (result && 'clash' in result) throw systemIdTaken(result, body.systemId, linkUrl);
    return result;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['drones'],
      summary: 'Register a drone in one of your docks (admin, operator)',
      security,
      request: {
        body: { required: true, content: { 'application/json': { schema: droneInput } } },
      },
      responses: {
        201: { description: 'Created', ...droneResponse },
        ...errorResponses(400, 403, 409, 415, 422),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const body = c.req.valid('json');
      const dock = checkDock(auth, body.dockId);
      const created = save(
        fleet.createDrone(
          { ...body, payloads: body.payloads as Payload[] },
          auth.agencyId,
          deps.now(),
        ),
        body,
        dock.linkUrl,
      );
      return c.json(droneJson(created!), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['drones'],
      summary: 'List the drones visible to the caller',
      security,
      request: { query: pageQuery.extend({ dockId: z.string().max(100).optional() }) },
      responses: {
        200: pageResponse(droneOut),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const result = fleet.listDrones(scopeOf(c.get('auth')), {
        ...(q.dockId ? { dockId: q.dockId } : {}),
        cursor: parseCursor(q.cursor),
        limit: q.limit,
      });
      return c.json({ items: result.items.map(droneJson), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['drones'],
      summary: 'Get a drone',
      security,
      request: { params: idParams },
      responses: { 200: { description: 'The drone', ...droneResponse }, ...errorResponses(404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const drone = fleet.getDrone(id, scopeOf(c.get('auth')));
      if (!drone) throw new AppError('DRONE_NOT_FOUND', `No drone ${id}.`);
      return c.json(droneJson(drone), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{id}',
      tags: ['drones'],
      summary: 'Replace a drone’s fields (admin, operator)',
      security,
      request: {
        params: idParams,
        body: { required: true, content: { 'application/json': { schema: droneInput } } },
      },
      responses: {
        200: { description: 'Updated', ...droneResponse },
        ...errorResponses(400, 403, 404, 409, 415, 422),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (!fleet.getDrone(id, scopeOf(auth)))
        throw new AppError('DRONE_NOT_FOUND', `No drone ${id}.`);
      const dock = checkDock(auth, body.dockId);
      const updated = save(
        fleet.updateDrone(
          id,
          scopeOf(auth),
          { ...body, payloads: body.payloads as Payload[] },
          deps.now(),
        ),
        body,
        dock.linkUrl,
      );
      if (!updated) throw new AppError('DRONE_NOT_FOUND', `No drone ${id}.`);
      return c.json(droneJson(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['drones'],
      summary: 'Remove a drone (admin, operator)',
      security,
      request: { params: idParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      if (fleet.deleteDrone(id, scopeOf(c.get('auth'))) === 'not_found')
        throw new AppError('DRONE_NOT_FOUND', `No drone ${id}.`);
      return c.body(null, 204);
    },
  );

  return app;
}
