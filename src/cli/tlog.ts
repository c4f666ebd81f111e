/**
 * `npm run tlog -- stats FILE` decodes a telemetry log and prints ONE JSON object:
 * `{ total, byName, droppedBadCrc, droppedUnknownId, signed, bytesSkipped, durationS }`.
 * `npm run tlog -- dump FILE [--limit N]` prints one JSON line per frame (time, system, name, fields).
 * Exits 2 on a usage error and 1 when the file cannot be read.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createMessageRegistry,
  emptyTlogStats,
  readTlog,
  tlogStats,
} from '../../firmware-bridge/index';

const USAGE = `usage:
  npm run tlog -- stats FILE
  npm run tlog -- dump FILE [--limit N]`;

class UsageError extends Error {}

const jsonSafe = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : value;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { limit: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [command, file] = positionals;
  if (!command || !file || positionals.length > 2)
    throw new UsageError('expected a command and one FILE');
  const registry = createMessageRegistry();
  if (command === 'stats') {
    const s = await tlogStats(file, registry);
    const durationS =
      s.firstTimestampUs === null || s.lastTimestampUs === null
        ? 0
        : Number(s.lastTimestampUs - s.firstTimestampUs) / 1e6;
    const byName = Object.fromEntries(
      Object.entries(s.byName).sort(([a], [b]) => a.localeCompare(b)),
    );
    process.stdout.write(
      `${JSON.stringify({
        total: s.total,
        byName,
        droppedBadCrc: s.droppedBadCrc,
        droppedUnknownId: s.droppedUnknownId,
        signed: s.signed,
        bytesSkipped: s.bytesSkipped,
        durationS,
      })}\n`,
    );
    return;
  }
  if (command === 'dump') {
    const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
    if (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY)
      throw new UsageError(`--limit ${values.limit} is not an integer`);
    let n = 0;
    for (const { timestampUs, frame } of readTlog(
      await readFile(file),
      registry,
      emptyTlogStats(),
    )) {
      if (n++ >= limit) break;
      const line = {
        timeUs: timestampUs,
        systemId: frame.systemId,
        componentId: frame.componentId,
        name: frame.name,
        fields: { ...frame.message },
      };
      process.stdout.write(`${JSON.stringify(line, jsonSafe)}\n`);
    }
    return;
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`tlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
