/**
 * `npm run audit -- verify` walks the hash chain of the alerts audit log in DATABASE_PATH and
 * prints `ok <entries> <head hash>` (exit 0) or where the chain breaks (exit 2).
 */
import { Writable } from 'node:stream';
import { openDatabase } from '../../db/index';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { AlertsService } from '../services/alerts/alerts-service';

class UsageError extends Error {}

const USAGE = 'usage:\n  npm run audit -- verify';

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command !== 'verify')
    throw new UsageError(command ? `unknown command ${command}` : 'no command given');
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  const config = loadConfig();
  const store = openDatabase(config.DATABASE_PATH);
  try {
    const silent = createLogger({
      level: 'silent',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const service = new AlertsService({
      store,
      now: () => new Date(),
      logger: silent,
      background: false,
    });
    const v = service.verifyAudit();
    if (v.ok) {
      process.stdout.write(`ok ${v.checked} entries, head ${v.headHash}\n`);
      return 0;
    }
    process.stdout.write(
      `broken at entry ${v.firstBadSeq} after ${v.checked} good entries: ${v.reason}\n`,
    );
    return 2;
  } finally {
    store.close();
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) process.stderr.write(`audit: ${err.message}\n${USAGE}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 64 : 1;
}
