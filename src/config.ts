import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The service's configuration. This file is the only reader of `process.env`. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_PATH: z.string().min(1).default('./data/shared-flights.db'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Largest request body accepted, in bytes (413 above). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** Most vertices one uploaded area may have (400 above). */
  MAX_AREA_VERTICES: z.coerce.number().int().min(4).max(10_000_000).default(1_000_000),
  /** Days a new API key is valid unless the request says otherwise. */
  API_KEY_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** How long POST /v1/plans waits for a plan before answering 202 with its progress, ms. */
  PLAN_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  /** Plans computed at once, each in its own worker thread. */
  PLAN_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  /** `bridge`: fly sorties over the MAVLink links of the registered docks; `off`: plan and schedule only. */
  FLEET_DISPATCH: z.enum(['bridge', 'off']).default('bridge'),
  /** Name of the utility agency created, with a first admin key, when the store is empty. */
  BOOTSTRAP_AGENCY: z.string().trim().min(1).max(120).default('utility'),
  /** Milliseconds to wait for in-flight requests on SIGINT/SIGTERM before closing anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * Detections accepted but not yet through the rules beyond which POST /v1/detections answers
   * 503 INGEST_BACKLOGGED with Retry-After instead of accepting more (nothing is lost either way).
   */
  INGEST_MAX_PENDING: z.coerce.number().int().min(100).max(100_000_000).default(100_000),
  /**
   * 32 random bytes in base64 (`openssl rand -base64 32`) that seal webhook secrets at rest
   * (AES-256-GCM); unset: `secrets.key` beside the database, created on first use (mode 0600).
   */
  SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  /**
   * Keys used before `SECRETS_KEY` (one, or several separated by commas), only to open what they
   * sealed: at start every webhook secret sealed under one of them is sealed again under the
   * current key, in one transaction (`npm run secrets:rotate` does the same without the service).
   */
  SECRETS_KEY_PREVIOUS: z
    .string()
    .superRefine((text, ctx) => {
      const entries = text.split(',').map((t) => t.trim());
      entries.forEach((t, i) => {
        // the message names the position only: a key must not reach logs or the terminal
        if (!/^[A-Za-z0-9+/]{43}=$/.test(t))
          ctx.addIssue({
            code: 'custom',
            message: `entry ${i + 1} of ${entries.length} must be 32 bytes in base64 (openssl rand -base64 32); separate keys with commas`,
          });
      });
    })
    .optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once at start-up. Throws a {@link ConfigError} listing every
 * problem, so a bad deployment fails fast and says all that is wrong at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(configSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
