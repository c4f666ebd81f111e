/**
 * The one error vocabulary of the service. Every error answer is application/problem+json
 * (RFC 9457) with a stable `code` from this closed list; `app.onError` is the only renderer.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  BODY_MALFORMED: 400,
  AREA_INVALID: 400,
  CURSOR_INVALID: 400,
  FIRMS_CSV_INVALID: 400,
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_EXPIRED: 401,
  API_KEY_REVOKED: 401,
  FORBIDDEN: 403,
  DOCK_NOT_OWNED: 403,
  NOT_FOUND: 404,
  AGENCY_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  AREA_NOT_FOUND: 404,
  DOCK_NOT_FOUND: 404,
  DRONE_NOT_FOUND: 404,
  PLAN_NOT_FOUND: 404,
  MISSION_NOT_FOUND: 404,
  SORTIE_NOT_FOUND: 404,
  ALERT_NOT_FOUND: 404,
  ALERT_RULE_NOT_FOUND: 404,
  SUPPRESSION_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  AGENCY_NAME_TAKEN: 409,
  AREA_IN_USE: 409,
  DOCK_IN_USE: 409,
  SYSTEM_ID_TAKEN: 409,
  PLAN_NOT_READY: 409,
  SORTIE_TRANSITION_INVALID: 409,
  MISSION_ALREADY_DECIDED: 409,
  QUOTA_EXCEEDED: 409,
  FAILSAFE_HOLD: 409,
  SORTIE_NOT_DISPATCHED: 409,
  ALERT_TRANSITION_INVALID: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DOCK_REFERENCE_INVALID: 422,
  AREA_REFERENCE_INVALID: 422,
  PLAN_INPUT_INVALID: 422,
  PLAN_INFEASIBLE: 422,
  PLAN_PREFLIGHT_FAILED: 422,
  PLAN_REFERENCE_INVALID: 422,
  SCHEDULE_INVALID: 422,
  DOCK_HAS_NO_DRONE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  ALERT_REFERENCE_INVALID: 422,
  AGENCY_REFERENCE_INVALID: 422,
  INTERNAL: 500,
  INGEST_BACKLOGGED: 503,
  SORTIE_COMMAND_FAILED: 502,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

const TITLES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request is not valid',
  BODY_MALFORMED: 'The request body cannot be parsed',
  AREA_INVALID: 'The patrol area is not valid GeoJSON for its kind',
  API_KEY_MISSING: 'An API key is required',
  API_KEY_INVALID: 'The API key is not valid',
  API_KEY_EXPIRED: 'The API key has expired',
  API_KEY_REVOKED: 'The API key has been revoked',
  FORBIDDEN: 'The API key’s role does not allow this',
  DOCK_NOT_OWNED: 'The dock is shared with this agency read-only',
  METHOD_NOT_ALLOWED: 'Method not allowed on this resource',
  BODY_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  INTERNAL: 'Internal error',
  INGEST_BACKLOGGED: 'Too many detections are waiting for the rules; retry later',
};

/** One offending input: where it is (a JSON pointer into the request) and what is wrong. */
export interface ProblemIssue {
  path: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      issues?: ProblemIssue[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: ProblemIssue[];
}

export function toProblem(
  err: AppError,
  context: { instance?: string; requestId?: string },
): Problem {
  return {
    type: `urn:shared-flights:problem:${err.code}`,
    title: TITLES[err.code] ?? titleFromCode(err.code),
    status: err.status,
    code: err.code,
    detail: err.detail,
    ...(context.instance === undefined ? {} : { instance: context.instance }),
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(err.extra.issues ? { errors: err.extra.issues } : {}),
  };
}

function titleFromCode(code: string): string {
  const words = code.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Converts zod issue paths (`['features', 3, 'geometry']`) to JSON pointers (`/features/3/geometry`). */
export function pointer(path: readonly PropertyKey[], prefix = ''): string {
  return (
    prefix + path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
  );
}
