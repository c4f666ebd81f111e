/**
 * The benchmark harness behind `npm run bench`. Benchmarks are not tests: they print figures.
 * Speed is always reported as a ratio against a baseline measured in the same process, because
 * these machines are shared and noisy; quality figures (coverage %, gaps, recovery %) are exact.
 */
export type Figure = number | string | boolean | null;

export interface BenchResult {
  /** Named figures, e.g. `{ ratio: 3.2, vertsPerS: 1.2e6 }`. Units belong in the names. */
  figures: Record<string, Figure>;
  /** Free-form remarks printed under the table (e.g. "fixture absent, skipped"). */
  notes?: string[];
}

export interface Benchmark {
  /** Group, usually the module: `areas`, `missions`, `bridge`, `alerts`, `fleet`. */
  group: string;
  name: string;
  run(): Promise<BenchResult> | BenchResult;
}

/**
 * Runs `fn` repeatedly for at least `minMs` milliseconds (after a warm-up) and returns the
 * operations per second.
 *
 * @example
 * const base = opsPerSecond(() => JSON.parse(text));
 */
export function opsPerSecond(
  fn: () => unknown,
  options: { minMs?: number; warmup?: number } = {},
): number {
  const minMs = options.minMs ?? 500;
  const warmup = options.warmup ?? 3;
  for (let i = 0; i < warmup; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const minNs = BigInt(Math.round(minMs * 1e6));
  while (elapsedNs < minNs) {
    fn();
    ops++;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsedNs) / 1e9);
}

/** Async variant of {@link opsPerSecond}. */
export async function opsPerSecondAsync(
  fn: () => Promise<unknown>,
  options: { minMs?: number; warmup?: number } = {},
): Promise<number> {
  const minMs = options.minMs ?? 500;
  const warmup = options.warmup ?? 3;
  for (let i = 0; i < warmup; i++) await fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const minNs = BigInt(Math.round(minMs * 1e6));
  while (elapsedNs < minNs) {
    await fn();
    ops++;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsedNs) / 1e9);
}

/** Interleaves baseline and candidate measurements (A B A B …) and returns the median ratio candidate/baseline. */
export function interleavedRatio(
  baseline: () => unknown,
  candidate: () => unknown,
  options: { rounds?: number; minMs?: number } = {},
): { ratio: number; baselineOpsPerS: number; candidateOpsPerS: number } {
  const rounds = options.rounds ?? 5;
  const minMs = options.minMs ?? 200;
  const ratios: number[] = [];
  const bs: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const b = opsPerSecond(baseline, { minMs });
    const c = opsPerSecond(candidate, { minMs });
    bs.push(b);
    cs.push(c);
    ratios.push(c / b);
  }
  return { ratio: median(ratios), baselineOpsPerS: median(bs), candidateOpsPerS: median(cs) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
