import { createRoute, z } from '@hono/zod-openapi';
import type { Dock, Scope, SystemIdClash } from '../../../db/index';
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
import { linkUrlSchema } from './link-url';

const dockInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    position: z
      .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
      .openapi({ description: '[lon, lat] in degrees, WGS-84', example: [119.83, 30.36] }),
    groundAltM: z
      .number()
      .min(-500)
      .max(9000)
      .openapi({ description: 'Ground altitude AMSL at the dock, metres' }),
    linkUrl: linkUrlSchema,
    systemId: z
      .number()
      .int()
      .min(1)
      .max(255)
      .nullable()
      .default(null)
      .openapi({ description: 'The dock controller’s MAVLink system id on its link' }),
    shared: z.boolean().default(false).openapi({
      description:
        'Shared flights: every agency sees the dock read-only (without its link), may plan from it and request sorties there. PUT replaces it too (omitted → false).',
    }),
  })
  .strict()
  .openapi('DockInput');

const dockOut = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    name: z.string(),
    position: z.tuple([z.number(), z.number()]),
    groundAltM: z.number(),
    linkUrl: z.string().nullable().openapi({
      description: 'The dock’s MAVLink link; null when the dock is another agency’s shared dock',
    }),
    systemId: z.number().nullable(),
    shared: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Dock');

/** A dock as `viewer` may see it: another agency's shared dock hides its link details. */
export function dockJson(d: Dock, viewer: Scope): z.infer<typeof dockOut> {
  const owns = viewer.seesAll || viewer.agencyId === d.agencyId;
  return {
    id: d.id,
    agencyId: d.agencyId,
    name: d.name,
    position: [d.lon, d.lat],
    groundAltM: d.groundAltM,
    linkUrl: owns ? d.linkUrl : null,
    systemId: owns ? d.systemId : null,
    shared: d.shared,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function systemIdTaken(
  clash: SystemIdClash,
  systemId: number | null,
  linkUrl: string,
): AppError {
  return new AppError(
    'SYSTEM_ID_TAKEN',
    `MAVLink system id ${systemId} is already used on ${linkUrl} by ${clash.clash} ${clash.id}.`,
  );
}

const isClash = (v: unknown): v is SystemIdClash =>
  typeof v === 'object' && v !== null && 'clash' in v;

/**
 * `/v1/docks`: admins and operators manage their agency's docks; every role reads them, and
 * every agency reads the docks their owners share (read-only, link hidden).
 */
export function createDocksRoutes(deps: AppDeps) {
  const app = createRouter();
  const { fleet } = deps.repos;

  app.on(['POST', 'PUT', 'DELETE'], ['/', '/:id'], requireRole('admin', 'operator'));
  app.on(['POST', 'PUT'], ['/', '/:id'], requireContentType('application/json'));

  /** A shared dock the caller can read but not change answers 403; an unseen one 404. */
  const notYours = (id: string, scope: Scope): AppError =>
    fleet.getDock(id, scope)
      ? new AppError('DOCK_NOT_OWNED', `Dock ${id} is shared with your agency read-only.`)
      : new AppError('DOCK_NOT_FOUND', `No dock ${id}.`);

  const dockResponse = { content: { 'application/json': { schema: dockOut } } };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['docks'],
      summary: 'Register a dock (admin, operator)',
      security,
      request: { body: { required: true, content: { 'application/json': { schema: dockInput } } } },
      responses: {
        201: { description: 'Created', ...dockResponse },
        ...errorResponses(400, 403, 409, 415),
      },
    }),
    (c) => {
      const { position, ...rest } = c.req.valid('json');
      const created = fleet.createDock(
        { ...rest, lon: position[0], lat: position[1] },
        c.get('auth').agencyId,
        deps.now(),
      );
      if (isClash(created)) throw systemIdTaken(created, rest.systemId, rest.linkUrl);
      return c.json(dockJson(created, scopeOf(c.get('auth'))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['docks'],
      summary: 'List the docks visible to the caller',
      security,
      request: { query: pageQuery },
      responses: {
        200: pageResponse(dockOut),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const scope = scopeOf(c.get('auth'));
      const result = fleet.listDocks(scope, { cursor: parseCursor(q.cursor), limit: q.limit });
      return c.json(
        { items: result.items.map((d) => dockJson(d, scope)), nextCursor: result.nextCursor },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['docks'],
      summary: 'Get a dock',
      security,
      request: { params: idParams },
      responses: { 200: { description: 'The dock', ...dockResponse }, ...errorResponses(404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const scope = scopeOf(c.get('auth'));
      const dock = fleet.getDock(id, scope);
      if (!dock) throw new AppError('DOCK_NOT_FOUND', `No dock ${id}.`);
      return c.json(dockJson(dock, scope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{id}',
      tags: ['docks'],
      summary: 'Replace a dock’s fields (admin, operator)',
      security,
      request: {
        params: idParams,
        body: { required: true, content: { 'application/json': { schema: dockInput } } },
      },
      responses: {
        200: { description: 'Updated', ...dockResponse },
        ...errorResponses(400, 403, 404, 409, 415),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const { position, ...rest } = c.req.valid('json');
      const scope = scopeOf(c.get('auth'));
      const updated = fleet.updateDock(
        id,
        scope,
        { ...rest, lon: position[0], lat: position[1] },
        deps.now(),
      );
      if (!updated) throw notYours(id, scope);
      if (isClash(updated)) throw systemIdTaken(updated, rest.systemId, rest.linkUrl);
      return c.json(dockJson(updated, scope), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['docks'],
      summary: 'Remove a dock that has no drones (admin, operator)',
      security,
      request: { params: idParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404, 409) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const scope = scopeOf(c.get('auth'));
      const outcome = fleet.deleteDock(id, scope);
      if (outcome === 'not_found') throw notYours(id, scope);
      if (outcome === 'in_use')
        throw new AppError(
          'DOCK_IN_USE',
          `Dock ${id} still houses drones; move or remove them first.`,
        );
      return c.body(null, 204);
    },
  );

  return app;
}
