import { Worker } from 'node:worker_threads';
import type { PatrolInput, PatrolResult } from '../../../missions/index';
import type { Repositories } from '../../../db/index';
import type { Logger } from '../../logger';

const WORKER_URL = new URL('./plan-worker-entry.mjs', import.meta.url);

interface Job {
  planId: string;
  input: PatrolInput;
  progress: number;
  done: Promise<void>;
  resolve: () => void;
}

/**
 * Plans in worker threads, at most `maxConcurrent` at once, and stores each outcome on its plan
 * record. Progress is kept in memory for `GET /v1/plans/:id` while a plan runs.
 */
export class PlanRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;

  constructor(
    private readonly deps: {
      repos: Repositories;
      logger: Logger;
      now: () => Date;
      maxConcurrent: number;
    },
  ) {}

  /** Queues a plan; resolves when it is stored (ready or failed). */
  start(planId: string, input: PatrolInput): Promise<void> {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const job: Job = { planId, input, progress: 0, done, resolve };
    this.jobs.set(planId, job);
    this.queue.push(job);
    this.pump();
    return done;
  }

  /**
   * Restarts every plan left pending by a previous process (stopped or killed mid-plan): the
   * stored request holds the whole planning input, so nothing a client was promised is lost.
   */
  resumePending(): number {
    const pending = this.deps.repos.plans.listPending().filter((p) => !this.jobs.has(p.id));
    for (const plan of pending)
      void this.start(plan.id, (plan.request as { input: PatrolInput }).input);
    return pending.length;
  }

  /** Fraction done (0…1) of a plan still running here, or undefined. */
  progress(planId: string): number | undefined {
    return this.jobs.get(planId)?.progress;
  }

  /** Waits up to `ms` for a plan to finish; true when it did. */
  async waitFor(planId: string, ms: number): Promise<boolean> {
    const job = this.jobs.get(planId);
    if (!job) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const finished = await Promise.race([job.done.then(() => true as const), timeout]);
    clearTimeout(timer);
    return finished;
  }

  /** Waits for every running and queued plan (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private pump(): void {
    while (this.running < this.deps.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      this.run(job);
    }
  }

  private run(job: Job): void {
    const finish = (outcome: { result: unknown } | { error: unknown }) => {
      try {
        this.deps.repos.plans.finish(job.planId, outcome, this.deps.now());
      } catch (err) {
        this.deps.logger.error({ err, planId: job.planId }, 'could not store a plan outcome');
      }
      this.jobs.delete(job.planId);
      this.running--;
      job.resolve();
      this.pump();
    };
    let settled = false;
    const worker = new Worker(WORKER_URL, { workerData: job.input });
    worker.on(
      'message',
      (msg: { type: 'progress'; fraction: number } | { type: 'done'; result: PatrolResult }) => {
        if (msg.type === 'progress') job.progress = msg.fraction;
        else {
          settled = true;
          finish(msg.result.ok ? { result: msg.result.plan } : { error: msg.result.error });
        }
      },
    );
    worker.on('error', (err) => {
      this.deps.logger.error({ err, planId: job.planId }, 'planning worker failed');
      if (!settled) {
        settled = true;
        finish({
          error: { code: 'INTERNAL', message: 'planning failed unexpectedly', issues: [] },
        });
      }
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        this.deps.logger.error(
          { code, planId: job.planId },
          'planning worker exited without a result',
        );
        finish({
          error: {
            code: 'INTERNAL',
            message: `planning stopped (worker exit ${code})`,
            issues: [],
          },
        });
      }
    });
  }
}
