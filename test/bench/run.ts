/**
 * `npm run bench [-- --json] [-- --filter TEXT]`: runs every `test/bench/*.bench.ts` (each
 * default-exports a `Benchmark[]`) and prints one table of figures, or JSON with `--json`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Benchmark, BenchResult, Figure } from './harness';

interface Row {
  group: string;
  name: string;
  result?: BenchResult;
  error?: string;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const filterIdx = args.indexOf('--filter');
const filter = filterIdx >= 0 ? args[filterIdx + 1] : undefined;

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

const rows: Row[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: Benchmark[] };
  for (const bench of mod.default) {
    const label = `${bench.group}/${bench.name}`;
    if (filter && !label.includes(filter)) continue;
    if (!json) process.stderr.write(`running ${label}…\n`);
    try {
      rows.push({ group: bench.group, name: bench.name, result: await bench.run() });
    } catch (err) {
      rows.push({
        group: bench.group,
        name: bench.name,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

const format = (v: Figure): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v);

if (json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const lines: [string, string, string][] = [['benchmark', 'figure', 'value']];
  for (const row of rows) {
    const label = `${row.group}/${row.name}`;
    if (row.error) lines.push([label, 'error', row.error]);
    for (const [k, v] of Object.entries(row.result?.figures ?? {}))
      lines.push([label, k, format(v)]);
  }
  const w0 = Math.max(...lines.map((l) => l[0].length));
  const w1 = Math.max(...lines.map((l) => l[1].length));
  for (const [i, l] of lines.entries()) {
    process.stdout.write(`${l[0].padEnd(w0)}  ${l[1].padEnd(w1)}  ${l[2]}\n`);
    if (i === 0) process.stdout.write(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  -----\n`);
  }
  for (const row of rows)
    for (const n of row.result?.notes ?? [])
      process.stdout.write(`note ${row.group}/${row.name}: ${n}\n`);
}
process.exitCode = rows.some((r) => r.error) ? 1 : 0;
