import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRepositories, openDatabase, type AgencyKind, type Role } from '../../db/index';
import { createApp, type AppDeps } from '../../src/app';
import { generateApiKey } from '../../src/auth/api-key';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  /** Every log line the service wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log text (for "never appears in logs" checks). */
  logText(): string;
  dir: string;
  /** Creates (or reuses) an agency by name and returns a fresh key for it. */
  key(agency: string, kind: AgencyKind, role: Role, options?: { expiresAt?: Date }): string;
  agencyId(name: string): string;
  close(): void;
}

/** A real app over a fresh migrated SQLite file in a temporary directory. */
export function createTestApp(
  options: { env?: Record<string, string>; now?: () => Date } = {},
): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'sf-test-'));
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'test.db'),
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const store = openDatabase(config.DATABASE_PATH);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const repos = createRepositories(store.db);
  const deps: AppDeps = { config, store, repos, logger, now: options.now ?? (() => new Date()) };
  const app = createApp(deps);
  return {
    app,
    deps,
    get logs() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => chunks.join(''),
    dir,
    key(agency, kind, role, opts = {}) {
      const now = new Date();
      let found = repos.agencies.findByName(agency);
      if (!found) {
        const created = repos.agencies.create(
          { name: agency, kind, jurisdiction: null, alertTypes: [] },
          now,
        );
        if (created === 'name_taken') throw new Error('race');
        found = created;
      }
      const secret = generateApiKey();
      repos.agencies.createKey(
        {
          agencyId: found.id,
          role,
          hash: secret.hash,
          prefix: secret.prefix,
          name: null,
          expiresAt: opts.expiresAt ?? new Date(now.getTime() + 86_400_000),
        },
        now,
      );
      return secret.key;
    },
    agencyId(name) {
      const a = repos.agencies.findByName(name);
      if (!a) throw new Error(`no agency ${name}`);
      return a.id;
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Request helper: JSON in, parsed JSON out. */
export async function call(
  t: TestApp,
  method: string,
  path: string,
  options: {
    key?: string;
    json?: unknown;
    body?: string | Uint8Array;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert response bodies field by field
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.contentType) headers['content-type'] = options.contentType;
  const res = await t.app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers, text };
}
