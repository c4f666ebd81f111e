/**
 * `npm run admin -- create-key --agency NAME --kind KIND --role ROLE [--days N] [--name LABEL]`
 * works on DATABASE_PATH without the server running, creates the agency if it does not exist,
 * and prints the new key alone on the last line of standard output.
 * `npm run admin -- revoke-key --id KEY_ID` and `npm run admin -- list-keys --agency NAME` too.
 */
import { parseArgs } from 'node:util';
import {
  AGENCY_KINDS,
  ROLES,
  createRepositories,
  openDatabase,
  type AgencyKind,
  type Role,
} from '../../db/index';
import { generateApiKey } from '../auth/api-key';
import { ConfigError, loadConfig } from '../config';

class UsageError extends Error {}

const USAGE = `usage:
  npm run admin -- create-key --agency NAME --kind ${AGENCY_KINDS.join('|')} --role ${ROLES.join('|')} [--days N] [--name LABEL]
  npm run admin -- list-keys --agency NAME
  npm run admin -- revoke-key --id KEY_ID`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      agency: { type: 'string' },
      kind: { type: 'string' },
      role: { type: 'string' },
      days: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const store = openDatabase(config.DATABASE_PATH);
  try {
    const repos = createRepositories(store.db);
    const now = new Date();
    switch (command) {
      case 'create-key': {
        const agencyName = required(values.agency, '--agency');
        const role = oneOf(required(values.role, '--role'), ROLES, '--role') as Role;
        let agency = repos.agencies.findByName(agencyName);
        if (!agency) {
          const kind = oneOf(
            required(values.kind, '--kind (the agency does not exist yet)'),
            AGENCY_KINDS,
            '--kind',
          ) as AgencyKind;
          const created = repos.agencies.create(
            { name: agencyName, kind, jurisdiction: null, alertTypes: [] },
            now,
          );
          if (created === 'name_taken')
            throw new Error(`agency ${agencyName} appeared concurrently; run again`);
          agency = created;
          process.stdout.write(`created agency ${agency.name} (${agency.kind}) ${agency.id}\n`);
        } else if (values.kind && values.kind !== agency.kind) {
          throw new UsageError(
            `agency ${agencyName} exists with kind ${agency.kind}, not ${values.kind}`,
          );
        }
        const days = values.days === undefined ? config.API_KEY_TTL_DAYS : Number(values.days);
        if (!Number.isInteger(days) || days < 1 || days > 3650)
          throw new UsageError(`--days ${values.days}: expected a whole number 1–3650`);
        const secret = generateApiKey();
        const key = repos.agencies.createKey(
          {
            agencyId: agency.id,
            role,
            hash: secret.hash,
            prefix: secret.prefix,
            name: values.name ?? null,
            expiresAt: new Date(now.getTime() + days * 86_400_000),
          },
          now,
        );
        process.stdout.write(
          `created ${role} key ${key.id} for ${agency.name}, expires ${key.expiresAt.toISOString()}; it is shown once:\n`,
        );
        process.stdout.write(`${secret.key}\n`);
        return 0;
      }
      case 'list-keys': {
        const agency = repos.agencies.findByName(required(values.agency, '--agency'));
        if (!agency) throw new UsageError(`no agency named ${values.agency}`);
        for (const k of repos.agencies.listKeys(agency.id)) {
          process.stdout.write(
            `${k.id}\t${k.role}\t${k.prefix}…\texpires ${k.expiresAt.toISOString()}${k.revokedAt ? `\trevoked ${k.revokedAt.toISOString()}` : ''}\n`,
          );
        }
        return 0;
      }
      case 'revoke-key': {
        const id = required(values.id, '--id');
        const key = repos.agencies.revokeKey(id, now);
        if (!key) throw new UsageError(`no key ${id}`);
        process.stdout.write(`revoked ${key.id} at ${key.revokedAt?.toISOString()}\n`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command given');
    }
  } finally {
    store.close();
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${flag}`);
  return value;
}

function oneOf(value: string, allowed: readonly string[], flag: string): string {
  if (!allowed.includes(value))
    throw new UsageError(`${flag} ${value}: expected one of ${allowed.join(', ')}`);
  return value;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) process.stderr.write(`admin: ${err.message}\n${USAGE}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 64 : 1;
}
