import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Repositories } from '../../../db/index';
import { generateApiKey } from '../../auth/api-key';

/**
 * On an empty store, creates the utility agency and its first admin key, and writes the key to
 * `first-admin-key.txt` beside the database (mode 0600) rather than to the log: keys are never
 * logged. Returns the file's path, or null when the store already had agencies.
 */
export function bootstrapFirstAdmin(
  repos: Repositories,
  options: { databasePath: string; agencyName: string; ttlDays: number; now: Date },
): string | null {
  if (repos.agencies.list({ cursor: null, limit: 1 }).items.length > 0) return null;
  const agency = repos.agencies.create(
    { name: options.agencyName, kind: 'utility', jurisdiction: null, alertTypes: [] },
    options.now,
  );
  if (agency === 'name_taken') return null;
  const secret = generateApiKey();
  repos.agencies.createKey(
    {
      agencyId: agency.id,
      role: 'admin',
      hash: secret.hash,
      prefix: secret.prefix,
      name: 'first admin (bootstrap)',
      expiresAt: new Date(options.now.getTime() + options.ttlDays * 86_400_000),
    },
    options.now,
  );
  const dir = options.databasePath === ':memory:' ? '.' : dirname(options.databasePath);
  const path = join(dir, 'first-admin-key.txt');
  writeFileSync(path, `${secret.key}\n`, { mode: 0o600 });
  return path;
}
