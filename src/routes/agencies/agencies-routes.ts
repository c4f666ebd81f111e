import { createRoute, z } from '@hono/zod-openapi';
import {
  AGENCY_KINDS,
  ALERT_TYPES,
  ROLES,
  type Agency,
  type ApiKeyRecord,
} from '../../../db/index';
import { generateApiKey } from '../../auth/api-key';
import { AppError } from '../../errors';
import type { AppDeps, AuthContext } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  pageQuery,
  pageResponse,
  parseCursor,
  requireContentType,
  security,
} from '../../http/router';

const position = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .rest(z.number());
const ring = z.array(position).min(4);
export const polygonalSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
    z.object({
      type: z.literal('MultiPolygon'),
      coordinates: z.array(z.array(ring).min(1)).min(1),
    }),
  ])
  .openapi('PolygonalGeometry', {
    description: 'GeoJSON Polygon or MultiPolygon, WGS-84 [lon, lat].',
  });

const agencyInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    kind: z.enum(AGENCY_KINDS),
    jurisdiction: polygonalSchema.nullable().default(null),
    alertTypes: z.array(z.enum(ALERT_TYPES)).max(ALERT_TYPES.length).default([]),
  })
  .openapi('AgencyInput');

const agencyOut = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(AGENCY_KINDS),
    jurisdiction: polygonalSchema.nullable(),
    alertTypes: z.array(z.enum(ALERT_TYPES)),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Agency');

const keyInput = z
  .object({
    role: z.enum(ROLES),
    name: z.string().trim().min(1).max(120).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .openapi('ApiKeyInput');

const keyOut = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    role: z.enum(ROLES),
    name: z.string().nullable(),
    prefix: z.string(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ApiKey');

const createdKeyOut = keyOut
  .extend({
    key: z.string().openapi({ description: 'The secret. Shown once; only its hash is stored.' }),
  })
  .openapi('CreatedApiKey');

export function agencyJson(a: Agency): z.infer<typeof agencyOut> {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    jurisdiction: a.jurisdiction as z.infer<typeof polygonalSchema> | null,
    alertTypes: a.alertTypes,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function keyJson(k: ApiKeyRecord): z.infer<typeof keyOut> {
  return {
    id: k.id,
    agencyId: k.agencyId,
    role: k.role,
    name: k.name,
    prefix: k.prefix,
    expiresAt: k.expiresAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}

const isUtilityAdmin = (auth: AuthContext) => auth.seesAll;

/** `/v1/agencies`: utility admins manage every agency; an agency's admins manage its keys. */
export function createAgenciesRoutes(deps: AppDeps) {
  const app = createRouter();
  const { agencies } = deps.repos;

  const visible = (auth: AuthContext, id: string): Agency => {
    const agency = agencies.findById(id);
    if (!agency || (!auth.seesAll && agency.id !== auth.agencyId))
      throw new AppError('AGENCY_NOT_FOUND', `No agency ${id}.`);
    return agency;
  };

  const manageKeys = (auth: AuthContext, id: string): Agency => {
    const agency = visible(auth, id);
    if (auth.role !== 'admin')
      throw new AppError(
        'FORBIDDEN',
        `Managing keys needs the admin role; the key has role ${auth.role}.`,
      );
    return agency;
  };

  app.use('/', async (c, next) => {
    if (c.req.method === 'POST' && !isUtilityAdmin(c.get('auth'))) {
      throw new AppError('FORBIDDEN', 'Only the utility’s admins create agencies.');
    }
    await next();
  });
  app.on(['POST', 'PATCH'], ['/', '/:id', '/:id/keys'], requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['agencies'],
      summary: 'Create an agency (utility admins)',
      security,
      request: {
        body: { required: true, content: { 'application/json': { schema: agencyInput } } },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: agencyOut } } },
        ...errorResponses(400, 403, 409, 415),
      },
    }),
    (c) => {
      const body = c.req.valid('json');
      const created = agencies.create(body, deps.now());
      if (created === 'name_taken')
        throw new AppError(
          'AGENCY_NAME_TAKEN',
          `An agency named ${JSON.stringify(body.name)} exists already.`,
        );
      return c.json(agencyJson(created), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['agencies'],
      summary: 'List agencies (utility admins see all; others their own)',
      security,
      request: { query: pageQuery },
      responses: {
        200: pageResponse(agencyOut),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const q = c.req.valid('query');
      const result = agencies.list({
        ...(auth.seesAll ? {} : { onlyId: auth.agencyId }),
        cursor: parseCursor(q.cursor),
        limit: q.limit,
      });
      return c.json({ items: result.items.map(agencyJson), nextCursor: result.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['agencies'],
      summary: 'Get an agency',
      security,
      request: { params: idParams },
      responses: {
        200: { description: 'The agency', content: { 'application/json': { schema: agencyOut } } },
        ...errorResponses(404),
      },
    }),
    (c) => c.json(agencyJson(visible(c.get('auth'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags: ['agencies'],
      summary: 'Change an agency (utility admins)',
      security,
      request: {
        params: idParams,
        body: {
          required: true,
          content: { 'application/json': { schema: agencyInput.partial().strict() } },
        },
      },
      responses: {
        200: { description: 'Updated', content: { 'application/json': { schema: agencyOut } } },
        ...errorResponses(400, 403, 404, 409, 415),
      },
    }),
    (c) => {
      const auth = c.get('auth');
      const { id } = c.req.valid('param');
      visible(auth, id);
      if (!isUtilityAdmin(auth))
        throw new AppError('FORBIDDEN', 'Only the utility’s admins change agencies.');
      const patch = Object.fromEntries(
        Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined),
      );
      const updated = agencies.update(id, patch, deps.now());
      if (updated === 'not_found') throw new AppError('AGENCY_NOT_FOUND', `No agency ${id}.`);
      if (updated === 'name_taken')
        throw new AppError('AGENCY_NAME_TAKEN', 'Another agency has that name.');
      return c.json(agencyJson(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/keys',
      tags: ['keys'],
      summary:
        'Create an API key for the agency (its admins, or utility admins). The key is shown once.',
      security,
      request: {
        params: idParams,
        body: { required: true, content: { 'application/json': { schema: keyInput } } },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: createdKeyOut } } },
        ...errorResponses(400, 403, 404, 415),
      },
    }),
    (c) => {
      const agency = manageKeys(c.get('auth'), c.req.valid('param').id);
      const body = c.req.valid('json');
      const now = deps.now();
      const days = body.expiresInDays ?? deps.config.API_KEY_TTL_DAYS;
      const secret = generateApiKey();
      const record = agencies.createKey(
        {
          agencyId: agency.id,
          role: body.role,
          hash: secret.hash,
          prefix: secret.prefix,
          name: body.name ?? null,
          expiresAt: new Date(now.getTime() + days * 86_400_000),
        },
        now,
      );
      return c.json({ ...keyJson(record), key: secret.key }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/keys',
      tags: ['keys'],
      summary: 'List the agency’s API keys (never their secrets)',
      security,
      request: { params: idParams },
      responses: {
        200: {
          description: 'Keys',
          content: { 'application/json': { schema: z.object({ items: z.array(keyOut) }) } },
        },
        ...errorResponses(403, 404),
      },
    }),
    (c) => {
      const agency = manageKeys(c.get('auth'), c.req.valid('param').id);
      return c.json({ items: agencies.listKeys(agency.id).map(keyJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}/keys/{keyId}',
      tags: ['keys'],
      summary: 'Revoke an API key',
      security,
      request: { params: idParams.extend({ keyId: z.string().min(1).max(100) }) },
      responses: {
        200: { description: 'Revoked', content: { 'application/json': { schema: keyOut } } },
        ...errorResponses(403, 404),
      },
    }),
    (c) => {
      const { id, keyId } = c.req.valid('param');
      const agency = manageKeys(c.get('auth'), id);
      const key = agencies.findKey(keyId);
      if (!key || key.agencyId !== agency.id)
        throw new AppError('API_KEY_NOT_FOUND', `No key ${keyId} in agency ${id}.`);
      const revoked = agencies.revokeKey(keyId, deps.now());
      if (!revoked) throw new AppError('API_KEY_NOT_FOUND', `No key ${keyId}.`);
      return c.json(keyJson(revoked), 200);
    },
  );

  return app;
}
