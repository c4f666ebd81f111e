import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { AppError, pointer, type ProblemIssue } from '../errors';
import type { AppEnv } from './app-env';
import { decodeCursor, type Cursor } from '../../db/index';

const TARGET_PREFIX: Record<string, string> = {
  json: '/body',
  form: '/body',
  query: '/query',
  param: '/params',
  header: '/headers',
  cookie: '/cookies',
};

/** A router whose zod validation failures become one 400 problem listing every offending path. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const prefix = TARGET_PREFIX[result.target] ?? `/${result.target}`;
        throw new AppError(
          'VALIDATION_FAILED',
          `The request ${result.target === 'json' ? 'body' : result.target} is not valid.`,
          {
            issues: zodIssues(result.error.issues, prefix),
          },
        );
      }
      return undefined;
    },
  });
}

export function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: string): ProblemIssue[] {
  return issues.map((i) => ({
    path: pointer(i.path, prefix),
    code: i.code.toUpperCase(),
    message: i.message,
  }));
}

/** Refuses bodies whose Content-Type is not one of `types` (415), before anything reads them. */
export function requireContentType(...types: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = c.req.header('content-type');
    const type = raw?.split(';')[0]?.trim().toLowerCase();
    if (!type || !types.includes(type)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as ${types.join(' or ')}${raw ? `, not ${raw}` : ''}.`,
      );
    }
    await next();
  };
}

export const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'area_Xy3…' }),
});

export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .openapi({ description: 'Items per page (1–500).' }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export function parseCursor(text: string | undefined): Cursor | null {
  if (text === undefined) return null;
  const cursor = decodeCursor(text);
  if (!cursor)
    throw new AppError('CURSOR_INVALID', 'The cursor is not one this service issued.', {
      issues: [
        { path: '/query/cursor', code: 'INVALID', message: 'not a cursor from a previous page' },
      ],
    });
  return cursor;
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), code: z.string(), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** The error answers every authenticated route can give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid request (every offending path listed)',
    401: 'Missing, invalid, expired or revoked API key',
    403: 'The key’s role does not allow this',
    404: 'Not found (or not visible to the caller’s agency)',
    409: 'Conflict with the current state',
    413: 'Body too large',
    415: 'Unsupported media type',
    422: 'Refers to something that cannot be used',
    503: 'Busy: retry after the Retry-After seconds',
  };
  return Object.fromEntries(
    [401, ...statuses].map((s) => [
      s,
      { description: descriptions[s] ?? 'Error', content: problemContent },
    ]),
  );
}

export const security = [{ bearerAuth: [] }];

/** The data scope of a caller: its own agency's rows, or every row for the utility's admins. */
export function scopeOf(auth: { agencyId: string; seesAll: boolean }): {
  agencyId: string;
  seesAll: boolean;
} {
  return { agencyId: auth.agencyId, seesAll: auth.seesAll };
}

/** The 200 answer of a list endpoint: a page of `item` with the cursor of the next page. */
export function pageResponse<T extends z.ZodType>(item: T, description = 'A page') {
  return {
    description,
    content: {
      'application/json': {
        schema: z.object({ items: z.array(item), nextCursor: z.string().nullable() }),
      },
    },
  };
}
