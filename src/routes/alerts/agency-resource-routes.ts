import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Cursor, Page, Scope } from '../../../db/index';
import { AppError, type ErrorCode } from '../../errors';
import type { AppEnv, AuthContext } from '../../http/app-env';
import {
  errorResponses,
  idParams,
  pageQuery,
  pageResponse,
  parseCursor,
  scopeOf,
  security,
} from '../../http/router';

/**
 * The routes every per-agency resource of the alerts admin (suppressions, rules, webhook
 * endpoints) shares: the same list, removal and "stored" answer, each scoped to the caller's
 * agency (all agencies for the utility's admins), so another agency's id answers 404.
 */

/** The 2xx answer of a route that stores a resource: the resource, with at least `shape`. */
export function storedResponse(description: string, shape: z.ZodRawShape = { id: z.string() }) {
  return {
    description,
    content: { 'application/json': { schema: z.object(shape).passthrough() } },
  };
}

/**
 * `GET /`: the caller's resources a page at a time, each as `toJson` writes it.
 *
 * @example
 * addListRoute(app, { tag: 'alert rules', summary: 'List the caller’s rules', list: (s, p) => repo.listRules(s, p), toJson: ruleJson });
 */
export function addListRoute<Row>(
  app: OpenAPIHono<AppEnv>,
  options: {
    tag: string;
    summary: string;
    list: (scope: Scope, page: { cursor: Cursor | null; limit: number }) => Page<Row>;
    toJson: (row: Row) => unknown;
  },
): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: [options.tag],
      summary: options.summary,
      security,
      request: { query: pageQuery },
      responses: {
        200: pageResponse(z.unknown()),
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const page = options.list(scopeOf(c.get('auth')), {
        cursor: parseCursor(q.cursor),
        limit: q.limit,
      });
      return c.json({ items: page.items.map(options.toJson), nextCursor: page.nextCursor }, 200);
    },
  );
}

/**
 * `DELETE /{id}`: removes one of the caller's resources (204), or answers `notFound` naming the id.
 *
 * @example
 * addDeleteRoute(app, { tag: 'webhooks', summary: 'Remove an endpoint (admin)', remove: (id, s) => repo.deleteEndpoint(id, s), notFound: ['WEBHOOK_NOT_FOUND', 'No webhook endpoint'] });
 */
export function addDeleteRoute(
  app: OpenAPIHono<AppEnv>,
  options: {
    tag: string;
    summary: string;
    /** Removes it; `auth` is the caller (for the audit entry). */
    remove: (id: string, scope: Scope, auth: AuthContext) => boolean;
    /** The error code and the message before the id (`No rule` → `No rule rule_….`). */
    notFound: [ErrorCode, string];
  },
): void {
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags: [options.tag],
      summary: options.summary,
      security,
      request: { params: idParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(403, 404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const auth = c.get('auth');
      if (!options.remove(id, scopeOf(auth), auth))
        throw new AppError(options.notFound[0], `${options.notFound[1]} ${id}.`);
      return c.body(null, 204);
    },
  );
}

/**
 * `PATCH /{id}`: reads one of the caller's resources (or answers `notFound`), lets `change` make
 * the next version from it and the validated body, stores it and answers it (200).
 *
 * @example
 * addUpdateRoute(app, { tag: 'webhooks', summary: 'Re-enable or disable an endpoint (admin)', body: z.object({ enabled: z.boolean() }), answer: 'The endpoint', errors: [400, 403, 404], get: (id, s) => repo.getEndpoint(id, s), notFound: ['WEBHOOK_NOT_FOUND', 'No webhook endpoint'], change: (e, b) => ({ ...e, enabled: b.enabled }), update: (id, e) => repo.updateEndpoint(id, e), toJson: endpointJson });
 */
export function addUpdateRoute<Row, Body>(
  app: OpenAPIHono<AppEnv>,
  options: {
    tag: string;
    summary: string;
    body: z.ZodType<Body>;
    /** The description of the 200 answer. */
    answer: string;
    /** Error statuses besides 401, for the OpenAPI document. */
    errors: number[];
    get: (id: string, scope: Scope) => Row | undefined;
    notFound: [ErrorCode, string];
    change: (current: Row, body: Body) => Row;
    /** Stores the next version; `auth` is the caller (for the audit entry). */
    update: (id: string, next: Row, auth: AuthContext) => void;
    toJson: (row: Row) => Record<string, unknown>;
  },
): void {
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags: [options.tag],
      summary: options.summary,
      security,
      request: {
        params: idParams,
        body: { content: { 'application/json': { schema: options.body } }, required: true },
      },
      responses: {
        200: storedResponse(options.answer),
        ...errorResponses(...options.errors),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const auth = c.get('auth');
      const current = options.get(id, scopeOf(auth));
      if (current === undefined)
        throw new AppError(options.notFound[0], `${options.notFound[1]} ${id}.`);
      const next = options.change(current, c.req.valid('json'));
      options.update(id, next, auth);
      return c.json(options.toJson(next), 200);
    },
  );
}
