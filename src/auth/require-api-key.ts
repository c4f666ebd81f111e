import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors';
import type { AppDeps, AppEnv } from '../http/app-env';
import { hashApiKey, looksLikeApiKey } from './api-key';
import type { Role } from '../../db/index';

const URL_KEY_PARAMS = ['api_key', 'apikey', 'key', 'token', 'access_token'];
const TOUCH_EVERY_MS = 60_000;

/**
 * Establishes `c.get('auth')` from `Authorization: Bearer <key>`. Keys are never accepted in
 * URLs (they would end up in proxy and access logs): a request that tries is refused.
 */
export function requireApiKey(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (URL_KEY_PARAMS.some((p) => url.searchParams.has(p))) {
      throw new AppError(
        'API_KEY_MISSING',
        'API keys are accepted only in the Authorization header, never in the URL.',
      );
    }
    const header = c.req.header('authorization');
    if (!header)
      throw new AppError('API_KEY_MISSING', 'Send the key as `Authorization: Bearer <key>`.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    if (!presented || !looksLikeApiKey(presented)) {
      throw new AppError(
        'API_KEY_INVALID',
        'The Authorization header does not carry a valid bearer key.',
        { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
      );
    }
    const found = deps.repos.agencies.findKeyByHash(hashApiKey(presented));
    if (!found)
      throw new AppError('API_KEY_INVALID', 'The API key is not known.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    const now = deps.now();
    if (found.key.revokedAt)
      throw new AppError('API_KEY_REVOKED', `The API key ${found.key.prefix}… was revoked.`);
    if (found.key.expiresAt.getTime() <= now.getTime()) {
      throw new AppError(
        'API_KEY_EXPIRED',
        `The API key ${found.key.prefix}… expired at ${found.key.expiresAt.toISOString()}.`,
      );
    }
    if (!found.key.lastUsedAt || now.getTime() - found.key.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      deps.repos.agencies.touchKey(found.key.id, now);
    }
    c.set('auth', {
      keyId: found.key.id,
      agencyId: found.agency.id,
      agencyName: found.agency.name,
      agencyKind: found.agency.kind,
      role: found.key.role,
      seesAll: found.agency.kind === 'utility' && found.key.role === 'admin',
    });
    await next();
  };
}

/** Refuses callers whose key has none of `roles`. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    if (!roles.includes(auth.role)) {
      throw new AppError(
        'FORBIDDEN',
        `This needs one of the roles ${roles.join(', ')}; the key has role ${auth.role}.`,
      );
    }
    await next();
  };
}
