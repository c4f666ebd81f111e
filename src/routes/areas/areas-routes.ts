import { createRoute, z } from '@hono/zod-openapi';
import { AREA_KINDS, type Area } from '../../../db/index';
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
import { AREA_MEDIA_TYPES, ingestArea } from '../../services/areas/ingest-area';

const areaQuery = z.object({
  kind: z.enum(AREA_KINDS).optional().openapi({
    description: 'forest | river | points | no_fly (or a `kind` property in the body)',
  }),
  crs: z.enum(['wgs84', 'gcj02']).optional().openapi({
    description:
      'The datum of the uploaded coordinates; gcj02 (Chinese web maps, DataV) is converted to WGS-84',
  }),
  name: z.string().trim().min(1).max(200).optional(),
  corridorWidthM: z.coerce.number().positive().max(5000).optional().openapi({
    description:
      'river: corridor width in metres for centre lines that do not carry a corridorWidthM property',
  }),
});

const bbox = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .openapi({ description: '[minLon, minLat, maxLon, maxLat]' });

const areaSummary = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    name: z.string(),
    kind: z.enum(AREA_KINDS),
    version: z.number().int(),
    areaM2: z.number(),
    lengthM: z.number(),
    vertexCount: z.number().int(),
    bbox,
    properties: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AreaSummary');

const areaOut = areaSummary
  .extend({
    geojson: z
      .unknown()
      .openapi({ description: 'Normalised GeoJSON FeatureCollection (WGS-84, RFC 7946 winding)' }),
  })
  .openapi('Area');

function summaryJson(a: Area): z.infer<typeof areaSummary> {
  return {
    id: a.id,
    agencyId: a.agencyId,
    name: a.name,
    kind: a.kind,
    version: a.version,
    areaM2: a.areaM2,
    lengthM: a.lengthM,
    vertexCount: a.vertexCount,
    bbox: [a.minLon, a.minLat, a.maxLon, a.maxLat],
    properties: a.properties,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

const areaJson = (a: Area): z.infer<typeof areaOut> => ({ ...summaryJson(a), geojson: a.geojson });

const uploadBody = {
  required: true,
  description: 'GeoJSON (bare geometry, Feature or FeatureCollection) or KML.',
  content: Object.fromEntries(AREA_MEDIA_TYPES.map((t) => [t, { schema: z.unknown() }])),
};

/** `/v1/areas`: patrol areas owned by the uploader's agency, versioned on every update. */
export function createAreasRoutes(deps: AppDeps) {
  const app = createRouter();
  const repo = deps.repos.areas;

  app.on(['POST', 'PUT', 'DELETE'], ['/', '/:id'], requireRole('admin', 'planner'));
  app.on(['POST', 'PUT'], ['/', '/:id'], requireContentType(...AREA_MEDIA_TYPES));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['areas'],
      summary: 'Upload a patrol area (admin, planner)',
      description:
        'Kinds: `forest` (Polygon/MultiPolygon, holes allowed), `river` (LineString/MultiLineString with `corridorWidthM`, or Polygon), `points` (Point/MultiPoint with optional inspection actions), `no_fly` (Polygon with optional altitude band and time window). Every problem is listed with its JSON pointer.',
      security,
      request: { query: areaQuery, body: uploadBody },
      responses: {
        201: { description: 'Stored', content: { 'application/json': { schema: areaOut } } },
        ...errorResponses(400, 403, 413, 415),
      },
    }),
    async (c) => {
      const auth = c.get('auth');
      const q = c.req.valid('query');
      const ingested = await ingestArea(
        await c.req.arrayBuffer(),
        c.req.header('content-type') ?? '',
        {
          kind: q.kind,
          crs: q.crs,
          corridorWidthM: q.corridorWidthM,
          maxVertices: deps.config.MAX_AREA_VERTICES,
        },
      );
      const created = repo.create(
        { ...ingested, name: q.name ?? ingested.name ?? `${ingested.kind} area` },
        { agencyId: auth.agencyId, actor: auth.keyId },
        deps.now(),
      );
      return c.json(areaJson(created), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['areas'],
      summary: 'List the areas visible to the caller (without geometry)',
      security,
      request: { query: pageQuery.extend({ kind: z.enum(AREA_KINDS).optional() }) },
      responses: {
        200: pageResponse(areaSummary),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const page = repo.list(scopeOf(c.get('auth')), {
        ...(q.kind ? { kind: q.kind } : {}),
        cursor: parseCursor(q.cursor),
        limit: q.limit,
      });
      return c.json({ items: page.items.map(summaryJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['areas'],
      summary: 'Get an area with its geometry',
      security,
      request: { params: idParams },
      responses: {
        200: { description: 'The area', content: { 'application/json': { schema: areaOut } } },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const area = repo.get(id, scopeOf(c.get('auth')));
      if (!area) throw new AppError('AREA_NOT_FOUND', `No area ${id}.`);
      return c.json(areaJson(area), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/versions',
      tags: ['areas'],
      summary: 'Every version of an area, oldest first',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'Versions',
          content: {
            'application/json': {
              schema: z.object({
                items: z.array(
                  z.object({
                    version: z.number(),
                    name: z.string(),
                    createdAt: z.string(),
                    createdBy: z.string(),
                    geojson: z.unknown(),
                  }),
                ),
              }),
            },
          },
        },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      if (!repo.get(id, scopeOf(c.get('auth'))))
        throw new AppError('AREA_NOT_FOUND', `No area ${id}.`);
      const items = repo.versions(id).map((v) => ({
        version: v.version,
        name: v.name,
        createdAt: v.createdAt.toISOString(),
        createdBy: v.createdBy,
        geojson: v.geojson,
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{id}',
      tags: ['areas'],
      summary: 'Replace an area’s geometry: creates a new version (admin, planner)',
      security,
      request: { params: idParams, query: areaQuery, body: uploadBody },
      responses: {
        200: {
          description: 'The new version',
          content: { 'application/json': { schema: areaOut } },
        },
        ...errorResponses(400, 403, 404, 413, 415),
      },
    }),
    async (c) => {
      const auth = c.get('auth');
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      const current = repo.get(id, scopeOf(auth));
      if (!current) throw new AppError('AREA_NOT_FOUND', `No area ${id}.`);
      const ingested = await ingestArea(
        await c.req.arrayBuffer(),
        c.req.header('content-type') ?? '',
        {
          kind: q.kind ?? current.kind,
          crs: q.crs,
          corridorWidthM: q.corridorWidthM,
          maxVertices: deps.config.MAX_AREA_VERTICES,
        },
      );
      const updated = repo.update(
        id,
        scopeOf(auth),
        { ...ingested, name: q.name ?? ingested.name ?? current.name },
        auth.keyId,
        deps.now(),
      );
      if (!updated) throw new AppError('AREA_NOT_FOUND', `No area ${id}.`);
      return c.json(areaJson(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: ['areas'],
      summary: 'Delete an area no plan references (admin, planner)',
      security,
      request: { params: idParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(403, 404, 409) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const outcome = repo.delete(id, scopeOf(c.get('auth')));
      if (outcome === 'not_found') throw new AppError('AREA_NOT_FOUND', `No area ${id}.`);
      if (outcome === 'in_use')
        throw new AppError(
          'AREA_IN_USE',
          `Area ${id} is referenced by a plan; delete the plan first.`,
        );
      return c.body(null, 204);
    },
  );

  return app;
}
