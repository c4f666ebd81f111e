/**
 * `npm run secrets:rotate` seals every webhook secret in DATABASE_PATH under the current key
 * (SECRETS_KEY, or `secrets.key` beside the database), opening those sealed under a previous key
 * (SECRETS_KEY_PREVIOUS, `secrets.key.previous`) or stored in plaintext, in one transaction, and
 * prints the counts. Options:
 *   --new-key          (key file only) replace `secrets.key` with a new random key first; the old
 *                      one is kept in `secrets.key.previous` until `--forget-previous`
 *   --forget-previous  after the rotation, remove `secrets.key.previous`
 * Exit 0 done, 1 a key is missing or wrong (nothing changed), 64 usage, 78 configuration.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/index';
import { ConfigError, loadConfig } from '../config';
import {
  isMemoryDatabase,
  loadSecretBox,
  removePreviousSecretsKeyFile,
  replaceSecretsKeyFile,
} from '../services/alerts/secret-box';
import { rotateWebhookSecrets } from '../services/alerts/secrets-key-rotation';

class UsageError extends Error {}

const USAGE = `usage:
  npm run secrets:rotate                      re-seal under the current key what previous keys sealed
  npm run secrets:rotate -- --new-key         make a new secrets.key (the old one stays previous), re-seal
  npm run secrets:rotate -- --forget-previous re-seal, then remove secrets.key.previous`;

function main(argv: string[], out: (line: string) => void): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        'new-key': { type: 'boolean', default: false },
        'forget-previous': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0)
    throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const config = loadConfig();
  const databasePath = config.DATABASE_PATH;
  if (isMemoryDatabase(databasePath))
    throw new UsageError('DATABASE_PATH names no file: an in-memory store keeps nothing to rotate');
  if (values['new-key']) {
    if (config.SECRETS_KEY !== undefined)
      throw new UsageError(
        'SECRETS_KEY is set, so the key lives in your configuration, not in a file: put a new key (openssl rand -base64 32) in SECRETS_KEY and the old one in SECRETS_KEY_PREVIOUS, then run this again (or restart the service)',
      );
    const replaced = replaceSecretsKeyFile(databasePath);
    out(
      replaced.previousKeyId === undefined
        ? `new key ${replaced.keyId} in ${replaced.path}`
        : `new key ${replaced.keyId} in ${replaced.path}; the previous key ${replaced.previousKeyId} is kept in ${replaced.previousPath}`,
    );
  }
  const store = openDatabase(databasePath);
  let previousPath: string | undefined;
  try {
    const loaded = loadSecretBox({
      configured: config.SECRETS_KEY,
      previous: config.SECRETS_KEY_PREVIOUS,
      databasePath,
    });
    previousPath = loaded.previousPath;
    const r = rotateWebhookSecrets(store, loaded.box);
    const from = Object.entries(r.fromKeyIds)
      .map(([id, n]) => `${n} from key ${id}`)
      .join(', ');
    out(
      `re-sealed ${r.resealed} webhook secret${r.resealed === 1 ? '' : 's'} under key ${loaded.box.keyId}${from ? ` (${from})` : ''}; sealed ${r.plaintextSealed} stored in plaintext; ${r.endpoints} endpoint${r.endpoints === 1 ? '' : 's'} in all`,
    );
  } finally {
    store.close();
  }
  if (values['forget-previous']) {
    const removed = removePreviousSecretsKeyFile(databasePath);
    out(removed ? `removed ${removed}` : 'no previous key file to remove');
    if (config.SECRETS_KEY_PREVIOUS !== undefined)
      out('SECRETS_KEY_PREVIOUS is still set: remove it from the configuration too');
  } else if (previousPath !== undefined || config.SECRETS_KEY_PREVIOUS !== undefined) {
    out(
      'nothing is sealed under a previous key any more; when no running service still uses one, drop SECRETS_KEY_PREVIOUS or run again with --forget-previous',
    );
  }
  if (values['new-key'])
    out('restart the service if it is running: it keeps the key it started with until then');
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (err) {
  if (err instanceof UsageError) process.stderr.write(`secrets:rotate: ${err.message}\n${USAGE}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else
    process.stderr.write(`secrets:rotate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 64 : err instanceof ConfigError ? 78 : 1;
}
