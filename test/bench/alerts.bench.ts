/**
 * Alerts figures.
 * - ingest: batches of 100 detections (a patrol: frames of the same fires, cool spots, canopy
 *   changes, plumes) through what POST /v1/detections does before answering (zod validation,
 *   request hash, idempotency key, batch and detections in one durable transaction, the answer's
 *   JSON), as a ratio to SQLite inserting the same detections as plain JSON rows in the same
 *   batches with the same durability (WAL, synchronous=FULL), interleaved; also through
 *   app.request, and the time from the answer until the rules have processed the batch.
 * - processing: the rules alone (georeferencing, fusion, routing, events, audit, webhook rows)
 *   over accepted batches, sustained (a standing stock of open alerts that grows), as a ratio to
 *   the same plain durable insert of the same rows, interleaved round by round.
 * - query: in alerts-query.bench.ts (alerts/query-1m).
 * - webhooks: latency from the commit of a detection to a local HTTP receiver on loopback getting
 *   the signed `alert.dispatched` delivery.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRepositories, openDatabase, type Database_ } from '../../db/index';
import { createApp, type AppDeps } from '../../src/app';
import { generateApiKey } from '../../src/auth/api-key';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { alertsServiceFor } from '../../src/routes/alerts/alerts-context';
import { AlertsService, type Actor } from '../../src/services/alerts/alerts-service';
import {
  detectionBatchSchema,
  generateWebhookSecret,
  type Detection,
} from '../../src/services/alerts/index';
import { canopyChange, hotspot, plume, square, T0 } from '../alerts/fixtures';
import { fingerprintDigest, processingFingerprint } from '../alerts/processing-fingerprint';
import { patrolBatch as mixedPatrolBatch, processingWorld } from '../alerts/processing-world';
import { median, percentile, type Benchmark } from './harness';
import { seededRandom as seeded } from '../../missions/index';

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

interface World {
  dir: string;
  store: Database_;
  service: AlertsService;
  actor: Actor;
  forestryId: string;
}

function world(now: () => Date): World {
  const dir = mkdtempSync(join(tmpdir(), 'sf-bench-alerts-'));
  const store = openDatabase(join(dir, 'alerts.db'));
  const repos = createRepositories(store.db);
  const t = new Date(T0);
  const utility = repos.agencies.create(
    { name: 'State Grid Yuhang', kind: 'utility', jurisdiction: null, alertTypes: [] },
    t,
  );
  const forestry = repos.agencies.create(
    {
      name: 'Yuhang Forestry',
      kind: 'forestry',
      jurisdiction: { type: 'Polygon', coordinates: [square(-20_000, -20_000, 40_000)] },
      alertTypes: [],
    },
    t,
  );
  repos.agencies.create(
    {
      name: 'Yuhang Water',
      kind: 'water',
      jurisdiction: { type: 'Polygon', coordinates: [square(-20_000, -20_000, 40_000)] },
      alertTypes: [],
    },
    t,
  );
  repos.agencies.create(
    { name: 'Yuhang Emergency', kind: 'emergency', jurisdiction: null, alertTypes: [] },
    t,
  );
  if (utility === 'name_taken' || forestry === 'name_taken')
    throw new Error('fresh database expected');
  const service = new AlertsService({ store, now, logger: silent, background: false });
  return {
    dir,
    store,
    service,
    actor: { agencyId: utility.id, keyId: 'bench', seesAll: true },
    forestryId: forestry.id,
  };
}

function close(w: World): void {
  w.service.stop();
  w.store.close();
  rmSync(w.dir, { recursive: true, force: true });
}

/** One patrol batch: 60 frames of 10 fires, 20 cool spots, 10 canopy changes, 10 plumes. */
function patrolBatch(n: number, random: () => number): Detection[] {
  const out: Detection[] = [];
  const atMs = T0 + n * 60_000;
  for (let i = 0; i < 60; i++) {
    const fire = (n * 7 + (i % 10)) % 400;
    out.push(
      hotspot({
        eastM: (fire % 20) * 900 - 9000 + random() * 20,
        northM: Math.floor(fire / 20) * 900 - 9000,
        atMs,
        passId: `p${n}`,
      }),
    );
  }
  for (let i = 0; i < 20; i++)
    out.push(
      hotspot({
        eastM: random() * 18_000 - 9000,
        northM: random() * 18_000 - 9000,
        atMs,
        maxTempC: 35,
        ambientTempC: 22,
      }),
    );
  for (let i = 0; i < 10; i++)
    out.push(
      canopyChange(random() * 18_000 - 9000, random() * 18_000 - 9000, 20 + random() * 40, atMs),
    );
  for (let i = 0; i < 10; i++)
    out.push(plume(random() * 18_000 - 9000, random() * 18_000 - 9000, 2 + random() * 10, atMs));
  return out;
}

/**
 * The service clock moves 2 s per batch (a drone sends one every few seconds); with a minute per
 * batch every request would also refresh its API key's last use, a durable write of its own.
 */
const CLOCK_STEP_MS = 2000;

async function ingestBench() {
  const clock = { ms: T0 };
  const w = world(() => new Date(clock.ms));
  // the same store behind the HTTP app, with an operator key of the utility
  const key = generateApiKey();
  const repos = createRepositories(w.store.db);
  repos.agencies.createKey(
    {
      agencyId: w.actor.agencyId,
      role: 'operator',
      hash: key.hash,
      prefix: key.prefix,
      name: 'bench',
      expiresAt: new Date(T0 + 365 * 86_400_000),
    },
    new Date(T0),
  );
  const deps: AppDeps = {
    config: loadConfig({ DATABASE_PATH: join(w.dir, 'alerts.db'), LOG_LEVEL: 'silent' }),
    store: w.store,
    repos,
    logger: silent,
    now: () => new Date(clock.ms),
  };
  const app = createApp(deps);
  const httpService = alertsServiceFor(deps);

  const base = openDatabase(join(w.dir, 'plain.db'));
  const plainBatch = plainInsert(base);
  // the same rows in one multi-row INSERT per batch: SQLite's best case
  const multi = base.sqlite.prepare(
    `INSERT INTO plain_detections (kind, captured_at, payload) VALUES ${Array.from({ length: 100 }, () => '(?, ?, ?)').join(', ')}`,
  );
  const multiBatch = base.sqlite.transaction((batch: Detection[]) => {
    multi.run(...batch.flatMap((d) => [d.kind, Date.parse(d.capturedAt), JSON.stringify(d)]));
  });

  // time from the answer to the batch being processed
  const answeredAt = new Map<string, number>();
  const toProcessedMs: number[] = [];
  const onProcessed = ({ batchId }: { batchId: string }) => {
    const t = answeredAt.get(batchId);
    if (t !== undefined) toProcessedMs.push(performance.now() - t);
    answeredAt.delete(batchId);
  };
  w.service.batches.on('processed', onProcessed);
  httpService.batches.on('processed', onProcessed);

  const random = seeded(7);
  let n = 0;
  const batches = 12;
  const ratios: number[] = [];
  const multiRatios: number[] = [];
  const httpRatios: number[] = [];
  const pipelineRatios: number[] = [];
  const candidateRates: number[] = [];
  const httpRates: number[] = [];
  const baselineRates: number[] = [];
  const outcomes = new Map<string, number>();
  const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
  try {
    for (let round = 0; round < 7; round++) {
      const work = Array.from({ length: batches }, () => patrolBatch(n++, random));
      const viaHttp = Array.from({ length: batches }, () =>
        JSON.stringify({ detections: patrolBatch(n++, random) }),
      );
      // batch by batch, interleaved, so that the shared disk's noise hits every side alike
      let baseS = 0;
      let multiS = 0;
      let candS = 0;
      let httpS = 0;
      // the rules wait until the round is timed: acceptance is measured alone, processing after
      w.service.pauseProcessing();
      httpService.pauseProcessing();
      for (let i = 0; i < batches; i++) {
        const batch = work[i]!;
        let t0 = process.hrtime.bigint();
        plainBatch(batch);
        baseS += seconds(t0);
        t0 = process.hrtime.bigint();
        multiBatch(batch);
        multiS += seconds(t0);
        // what the handler does before answering, HTTP parsing aside: validation, hashing,
        // idempotency check, one durable transaction, the answer's JSON
        const body: unknown = { detections: batch };
        clock.ms += CLOCK_STEP_MS;
        t0 = process.hrtime.bigint();
        const parsed = detectionBatchSchema.parse(body);
        const { response } = w.service.acceptBatch(w.actor, parsed.detections, `b-${round}-${i}`);
        JSON.stringify({ ...response, statusUrl: `/v1/detections/batches/${response.batchId}` });
        candS += seconds(t0);
        // the same through app.request: JSON parsing, API key, request log, validation, handler
        clock.ms += CLOCK_STEP_MS;
        t0 = process.hrtime.bigint();
        const res = await app.request('/v1/detections', {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key.key}`,
            'content-type': 'application/json',
            'idempotency-key': `h-${round}-${i}`,
          },
          body: viaHttp[i]!,
        });
        if (res.status !== 202) throw new Error(`HTTP ingest answered ${res.status}`);
        await res.arrayBuffer();
        httpS += seconds(t0);
      }
      const drainStart = process.hrtime.bigint();
      w.service.resumeProcessing();
      httpService.resumeProcessing();
      await w.service.whenIdle();
      await httpService.whenIdle();
      const drainS = seconds(drainStart);
      // an idle moment: the rules' WAL checkpoint runs here, as it would between bursts
      await new Promise((resolve) => setTimeout(resolve, 50));
      const detections = batches * 100;
      baselineRates.push(detections / baseS);
      candidateRates.push(detections / candS);
      httpRates.push(detections / httpS);
      ratios.push(baseS / candS);
      multiRatios.push(multiS / candS);
      httpRatios.push(baseS / httpS);
      // both accepted sets with all their processing, against inserting both sets of rows
      pipelineRatios.push((2 * baseS) / (candS + httpS + drainS));
    }
    // a burst of 12 batches answered back to back, then processed in order
    toProcessedMs.length = 0;
    for (let i = 0; i < batches; i++) {
      clock.ms += CLOCK_STEP_MS;
      const parsed = detectionBatchSchema.parse({ detections: patrolBatch(n++, random) });
      const { response } = w.service.acceptBatch(w.actor, parsed.detections, `burst-${i}`);
      answeredAt.set(response.batchId, performance.now());
    }
    await w.service.whenIdle();
    const burstToProcessedMs = median(toProcessedMs);
    // one batch at a time: the time from the answer to its outcomes, nothing queued before it
    toProcessedMs.length = 0;
    for (let i = 0; i < 15; i++) {
      clock.ms += CLOCK_STEP_MS;
      const parsed = detectionBatchSchema.parse({ detections: patrolBatch(n++, random) });
      const { response } = w.service.acceptBatch(w.actor, parsed.detections, `single-${i}`);
      answeredAt.set(response.batchId, performance.now());
      await w.service.whenIdle();
    }
    const singleToProcessedMs = median(toProcessedMs);
    for (const row of w.store.sqlite
      .prepare('SELECT outcome, COUNT(*) AS n FROM detections GROUP BY outcome')
      .all() as { outcome: string; n: number }[])
      outcomes.set(row.outcome, row.n);
    const alerts = w.store.sqlite.prepare('SELECT COUNT(*) AS n FROM alerts').get() as {
      n: number;
    };
    const ms = (v: number) => Math.round(v * 10) / 10;
    return {
      figures: {
        ratioVsPlainInsert: median(ratios),
        ratioVsMultiRowInsert: median(multiRatios),
        httpRatioVsPlainInsert: median(httpRatios),
        pipelineRatioVsPlainInsert: median(pipelineRatios),
        acceptedDetectionsPerS: Math.round(median(candidateRates)),
        httpAcceptedDetectionsPerS: Math.round(median(httpRates)),
        plainInsertRowsPerS: Math.round(median(baselineRates)),
        toProcessedMedianMsSingle: ms(singleToProcessedMs),
        toProcessedMedianMsBurst12: ms(burstToProcessedMs),
        batchSize: 100,
        alertsAtEnd: alerts.n,
      },
      notes: [
        `ingest outcomes: ${[...outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}; one durable transaction per batch (WAL, synchronous=FULL) on both sides`,
        'ratio = plain per-row INSERT time / acceptance time (zod validation, request hash, idempotency key, batch + multi-row detection INSERT, answer JSON), batch by batch interleaved, the rules paused while timed; http = the same through app.request; pipeline = both sets accepted and processed vs inserted: sustained ingest is bounded by the rules',
      ],
    };
  } finally {
    httpService.stop();
    base.close();
    close(w);
  }
}

async function webhookBench() {
  const w = world(() => new Date());
  const arrivals = new Map<string, number>();
  let resolveNext: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { type: string; data: { alertId: string } };
      if (parsed.type === 'alert.dispatched') {
        arrivals.set(parsed.data.alertId, performance.now());
        resolveNext?.();
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    w.service.webhooks.insertEndpoint({
      id: 'whk_bench',
      agencyId: w.forestryId,
      url,
      secret: generateWebhookSecret(),
      eventTypes: [],
      enabled: true,
      disabledReason: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const latencies: number[] = [];
    for (let i = 0; i < 300; i++) {
      const d = hotspot({
        eastM: (i % 30) * 1200 - 18_000,
        northM: Math.floor(i / 30) * 2000 - 10_000,
        atMs: Date.now(),
        passId: `w${i}`,
      });
      const arrived = new Promise<void>((resolve, reject) => {
        resolveNext = resolve;
        setTimeout(
          () => reject(new Error(`delivery ${i} did not arrive within 5 s`)),
          5000,
        ).unref();
      });
      const start = performance.now();
      const { response } = w.service.acceptBatch(w.actor, [d], undefined);
      await w.service.whenIdle();
      const alertId = w.service.batchStatus(w.actor, response.batchId).results[0]?.alertId;
      if (!alertId)
        throw new Error(`detection ${i} opened no alert: ${JSON.stringify(response.results[0])}`);
      await arrived;
      await w.service.deliverDueWebhooks();
      const t = arrivals.get(alertId);
      if (t === undefined) throw new Error(`no delivery for ${alertId}`);
      if (i >= 20) latencies.push(t - start);
    }
    const failed = w.store.sqlite
      .prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state != 'delivered'")
      .get() as { n: number };
    return {
      figures: {
        p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
        p95Ms: Math.round(percentile(latencies, 95) * 100) / 100,
        maxMs: Math.round(Math.max(...latencies) * 100) / 100,
        deliveries: latencies.length,
        notDelivered: failed.n,
      },
      notes: [
        'latency = from the ingest call (one detection: its acceptance, then the rules, each one durable transaction) to the receiver holding the signed alert.dispatched request; first 20 are warm-up',
      ],
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    close(w);
  }
}

/**
 * Sustained processing: rounds of 24 accepted batches (2,400 detections) drained by the rules,
 * each round timed against SQLite inserting the same rows per batch (the ingest baseline), after
 * warm-up rounds that leave a stock of open alerts. The digest covers every outcome, alert,
 * route, event, audit entry and webhook row with ids replaced by creation order: the same
 * digest means the same results. With `webhooks`, the forestry bureau subscribes to every event
 * (its receiver answers 204 at once): the webhook worker runs beside the rules, as in service.
 */
async function processingBench(webhooks: boolean) {
  const w = processingWorld({ webhooks });
  const base = openDatabase(join(w.dir, 'plain.db'));
  const plainBatch = plainInsert(base);
  const random = seeded(11);
  const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
  const batchesPerRound = 24;
  const warmupRounds = webhooks ? 2 : 3;
  const rounds = webhooks ? 5 : 7;
  let n = 0;
  const ratios: number[] = [];
  const pipelineRatios: number[] = [];
  const rates: number[] = [];
  const baselineRates: number[] = [];
  const cpuUsPerDetection: number[] = [];
  try {
    for (let round = 0; round < warmupRounds + rounds; round++) {
      const work = Array.from({ length: batchesPerRound }, () => mixedPatrolBatch(n++, random));
      let baseS = 0;
      let acceptS = 0;
      w.service.pauseProcessing();
      for (const [i, batch] of work.entries()) {
        let t0 = process.hrtime.bigint();
        plainBatch(batch);
        baseS += seconds(t0);
        w.clock.ms += CLOCK_STEP_MS;
        t0 = process.hrtime.bigint();
        const parsed = detectionBatchSchema.parse({ detections: batch });
        w.service.acceptBatch(w.actor, parsed.detections, `p-${round}-${i}`);
        acceptS += seconds(t0);
      }
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      w.service.resumeProcessing();
      await w.service.whenIdle();
      const processS = seconds(t0);
      const cpu = process.cpuUsage(cpu0);
      // the webhook worker catches up outside the timed drain (it runs beside the rules in it)
      if (webhooks) await w.service.deliverDueWebhooks();
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (round < warmupRounds) continue;
      const detections = batchesPerRound * 100;
      rates.push(detections / processS);
      cpuUsPerDetection.push((cpu.user + cpu.system) / detections);
      baselineRates.push(detections / baseS);
      ratios.push(baseS / processS);
      pipelineRatios.push(baseS / (acceptS + processS));
    }
    const outcomes = new Map<string, number>();
    for (const row of w.store.sqlite
      .prepare('SELECT outcome, COUNT(*) AS n FROM detections GROUP BY outcome ORDER BY outcome')
      .all() as { outcome: string; n: number }[])
      outcomes.set(row.outcome, row.n);
    const open = w.store.sqlite
      .prepare(
        "SELECT COUNT(*) AS n FROM alerts WHERE status IN ('new', 'dispatched', 'acknowledged', 'in_progress')",
      )
      .get() as { n: number };
    const fingerprint = processingFingerprint(w.store);
    const audit = w.service.verifyAudit();
    return {
      figures: {
        ratioVsPlainInsert: Math.round(median(ratios) * 10_000) / 10_000,
        pipelineRatioVsPlainInsert: Math.round(median(pipelineRatios) * 10_000) / 10_000,
        processedDetectionsPerS: Math.round(median(rates)),
        // the process's CPU time while draining: steadier than the ratio, whose baseline is
        // bound by the disk while the rules are bound by the CPU
        cpuUsPerDetection: Math.round(median(cpuUsPerDetection)),
        plainInsertRowsPerS: Math.round(median(baselineRates)),
        detections: n * 100,
        alertsAtEnd: fingerprint.alerts.length,
        openAlertsAtEnd: open.n,
        auditEntries: Object.values(fingerprint.auditActions).reduce((a, b) => a + b, 0),
        auditValid: audit.ok,
        resultDigest: fingerprintDigest(fingerprint).slice(0, 16),
      },
      notes: [
        `processing outcomes: ${[...outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`,
        `${webhooks ? 'with a webhook endpoint subscribed to every event; ' : ''}ratio = plain per-row durable INSERT time of a round's 2,400 detections / the rules' time to drain them (median of ${rounds} rounds after ${warmupRounds} warm-up rounds); pipeline = the same over acceptance + processing; resultDigest is equal for equal results (ids replaced by creation order)`,
      ],
    };
  } finally {
    base.close();
    w.close();
  }
}

/**
 * The baseline every alerts figure is a ratio of: the same detections stored by SQLite's plain
 * per-row insert, one durable transaction per batch.
 */
function plainInsert(base: ReturnType<typeof openDatabase>): (batch: Detection[]) => void {
  base.sqlite.exec(
    'CREATE TABLE plain_detections (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, captured_at INTEGER NOT NULL, payload TEXT NOT NULL)',
  );
  const insert = base.sqlite.prepare(
    'INSERT INTO plain_detections (kind, captured_at, payload) VALUES (?, ?, ?)',
  );
  return base.sqlite.transaction((batch: Detection[]) => {
    for (const d of batch) insert.run(d.kind, Date.parse(d.capturedAt), JSON.stringify(d));
  });
}

const benchmarks: Benchmark[] = [
  { group: 'alerts', name: 'ingest', run: ingestBench },
  { group: 'alerts', name: 'processing', run: () => processingBench(false) },
  { group: 'alerts', name: 'processing-webhooks', run: () => processingBench(true) },
  { group: 'alerts', name: 'webhook-latency', run: webhookBench },
];

export default benchmarks;
