/**
 * The alerts service: joins the pure rules (observation → alert, routing, lifecycle, deadlines,
 * audit chain, CAP, webhooks) with the store. Every change runs in one IMMEDIATE transaction
 * committed with synchronous=FULL before the caller answers; SSE listeners and the webhook
 * worker are told after the commit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  AlertsAuditRepository,
  AlertsConfigRepository,
  AlertsIngestRepository,
  AlertsRepository,
  AlertsWebhooksRepository,
  batchDetectionId,
  newId,
  type AcceptedDetectionRow,
  type AlertRouteRow,
  type DetectionOutcomeUpdate,
  type PendingDetection,
  type AlertRow,
  type Database_,
  type Scope,
  type WebhookDeliveryRow,
  type WebhookEndpoint,
} from '../../../db/index';
import type { Logger } from '../../logger';
import { AppError } from '../../errors';
import {
  ALERT_TYPES,
  compareSeverity,
  isTerminal,
  type AlertStatus,
  type AlertType,
  type Severity,
} from './alert-model';
import { evaluateDeadline, type DeadlineLight } from './alert-deadlines';
import { canRate, transitionAlert, type AlertAction, type OutcomeLabel } from './alert-lifecycle';
import {
  escalationTargets,
  presetJurisdiction,
  routeAlert,
  type AgencyKind,
  type Jurisdiction,
} from './alert-routing';
import {
  canonicalJson,
  chainAuditEntry,
  verifyAuditChain,
  type AuditEntry,
  type AuditVerification,
  type JsonValue,
} from './audit-chain';
import { capMessageForAlert, writeCapAlert } from './cap-writer';
import type { Detection } from './detection-schema';
import { filterHotspotsToArea, parseFirmsCsv, FirmsFormatError } from './firms-import';
import type { ElevationSampler } from './georeference';
import { GeoreferenceError } from './georeference';
import { bboxOf, type Geometry } from './geometry';
import { createLocalFrame, distanceM } from './local-frame';
import { observeDetection, observeSatelliteHotspot, type Observation } from './observation';
import {
  evaluateObservation,
  resolveRule,
  thresholdFailures,
  type AlertRule,
  type AlertSnapshot,
  type FusionCandidate,
  type RuleOutcome,
} from './rules-engine';
import { ASSET_KINDS, type Asset, type AssetKind } from './severity';
import {
  findSuppression,
  SUPPRESSION_KINDS,
  type Suppression,
  type SuppressionKind,
} from './suppression-registry';
import { nextDeliveryStep, type AttemptResult } from './webhook-retry';
import { sendWebhook } from './webhook-sender';
import {
  createSecretBox,
  isSealed,
  loadSecretsKey,
  SecretKeyError,
  sealedKeyId,
  type SecretBox,
} from './secret-box';

/** The caller, as the HTTP layer established it. */
export interface Actor {
  agencyId: string;
  keyId: string;
  seesAll: boolean;
}

export interface AlertsServiceOptions {
  store: Database_;
  now: () => Date;
  logger: Logger;
  /** DEM for georeferencing; flat ground from each detection otherwise. */
  dem?: ElevationSampler;
  /** CAP `sender`. */
  capSender?: string;
  fetchFn?: typeof fetch;
  /**
   * Run the webhook worker and deadline sweeps on timers, check and seal the stored webhook
   * secrets at start, and process batches left by a previous run (off in tests that drive
   * them, and in CLIs).
   */
  background?: boolean;
  /**
   * The key (32 bytes, base64) that seals webhook secrets at rest; when absent, `secrets.key`
   * beside the database (created on first use).
   */
  secretsKey?: string | undefined;
  webhookPollMs?: number;
  deadlineSweepMs?: number;
  /**
   * Back-pressure: with more detections than this accepted but not yet through the rules, new
   * batches are refused with 503 INGEST_BACKLOGGED and Retry-After (replays are still answered).
   * Default 100,000.
   */
  maxPendingDetections?: number;
}

/** What SSE listeners receive. */
export interface AlertStreamEvent {
  seq: number;
  alertId: string;
  type: string;
  agencyIds: string[];
  data: Record<string, unknown>;
}

/** What became of one detection: `pending` from acceptance until the rules have run. */
export const DETECTION_OUTCOMES = [
  'pending',
  'created',
  'merged',
  'suppressed',
  'below_threshold',
  'rejected',
  'failed',
] as const;
export type DetectionOutcome = (typeof DETECTION_OUTCOMES)[number];

export interface IngestItemResult {
  index: number;
  detectionId: string;
  outcome: DetectionOutcome;
  alertId?: string;
  reason?: string;
}

export interface IngestResponse {
  batchId: string;
  /** `processed` once the rules have run over every detection of the batch. */
  status: 'pending' | 'processed';
  results: IngestItemResult[];
}

export interface DetectionStatus {
  detectionId: string;
  batchId: string;
  kind: string;
  capturedAt: string;
  sensorId: string;
  outcome: DetectionOutcome;
  alertId: string | null;
  reason: string | null;
  /** The georeferenced place, `[lon, lat]`, once processed. */
  location: [number, number] | null;
  radiusM: number | null;
  receivedAt: string;
  processedAt: string | null;
}

/** Request hashes are `v2:` + SHA-256 over the validated detections' JSON, one per line. */
const HASH_VERSION = 'v2:';
/**
 * Batches and detections processed per transaction (one fsync, one read of the rule world).
 * Small enough that the first batch of a burst is not held back by the rest (its outcomes are
 * visible at the commit), large enough that the fsync stays a few % of the rules' time.
 */
const MAX_BATCHES_PER_CHUNK = 20;
/** Retry-After of a 503 INGEST_BACKLOGGED, seconds. */
const BACKLOG_RETRY_AFTER_S = 5;
const MAX_DETECTIONS_PER_CHUNK = 200;
/** Detections processed before the rules, once caught up, checkpoint the WAL themselves. */
const CHECKPOINT_AFTER_DETECTIONS = 500;
/** Suppressions valid this long around a chunk's capture times are read for it. */
const WORLD_WINDOW_MS = 31 * 86_400_000;
/** Wait before retrying after processing failed as a whole (e.g. the disk was full). */
const PROCESSING_RETRY_MS = 1000;

/**
 * Whether a stored request hash is that of this request. Keys stored before `v2:` hashed the
 * canonical JSON of the same validated detections.
 */
function sameRequest(stored: string, hash: string, legacy: () => unknown): boolean {
  if (stored.startsWith(HASH_VERSION)) return stored === hash;
  return stored === sha256(canonicalJson(legacy() as JsonValue));
}

/** What an idempotency key of a batch keeps of its answer: enough to give it again. */
interface StoredBatchAnswer {
  batchId: string;
  size: number;
}

/**
 * The answer a batch key was given. Keys stored before acceptance was split from processing
 * kept their whole (final) answer.
 */
function storedAnswer(stored: unknown): IngestResponse {
  const s = stored as Partial<StoredBatchAnswer> & {
    batchId: string;
    results?: IngestItemResult[];
  };
  if (typeof s.size === 'number') {
    const batchId = s.batchId;
    return {
      batchId,
      status: 'pending',
      results: Array.from({ length: s.size }, (_, index) => ({
        index,
        detectionId: batchDetectionId(batchId, index),
        outcome: 'pending' as const,
      })),
    };
  }
  return { batchId: s.batchId, status: 'processed', results: s.results ?? [] };
}

function resultOf(
  index: number,
  row: { id: string; outcome: string; alertId: string | null; outcomeDetail: string | null },
): IngestItemResult {
  const r: IngestItemResult = {
    index,
    detectionId: row.id,
    outcome: (DETECTION_OUTCOMES as readonly string[]).includes(row.outcome)
      ? (row.outcome as DetectionOutcome)
      : 'failed',
  };
  if (row.alertId !== null) r.alertId = row.alertId;
  if (row.outcomeDetail !== null) r.reason = row.outcomeDetail;
  return r;
}

const PENDING_EVENTS = Symbol('pending');
/** The largest uncertainty radius an alert carries (a satellite pixel's half-diagonal is ~1.2 km). */
const MAX_ALERT_RADIUS_M = 1500;

const typeCode = (t: AlertType) => ALERT_TYPES.indexOf(t);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function geometriesOf(geojson: unknown): Geometry[] {
  const g = geojson as {
    type?: string;
    features?: { geometry?: Geometry | null }[];
    geometry?: Geometry | null;
  };
  if (g?.type === 'FeatureCollection')
    return (g.features ?? []).flatMap((f) => (f.geometry ? [f.geometry] : []));
  if (g?.type === 'Feature') return g.geometry ? [g.geometry] : [];
  return g?.type ? [g as Geometry] : [];
}

function snapshotOf(row: AlertRow): AlertSnapshot {
  return {
    id: row.id,
    alertType: row.alertType as AlertType,
    status: row.status,
    severity: row.severity,
    confidence: row.confidence,
    firstObservedAtMs: row.firstObservedAt.getTime(),
    lastObservedAtMs: row.lastObservedAt.getTime(),
    centroid: [row.lon, row.lat],
    geometry: row.geometry as Geometry,
    radiusM: row.radiusM,
    extentAreaM2: row.extentAreaM2,
    observationCount: row.observationCount,
    passKeys: row.passKeys,
    sensorIds: row.sensorIds,
    sources: row.sources,
    metrics: row.metrics,
    severityReasons: row.severityReasons,
  };
}

function rowFieldsOf(s: AlertSnapshot) {
  const [minLon, minLat, maxLon, maxLat] = bboxOf(s.geometry);
  return {
    severity: s.severity,
    confidence: s.confidence,
    geometry: s.geometry,
    lon: s.centroid[0],
    lat: s.centroid[1],
    minLon,
    minLat,
    maxLon,
    maxLat,
    radiusM: s.radiusM,
    extentAreaM2: s.extentAreaM2,
    firstObservedAt: new Date(s.firstObservedAtMs),
    lastObservedAt: new Date(s.lastObservedAtMs),
    observationCount: s.observationCount,
    passKeys: s.passKeys,
    sensorIds: s.sensorIds,
    sources: s.sources,
    metrics: s.metrics as Record<string, number>,
    severityReasons: s.severityReasons,
  };
}

/** Agencies, jurisdictions, assets, rules and suppressions, read once per batch. */
interface RuleWorld {
  jurisdictions: Jurisdiction[];
  assets: Asset[];
  rules: AlertRule[];
  suppressions: Suppression[];
}

interface TxContext {
  nowMs: number;
  world: RuleWorld;
  events: AlertStreamEvent[];
  kickWebhooks: boolean;
  /** What the processing of accepted batches keeps between detections of one transaction. */
  cache?: ProcessingCache;
}

/**
 * Kept for one processing transaction, where the rules are the only writer of routes and audit
 * entries and nothing changes webhook endpoints; dropped when a detection's savepoint rolls back.
 */
interface ProcessingCache {
  /** Parsed candidate geometries by alert id, valid for the alert version they were read at. */
  geometries: Map<string, { version: number; geometry: Geometry }>;
  /** Each alert's routes as `routesOf` lists them: by dispatch time, then agency id. */
  routes: Map<string, { agencyId: string; dispatchedAtMs: number }[]>;
  /** Enabled endpoints by the agency list they were asked for. */
  endpoints: Map<string, WebhookEndpoint[]>;
  /** The audit chain's last entry. */
  auditHead: { seq: number; hash: string } | undefined;
}

function processingCache(): ProcessingCache {
  return { geometries: new Map(), routes: new Map(), endpoints: new Map(), auditHead: undefined };
}

/** A webhook delivery attempt whose result waits to be written (see deliverDueWebhooks). */
interface SettledDelivery {
  delivery: WebhookDeliveryRow;
  endpointId: string;
  result: AttemptResult;
  /** When the result arrived (the service clock): delivery and retry times count from it. */
  atMs: number;
}

/** The rules' outcome for one observation, with the alert it grows read whole (when merged). */
interface Evaluation {
  outcome: RuleOutcome;
  target?: AlertRow | undefined;
}

const byDispatch = (
  a: { agencyId: string; dispatchedAtMs: number },
  b: { agencyId: string; dispatchedAtMs: number },
) =>
  a.dispatchedAtMs - b.dispatchedAtMs ||
  (a.agencyId < b.agencyId ? -1 : a.agencyId > b.agencyId ? 1 : 0);

export class AlertsService {
  readonly alerts: AlertsRepository;
  readonly audit: AlertsAuditRepository;
  readonly ingest: AlertsIngestRepository;
  readonly config: AlertsConfigRepository;
  readonly webhooks: AlertsWebhooksRepository;
  /** Emits `'event'` with an {@link AlertStreamEvent} after each commit. */
  readonly stream = new EventEmitter();
  /** Emits `'processed'` with `{ batchId, receivedAtMs }` when the rules have run over a batch. */
  readonly batches = new EventEmitter();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private processing: Promise<void> | undefined;
  private processingScheduled = false;
  private processingPaused = false;
  private processingError: unknown;
  private box: SecretBox | undefined;
  private detectionsSinceCheckpoint = 0;
  private pendingItemCount: number | undefined;
  private delivering: Promise<void> | undefined;
  private deliverAgain = false;
  private readonly [PENDING_EVENTS]: AlertStreamEvent[] = [];

  constructor(private readonly options: AlertsServiceOptions) {
    const { db, sqlite } = options.store;
    this.alerts = new AlertsRepository(db, sqlite);
    this.audit = new AlertsAuditRepository(db, sqlite);
    this.ingest = new AlertsIngestRepository(db, sqlite);
    this.config = new AlertsConfigRepository(db);
    this.webhooks = new AlertsWebhooksRepository(db, sqlite, {
      seal: (plaintext, context) => this.secretBox().seal(plaintext, context),
      open: (sealed, context) => this.secretBox().open(sealed, context),
      isSealed,
    });
    this.stream.setMaxListeners(0);
    if (options.background ?? true) {
      this.prepareSecrets();
      const every = (ms: number, fn: () => unknown) => {
        const t = setInterval(() => {
          if (!options.store.sqlite.open) return this.stop();
          try {
            void Promise.resolve(fn()).catch((err: unknown) =>
              options.logger.error({ err }, 'alerts background task failed'),
            );
          } catch (err) {
            options.logger.error({ err }, 'alerts background task failed');
          }
        }, ms);
        t.unref();
        this.timers.push(t);
      };
      every(options.webhookPollMs ?? 1000, () => this.deliverDueWebhooks());
      every(options.deadlineSweepMs ?? 30_000, () => this.sweepDeadlines());
      // batches accepted before a stop or a crash are processed now, in their order
      const left = this.ingest.pendingBatches(1).length;
      if (left > 0) {
        options.logger.info('processing detection batches accepted before the restart');
        this.scheduleProcessing();
      }
    }
  }

  private secretBox(): SecretBox {
    if (!this.box) {
      const { key, source, path } = loadSecretsKey({
        configured: this.options.secretsKey,
        databasePath: this.options.store.sqlite.name,
      });
      this.box = createSecretBox(key);
      if (source === 'generated')
        this.options.logger.info({ file: path }, 'created the key that seals webhook secrets');
    }
    return this.box;
  }

  /**
   * Fails fast when the stored webhook secrets were sealed with another key (a lost or changed
   * SECRETS_KEY would otherwise show as failed deliveries only), and seals those an older
   * version stored in plaintext.
   */
  private prepareSecrets(): void {
    const stored = this.webhooks.storedSecrets();
    if (stored.length === 0) return;
    const box = this.secretBox();
    const other = stored.find((r) => isSealed(r.secret) && sealedKeyId(r.secret) !== box.keyId);
    if (other) {
      // names the key ids only, never a secret
      box.open(other.secret, other.id);
    }
    const sealed = this.alerts.inTransaction(() => this.webhooks.sealPlaintextSecrets());
    if (sealed > 0)
      this.options.logger.info({ endpoints: sealed }, 'sealed webhook secrets stored in plaintext');
  }

  /** Stops the background timers and the processing of accepted batches (they stay stored). */
  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.processingPaused = true;
  }

  private nowMs(): number {
    return this.options.now().getTime();
  }

  // ---------------------------------------------------------------- world

  private loadWorld(fromMs: number, toMs: number): RuleWorld {
    const areaRows = this.alerts.allAreas();
    const assets: Asset[] = [];
    for (const a of areaRows) {
      const kind = (a.properties as { asset?: unknown }).asset;
      if (typeof kind !== 'string' || !ASSET_KINDS.includes(kind as AssetKind)) continue;
      for (const g of geometriesOf(a.geojson))
        assets.push({ id: a.id, kind: kind as AssetKind, name: a.name, geometry: g });
    }
    const jurisdictions: Jurisdiction[] = [];
    for (const agency of this.alerts.allAgencies()) {
      const own = areaRows.filter((a) => a.agencyId === agency.id);
      let areas: Geometry[] = agency.jurisdiction ? [agency.jurisdiction as Geometry] : [];
      const kind = agency.kind as AgencyKind;
      if (kind === 'utility') {
        areas = [
          ...areas,
          ...assets
            .filter((x) => x.kind === 'power_line' && own.some((a) => a.id === x.id))
            .map((x) => x.geometry),
        ];
      } else if (areas.length === 0 && (kind === 'forestry' || kind === 'water')) {
        areas = own
          .filter((a) => a.kind === (kind === 'forestry' ? 'forest' : 'river'))
          .flatMap((a) => geometriesOf(a.geojson));
      }
      // without any area only emergency management covers "everywhere"
      if (areas.length === 0 && kind !== 'emergency') continue;
      const j = presetJurisdiction(agency.id, kind, areas);
      if (agency.alertTypes.length > 0) j.alertTypes = agency.alertTypes;
      jurisdictions.push(j);
    }
    const rules: AlertRule[] = this.config.enabledRules().map((r) => ({
      id: r.id,
      alertType: r.alertType,
      area: r.area ? (r.area as Geometry) : undefined,
      enabled: r.enabled,
      settings: r.settings,
    }));
    const suppressions: Suppression[] = this.config.activeSuppressions(fromMs, toMs).map((s) => ({
      id: s.id,
      kind: (SUPPRESSION_KINDS.includes(s.kind as SuppressionKind)
        ? s.kind
        : 'other') as SuppressionKind,
      geometry: s.geometry as Geometry,
      radiusM: s.radiusM,
      alertTypes: s.alertTypes,
      validFromMs: s.validFrom?.getTime(),
      validUntilMs: s.validUntil?.getTime(),
    }));
    return { jurisdictions, assets, rules, suppressions };
  }

  // ---------------------------------------------------------------- audit, events, webhooks

  private appendAudit(
    ctx: TxContext,
    actor: string,
    action: string,
    subject: string,
    data: { [k: string]: JsonValue },
  ): AuditEntry {
    let last = ctx.cache?.auditHead;
    if (!last) {
      const row = this.audit.last();
      if (row) last = { seq: row.seq, hash: row.hash };
    }
    const entry = chainAuditEntry(last, {
      atMs: ctx.nowMs,
      actor,
      action,
      subject,
      data,
    });
    this.audit.append({
      seq: entry.seq,
      at: entry.atMs,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      data: canonicalJson(entry.data),
      prevHash: entry.prevHash,
      hash: entry.hash,
    });
    if (ctx.cache) ctx.cache.auditHead = { seq: entry.seq, hash: entry.hash };
    return entry;
  }

  private recordEvent(
    ctx: TxContext,
    alert: Pick<AlertRow, 'id' | 'version' | 'status' | 'severity' | 'confidence'>,
    type: string,
    actor: string,
    extra: {
      agencyId?: string | null;
      fromStatus?: string | null;
      toStatus?: string | null;
      note?: string | null;
      data?: Record<string, unknown>;
    } = {},
  ): void {
    const data = extra.data ?? {};
    const seq = this.alerts.insertEvent({
      alertId: alert.id,
      version: alert.version,
      type,
      actor,
      agencyId: extra.agencyId ?? null,
      fromStatus: extra.fromStatus ?? null,
      toStatus: extra.toStatus ?? null,
      note: extra.note ?? null,
      data,
      at: new Date(ctx.nowMs),
    });
    const agencyIds = this.routesOf(ctx, alert.id).map((r) => r.agencyId);
    ctx.events.push({
      seq,
      alertId: alert.id,
      type,
      agencyIds,
      data: { ...data, status: alert.status, version: alert.version },
    });
    // webhooks: every routed agency's endpoints subscribed to this event type
    const endpoints = this.enabledEndpointsOf(ctx, agencyIds);
    for (const ep of endpoints) {
      if (ep.eventTypes.length > 0 && !ep.eventTypes.includes(type)) continue;
      const delivery: WebhookDeliveryRow = {
        id: newId('whd'),
        endpointId: ep.id,
        agencyId: ep.agencyId,
        messageId: `msg_${randomUUID()}`,
        eventType: type,
        payload: {
          alertId: alert.id,
          eventSeq: seq,
          status: alert.status,
          severity: alert.severity,
          confidence: alert.confidence,
          version: alert.version,
          ...data,
        },
        state: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(ctx.nowMs),
        lastStatus: null,
        lastError: null,
        deliveredAt: null,
        createdAt: new Date(ctx.nowMs),
      };
      this.webhooks.insertDelivery(delivery);
      ctx.kickWebhooks = true;
    }
  }

  /** An alert's routes (agency, dispatch time) as `routesOf` orders them; kept per processing. */
  private routesOf(
    ctx: TxContext,
    alertId: string,
  ): readonly { agencyId: string; dispatchedAtMs: number }[] {
    let routes = ctx.cache?.routes.get(alertId);
    if (routes) return routes;
    routes = this.alerts
      .routesOf(alertId)
      .map((r) => ({ agencyId: r.agencyId, dispatchedAtMs: r.dispatchedAt.getTime() }));
    ctx.cache?.routes.set(alertId, routes);
    return routes;
  }

  private enabledEndpointsOf(ctx: TxContext, agencyIds: string[]): WebhookEndpoint[] {
    if (!ctx.cache) return this.webhooks.enabledEndpointsOf(agencyIds);
    const key = agencyIds.join('\n');
    let endpoints = ctx.cache.endpoints.get(key);
    if (!endpoints) {
      endpoints = this.webhooks.enabledEndpointsOf(agencyIds);
      ctx.cache.endpoints.set(key, endpoints);
    }
    return endpoints;
  }

  /** Runs `fn` in one transaction; publishes SSE events and kicks webhooks after the commit. */
  private write<T>(fromMs: number, toMs: number, fn: (ctx: TxContext) => T, withWorld = true): T {
    const ctx: TxContext = {
      nowMs: this.nowMs(),
      world: { jurisdictions: [], assets: [], rules: [], suppressions: [] },
      events: [],
      kickWebhooks: false,
    };
    const result = this.alerts.inTransaction(() => {
      if (withWorld) ctx.world = this.loadWorld(fromMs, toMs);
      return fn(ctx);
    });
    for (const e of ctx.events) this.stream.emit('event', e);
    if (ctx.kickWebhooks) setImmediate(() => void this.deliverDueWebhooks());
    return result;
  }

  // ---------------------------------------------------------------- routing

  private dispatch(
    ctx: TxContext,
    alert: Pick<AlertRow, 'id'>,
    decisions: { agencyId: string; reason: string }[],
    kind: AlertRouteRow['kind'],
    actor: string,
  ): string[] {
    const added: string[] = [];
    // while processing, the kept routes say which agencies have one (the INSERT would do nothing)
    const routes = ctx.cache
      ? (this.routesOf(ctx, alert.id) as { agencyId: string; dispatchedAtMs: number }[])
      : undefined;
    for (const d of decisions) {
      if (routes?.some((r) => r.agencyId === d.agencyId)) continue;
      const ok = this.alerts.addRoute({
        alertId: alert.id,
        agencyId: d.agencyId,
        kind,
        reason: d.reason,
        state: 'pending',
        dispatchedAt: new Date(ctx.nowMs),
        acknowledgedAt: null,
        reminderSentAt: null,
        escalatedAt: null,
        handedOverTo: null,
        handoverReason: null,
        rating: null,
        ratingNote: null,
      });
      if (!ok) continue;
      if (routes) {
        routes.push({ agencyId: d.agencyId, dispatchedAtMs: ctx.nowMs });
        routes.sort(byDispatch);
      }
      added.push(d.agencyId);
      this.appendAudit(
        ctx,
        actor,
        `alert.${kind === 'routed' ? 'dispatched' : kind}`,
        `alert:${alert.id}`,
        { agencyId: d.agencyId, reason: d.reason },
      );
    }
    return added;
  }

  // ---------------------------------------------------------------- observations

  private applyOutcome(ctx: TxContext, obs: Observation, evaluation: Evaluation): void {
    const { outcome } = evaluation;
    if (outcome.outcome === 'created') {
      const s = outcome.alert;
      const row = this.alerts.insertAlert({
        id: s.id,
        alertType: s.alertType,
        typeCode: typeCode(s.alertType),
        status: 'new',
        version: 1,
        primaryKind: obs.kind,
        outcomeLabel: null,
        duplicateOf: null,
        closedAt: null,
        createdAt: new Date(ctx.nowMs),
        updatedAt: new Date(ctx.nowMs),
        ...rowFieldsOf(s),
      });
      // a new alert has no route yet
      ctx.cache?.routes.set(row.id, []);
      this.recordEvent(ctx, row, 'alert.created', 'system', {
        toStatus: 'new',
        data: { ruleIds: outcome.ruleIds },
      });
      const decisions = routeAlert(s, ctx.world.jurisdictions);
      const added = this.dispatch(ctx, row, decisions, 'routed', 'system');
      if (added.length > 0) {
        this.alerts.setStatus(row.id, 'dispatched');
        const dispatched = { ...row, status: 'dispatched' as const };
        this.recordEvent(ctx, dispatched, 'alert.dispatched', 'system', {
          fromStatus: 'new',
          toStatus: 'dispatched',
          data: { agencyIds: added },
        });
      }
      return;
    }
    if (outcome.outcome === 'merged') {
      // read whole once, when fusion chose it
      const current =
        evaluation.target?.id === outcome.alert.id
          ? evaluation.target
          : this.alerts.getAlertUnscoped(outcome.alert.id);
      if (!current) throw new Error(`alert ${outcome.alert.id} vanished during fusion`);
      const version = current.version + 1;
      const fields = rowFieldsOf(outcome.alert);
      // the box and time span are written only when they change (the R*Tree entry moves only
      // then): the tree's layout orders fusion's candidates, which the tie rule makes irrelevant
      this.alerts.growAlert(
        current.id,
        { ...fields, version, updatedAt: new Date(ctx.nowMs) },
        current,
      );
      const updated: AlertRow = { ...current, ...fields, version, updatedAt: new Date(ctx.nowMs) };
      this.recordEvent(ctx, updated, 'alert.updated', 'system', {
        data: {
          observationCount: updated.observationCount,
          previous: {
            confidence: outcome.previous.confidence,
            severity: outcome.previous.severity,
          },
          escalated: outcome.escalated,
        },
      });
      // a grown or more severe alert may now concern more agencies
      const decisions = routeAlert(outcome.alert, ctx.world.jurisdictions);
      const added = this.dispatch(ctx, updated, decisions, 'routed', 'system');
      if (added.length > 0 && updated.status === 'new') {
        this.alerts.setStatus(updated.id, 'dispatched');
        this.recordEvent(ctx, { ...updated, status: 'dispatched' }, 'alert.dispatched', 'system', {
          fromStatus: 'new',
          toStatus: 'dispatched',
          data: { agencyIds: added },
        });
      } else if (added.length > 0) {
        this.recordEvent(ctx, updated, 'alert.dispatched', 'system', {
          data: { agencyIds: added },
        });
      }
    }
  }

  private evaluate(ctx: TxContext, obs: Observation): Evaluation {
    const rule = resolveRule(obs.alertType, obs.location, ctx.world.rules);
    // R*Tree pre-selection of open alerts that could absorb this observation
    const reachM = rule.fusionDistanceM + obs.radiusM;
    const frame = createLocalFrame(obs.location);
    const [gMinLon, gMinLat, gMaxLon, gMaxLat] = bboxOf(obs.geometry);
    const box = (padM: number): [number, number, number, number] => [
      gMinLon - padM / frame.mPerDegLon,
      gMinLat - padM / frame.mPerDegLat,
      gMaxLon + padM / frame.mPerDegLon,
      gMaxLat + padM / frame.mPerDegLat,
    ];
    // an observation the rules drop anyway needs no fusion search
    const dropped =
      thresholdFailures(obs, rule).length > 0 ||
      findSuppression(obs, ctx.world.suppressions) !== undefined;
    // only what the fusion test reads; the chosen alert alone is read whole
    const refs = dropped
      ? []
      : this.alerts.fusionCandidateRefs(
          typeCode(obs.alertType),
          box(reachM + MAX_ALERT_RADIUS_M),
          box(reachM),
          { lon: frame.mPerDegLon, lat: frame.mPerDegLat },
          obs.observedAtMs - rule.fusionWindowMs,
          obs.observedAtMs + rule.fusionWindowMs,
        );
    const geometries = ctx.cache?.geometries;
    const candidates: FusionCandidate[] = refs.map((r) => {
      const kept = geometries?.get(r.id);
      let geometry: Geometry;
      if (kept && kept.version === r.version) geometry = kept.geometry;
      else {
        geometry = JSON.parse(r.geometryJson) as Geometry;
        geometries?.set(r.id, { version: r.version, geometry });
      }
      return {
        id: r.id,
        createdSeq: r.seq,
        alertType: r.alertType as AlertType,
        status: r.status,
        firstObservedAtMs: r.firstObservedAtMs,
        lastObservedAtMs: r.lastObservedAtMs,
        geometry,
        radiusM: r.radiusM,
      };
    });
    let target: AlertRow | undefined;
    const outcome = evaluateObservation(obs, {
      rules: ctx.world.rules,
      suppressions: ctx.world.suppressions,
      assets: ctx.world.assets,
      candidates,
      loadAlert: (c) => {
        target = this.alerts.getAlertUnscoped(c.id);
        if (!target) throw new Error(`alert ${c.id} vanished during fusion`);
        return snapshotOf(target);
      },
      newId: () => newId('alr'),
    });
    return { outcome, target };
  }

  // ---------------------------------------------------------------- ingest: acceptance

  /**
   * Accepts a batch of validated detections: checks its idempotency keys, stores the
   * detections, the batch and the key with its answer in ONE durable transaction, and answers
   * at once with each detection's id and `outcome: 'pending'`. The rules, fusion, routing,
   * audit and delivery run right after the commit ({@link whenIdle} waits for them). A replay
   * (same key, same body) answers the earlier answer; the same key with another body is
   * refused with IDEMPOTENCY_KEY_REUSED before anything is written.
   */
  acceptBatch(
    actor: Actor,
    detections: Detection[],
    idempotencyKey: string | undefined,
  ): { response: IngestResponse; replayed: boolean } {
    const nowMs = this.nowMs();
    // zod's output lists an object's keys in schema order, so this text is canonical: the same
    // detections give the same text whatever the key order of the request
    const payloads = detections.map((d) => JSON.stringify(d));
    let requestHash: string | undefined;
    if (idempotencyKey !== undefined) {
      const h = createHash('sha256');
      for (const p of payloads) h.update(p).update('\n');
      requestHash = `${HASH_VERSION}${h.digest('hex')}`;
    }
    const answer = this.ingest.inTransaction(() => {
      if (idempotencyKey !== undefined && requestHash !== undefined) {
        const prior = this.ingest.findKey(actor.agencyId, 'batch', idempotencyKey);
        if (prior) {
          if (!sameRequest(prior.requestHash, requestHash, () => detections)) {
            throw new AppError(
              'IDEMPOTENCY_KEY_REUSED',
              `Idempotency-Key "${idempotencyKey}" was used before with a different body.`,
            );
          }
          return { response: storedAnswer(prior.response), replayed: true };
        }
      }
      const waiting = this.pendingItems();
      if (waiting + detections.length > (this.options.maxPendingDetections ?? 100_000)) {
        throw new AppError(
          'INGEST_BACKLOGGED',
          `${waiting} detections are waiting for the rules; this batch of ${detections.length} was not accepted. Retry after ${BACKLOG_RETRY_AFTER_S} s.`,
          { headers: { 'Retry-After': String(BACKLOG_RETRY_AFTER_S) } },
        );
      }
      const batchId = newId('batch');
      const results: IngestItemResult[] = [];
      const detectionIds: string[] = [];
      const rows: AcceptedDetectionRow[] = [];
      const itemKeys: { key: string; hash: string; json: string }[] = [];
      const seenKeys = new Map<string, IngestItemResult>();
      for (let index = 0; index < detections.length; index++) {
        const d = detections[index]!;
        const clientKey = idempotencyKey === undefined ? d.clientKey : undefined;
        let itemHash: string | undefined;
        if (clientKey !== undefined) {
          itemHash = `${HASH_VERSION}${sha256(payloads[index]!)}`;
          const same = seenKeys.get(clientKey);
          if (same) {
            results.push({ ...same, index });
            detectionIds.push(same.detectionId);
            continue;
          }
          const prior = this.ingest.findKey(actor.agencyId, 'item', clientKey);
          if (prior) {
            if (!sameRequest(prior.requestHash, itemHash, () => d)) {
              throw new AppError(
                'IDEMPOTENCY_KEY_REUSED',
                `clientKey "${clientKey}" (item ${index}) was used before with a different detection.`,
                {
                  issues: [
                    {
                      path: `/body/detections/${index}/clientKey`,
                      code: 'REUSED',
                      message: 'key already used with another detection',
                    },
                  ],
                },
              );
            }
            const detectionId = (prior.response as { detectionId: string }).detectionId;
            const earlier = this.ingest.getDetection(detectionId);
            const result = earlier
              ? resultOf(index, earlier)
              : { index, detectionId, outcome: 'pending' as const };
            results.push(result);
            detectionIds.push(detectionId);
            seenKeys.set(clientKey, result);
            continue;
          }
        }
        const detectionId = batchDetectionId(batchId, index);
        const result: IngestItemResult = { index, detectionId, outcome: 'pending' };
        results.push(result);
        detectionIds.push(detectionId);
        rows.push({
          id: detectionId,
          batchId,
          agencyId: actor.agencyId,
          kind: d.kind,
          capturedAtMs: Date.parse(d.capturedAt),
          sensorId: d.sensorId,
          passKey: d.passId ?? d.sensorId,
          payloadJson: payloads[index]!,
          receivedAtMs: nowMs,
        });
        if (clientKey !== undefined && itemHash !== undefined) {
          seenKeys.set(clientKey, result);
          itemKeys.push({ key: clientKey, hash: itemHash, json: JSON.stringify({ detectionId }) });
        }
      }
      this.ingest.insertAccepted(rows);
      const allOwn = rows.length === detections.length;
      this.ingest.insertBatch({
        id: batchId,
        agencyId: actor.agencyId,
        itemCount: detections.length,
        // the common case: every item is new, and its id says which it is
        detectionIds: allOwn ? [] : detectionIds,
        receivedAtMs: nowMs,
        processedAtMs: rows.length === 0 ? nowMs : null,
      });
      for (const k of itemKeys)
        this.ingest.putKey(actor.agencyId, 'item', k.key, k.hash, k.json, nowMs);
      const response: IngestResponse = {
        batchId,
        status: rows.length === 0 ? 'processed' : 'pending',
        results,
      };
      if (idempotencyKey !== undefined && requestHash !== undefined) {
        // with a batch key every item is new, so the answer is its batch id and size
        const stored: StoredBatchAnswer = { batchId, size: detections.length };
        this.ingest.putKey(
          actor.agencyId,
          'batch',
          idempotencyKey,
          requestHash,
          JSON.stringify(stored),
          nowMs,
        );
      }
      return { response, replayed: false };
    });
    if (!answer.replayed) this.pendingItemCount = this.pendingItems() + detections.length;
    if (!answer.replayed && answer.response.status === 'pending') this.scheduleProcessing();
    return answer;
  }

  /** What became of a batch: each item's detection with its outcome and alert once processed. */
  batchStatus(
    actor: Actor,
    batchId: string,
  ): IngestResponse & { receivedAt: string; processedAt: string | null } {
    const batch = this.ingest.getBatch(batchId);
    // another agency's batch is "not found": its existence is not revealed
    if (!batch || (!actor.seesAll && batch.agencyId !== actor.agencyId))
      throw new AppError('NOT_FOUND', `No detection batch ${batchId}.`);
    const rows = new Map(this.ingest.detectionsByIds(batch.detectionIds).map((r) => [r.id, r]));
    const results = batch.detectionIds.map((id, index): IngestItemResult => {
      const row = rows.get(id);
      return row ? resultOf(index, row) : { index, detectionId: id, outcome: 'pending' };
    });
    return {
      batchId: batch.id,
      status: batch.processedAt ? 'processed' : 'pending',
      receivedAt: batch.receivedAt.toISOString(),
      processedAt: batch.processedAt?.toISOString() ?? null,
      results,
    };
  }

  /** One detection as stored, with its outcome (`pending` until the rules have run). */
  detectionStatus(actor: Actor, detectionId: string): DetectionStatus {
    const row = this.ingest.getDetection(detectionId);
    if (!row || (!actor.seesAll && row.agencyId !== actor.agencyId))
      throw new AppError('NOT_FOUND', `No detection ${detectionId}.`);
    const r = resultOf(0, row);
    return {
      detectionId: row.id,
      batchId: row.batchId,
      kind: row.kind,
      capturedAt: row.capturedAt.toISOString(),
      sensorId: row.sensorId,
      outcome: r.outcome,
      alertId: row.alertId,
      reason: row.outcomeDetail,
      location: row.lon !== null && row.lat !== null ? [row.lon, row.lat] : null,
      radiusM: row.radiusM,
      receivedAt: row.receivedAt.toISOString(),
      processedAt: row.processedAt?.toISOString() ?? null,
    };
  }

  // ---------------------------------------------------------------- ingest: processing

  /** Stops processing accepted batches (they stay stored) until {@link resumeProcessing}. */
  pauseProcessing(): void {
    this.processingPaused = true;
  }

  resumeProcessing(): void {
    this.processingPaused = false;
    this.scheduleProcessing();
  }

  /**
   * Resolves once every accepted batch has been processed (at once when none waits, or when
   * processing is paused or the store closed); rejects when processing failed.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.processing) {
        await this.processing;
        if (this.processingError) {
          const cause = this.processingError;
          this.processingError = undefined;
          throw new Error('processing accepted detections failed', { cause });
        }
        continue;
      }
      if (this.processingPaused || !this.options.store.sqlite.open) return;
      if (this.ingest.pendingBatches(1).length === 0) return;
      void this.runProcessing();
    }
  }

  private scheduleProcessing(): void {
    if (this.processingPaused || this.processingScheduled) return;
    this.processingScheduled = true;
    setImmediate(() => {
      this.processingScheduled = false;
      void this.runProcessing();
    });
  }

  /** Processes accepted batches in order, a chunk per transaction, yielding between chunks. */
  private runProcessing(): Promise<void> {
    if (this.processing) return this.processing;
    this.processing = (async () => {
      try {
        for (;;) {
          if (this.processingPaused || !this.options.store.sqlite.open) return;
          let processed: number;
          try {
            processed = this.processChunk();
          } catch (err) {
            this.processingError = err;
            this.options.logger.error({ err }, 'processing accepted detections failed; retrying');
            const retry = setTimeout(() => this.scheduleProcessing(), PROCESSING_RETRY_MS);
            retry.unref();
            return;
          }
          if (processed === 0) {
            this.checkpointSoon();
            return;
          }
          // let requests in between chunks
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        this.processing = undefined;
      }
    })();
    return this.processing;
  }

  /**
   * Caught up after a good amount of work: copy the WAL back into the database now (after the
   * webhook sends just kicked), so that the next request's commit does not pay for
   * checkpointing what the rules wrote.
   */
  private checkpointSoon(): void {
    if (this.detectionsSinceCheckpoint < CHECKPOINT_AFTER_DETECTIONS) return;
    this.detectionsSinceCheckpoint = 0;
    setImmediate(() => {
      if (this.options.store.sqlite.open)
        this.options.store.sqlite.pragma('wal_checkpoint(PASSIVE)');
    });
  }

  /** Items of the batches accepted but not yet processed (counted once from the store). */
  private pendingItems(): number {
    this.pendingItemCount ??= this.ingest.pendingItemCount();
    return this.pendingItemCount;
  }

  /** Runs the rules over the oldest pending batches in one transaction; returns how many. */
  private processChunk(): number {
    const done: { batchId: string; receivedAtMs: number }[] = [];
    let detectionCount = 0;
    // read and processed in one IMMEDIATE transaction: another connection on the same file
    // cannot take the same batches
    this.write(
      0,
      0,
      (ctx) => {
        ctx.cache = processingCache();
        const batches = this.ingest.pendingBatches(MAX_BATCHES_PER_CHUNK);
        let taken = 0;
        while (taken < batches.length && (taken === 0 || detectionCount < MAX_DETECTIONS_PER_CHUNK))
          detectionCount += batches[taken++]!.detectionIds.length;
        const chunk = batches.slice(0, taken);
        const pending = new Map(
          this.ingest.pendingDetections(chunk.flatMap((b) => b.detectionIds)).map((r) => [r.id, r]),
        );
        const parsed = new Map<string, Detection>();
        let fromMs = Infinity;
        let toMs = -Infinity;
        for (const [id, row] of pending) {
          const d = JSON.parse(row.payloadJson) as Detection;
          parsed.set(id, d);
          const t = Date.parse(d.capturedAt);
          if (t < fromMs) fromMs = t;
          if (t > toMs) toMs = t;
        }
        if (pending.size > 0)
          ctx.world = this.loadWorld(fromMs - WORLD_WINDOW_MS, toMs + WORLD_WINDOW_MS);
        for (const batch of chunk) {
          batch.detectionIds.forEach((id, index) => {
            const row = pending.get(id);
            const d = parsed.get(id);
            if (!row || !d) return; // processed already (an earlier batch's, replayed by clientKey)
            pending.delete(id);
            this.processDetection(ctx, row, index, d);
          });
          this.ingest.markBatchProcessed(batch.id, ctx.nowMs);
          done.push({ batchId: batch.id, receivedAtMs: batch.receivedAtMs });
        }
      },
      false,
    );
    this.detectionsSinceCheckpoint += detectionCount;
    if (this.pendingItemCount !== undefined)
      this.pendingItemCount = Math.max(0, this.pendingItemCount - detectionCount);
    for (const b of done) this.batches.emit('processed', b);
    return done.length;
  }

  /** One detection through the rules, in a savepoint: a failure marks it `failed`, not the batch. */
  private processDetection(
    ctx: TxContext,
    row: PendingDetection,
    index: number,
    d: Detection,
  ): void {
    const eventsBefore = ctx.events.length;
    const kickBefore = ctx.kickWebhooks;
    let update: DetectionOutcomeUpdate;
    try {
      update = this.ingest.inSavepoint(() => this.evaluateDetection(ctx, d, index));
    } catch (err) {
      ctx.events.length = eventsBefore;
      ctx.kickWebhooks = kickBefore;
      // what was kept may name routes, audit entries or versions the rollback undid
      if (ctx.cache) ctx.cache = processingCache();
      this.options.logger.error(
        { err, detectionId: row.id, batchId: row.batchId },
        'a detection could not be processed; marked failed',
      );
      update = {
        passKey: d.passId ?? d.sensorId,
        lon: null,
        lat: null,
        radiusM: null,
        outcome: 'failed',
        outcomeDetail: `processing failed: ${err instanceof Error ? err.message : String(err)}`,
        alertId: null,
        processedAtMs: ctx.nowMs,
      };
    }
    this.ingest.markDetection(row.id, update);
  }

  private evaluateDetection(ctx: TxContext, d: Detection, index: number): DetectionOutcomeUpdate {
    let obs: Observation;
    try {
      const geo = this.options.dem ? { dem: this.options.dem } : {};
      obs = observeDetection(d, geo);
    } catch (err) {
      if (!(err instanceof GeoreferenceError))
        throw new Error(`detection ${index} could not be observed`, { cause: err });
      return {
        passKey: d.passId ?? d.sensorId,
        lon: null,
        lat: null,
        radiusM: null,
        outcome: 'rejected',
        outcomeDetail: `georeferencing failed: ${err.message}`,
        alertId: null,
        processedAtMs: ctx.nowMs,
      };
    }
    const evaluation = this.evaluate(ctx, obs);
    this.applyOutcome(ctx, obs, evaluation);
    const { outcome } = evaluation;
    return {
      passKey: obs.passKey,
      lon: obs.location[0],
      lat: obs.location[1],
      radiusM: obs.radiusM,
      outcome: outcome.outcome,
      outcomeDetail:
        outcome.outcome === 'suppressed'
          ? outcome.reason
          : outcome.outcome === 'below_threshold'
            ? outcome.failures.join('; ')
            : null,
      alertId:
        outcome.outcome === 'created' || outcome.outcome === 'merged' ? outcome.alert.id : null,
      processedAtMs: ctx.nowMs,
    };
  }

  // ---------------------------------------------------------------- satellite

  /** Imports a FIRMS CSV for an area: new hotspots go through the same rules as detections. */
  importFirms(actor: Actor, csv: string, area: Geometry[], bufferM: number) {
    let parsed;
    try {
      parsed = parseFirmsCsv(csv);
    } catch (err) {
      if (err instanceof FirmsFormatError)
        throw new AppError('FIRMS_CSV_INVALID', err.message, { cause: err });
      throw err;
    }
    const inArea = [
      ...new Set(area.flatMap((g) => filterHotspotsToArea(parsed.hotspots, g, { bufferM }))),
    ];
    const counts = {
      parsed: parsed.hotspots.length,
      rowErrors: parsed.errors.length,
      inArea: inArea.length,
      duplicates: 0,
      created: 0,
      merged: 0,
      suppressed: 0,
      belowThreshold: 0,
    };
    const alertIds = new Set<string>();
    if (inArea.length === 0) return { ...counts, alertIds: [] as string[] };
    const times = inArea.map((h) => h.acquiredAtMs);
    this.write(Math.min(...times) - 86_400_000, Math.max(...times) + 86_400_000, (ctx) => {
      for (const h of inArea) {
        const id = newId('sat');
        const obs = observeSatelliteHotspot(h);
        const row = {
          id,
          agencyId: actor.agencyId,
          lon: h.lonLat[0],
          lat: h.lonLat[1],
          acquiredAt: new Date(h.acquiredAtMs),
          satellite: h.satellite,
          instrument: h.instrument,
          brightnessK: h.brightnessK,
          frpMw: h.frpMw ?? null,
          confidencePct: h.confidencePct ?? null,
          scanKm: h.scanKm,
          trackKm: h.trackKm,
          outcome: 'pending',
          alertId: null,
          importedAt: new Date(ctx.nowMs),
        };
        if (!this.ingest.insertHotspot(row)) {
          counts.duplicates++;
          continue;
        }
        const evaluation = this.evaluate(ctx, obs);
        this.applyOutcome(ctx, obs, evaluation);
        const { outcome } = evaluation;
        if (outcome.outcome === 'created') counts.created++;
        if (outcome.outcome === 'merged') counts.merged++;
        if (outcome.outcome === 'suppressed') counts.suppressed++;
        if (outcome.outcome === 'below_threshold') counts.belowThreshold++;
        if (outcome.outcome === 'created' || outcome.outcome === 'merged')
          alertIds.add(outcome.alert.id);
      }
    });
    return { ...counts, alertIds: [...alertIds] };
  }

  // ---------------------------------------------------------------- lifecycle

  private visibleAlert(actor: Actor, id: string): AlertRow {
    const row = this.alerts.getAlert(id, { agencyId: actor.agencyId, seesAll: actor.seesAll });
    // another agency's alert is "not found": its existence is not revealed
    if (!row) throw new AppError('ALERT_NOT_FOUND', `No alert ${id}.`);
    return row;
  }

  getAlert(actor: Actor, id: string): AlertRow {
    return this.visibleAlert(actor, id);
  }

  /** acknowledge / start / resolve / false_alarm / duplicate on behalf of the caller's agency. */
  act(
    actor: Actor,
    id: string,
    action: Exclude<AlertAction, 'dispatch'>,
    input: {
      note?: string | undefined;
      outcomeLabel?: OutcomeLabel | undefined;
      duplicateOf?: string | undefined;
    },
  ): AlertRow {
    return this.write(
      0,
      0,
      (ctx) => {
        const alert = this.visibleAlert(actor, id);
        const t = transitionAlert(alert.status, action);
        if (!t.ok) throw new AppError('ALERT_TRANSITION_INVALID', t.reason);
        if (action === 'duplicate') {
          if (!input.duplicateOf || input.duplicateOf === id) {
            throw new AppError(
              'VALIDATION_FAILED',
              'duplicate needs duplicateOf: the id of another alert.',
              {
                issues: [
                  {
                    path: '/body/duplicateOf',
                    code: 'REQUIRED',
                    message: 'the alert this one duplicates',
                  },
                ],
              },
            );
          }
          const original = this.alerts.getAlert(input.duplicateOf, {
            agencyId: actor.agencyId,
            seesAll: actor.seesAll,
          });
          if (!original)
            throw new AppError(
              'ALERT_REFERENCE_INVALID',
              `No alert ${input.duplicateOf} to mark this one a duplicate of.`,
            );
        }
        const route = this.alerts.route(id, actor.agencyId);
        const at = new Date(ctx.nowMs);
        if (
          route &&
          route.acknowledgedAt === null &&
          action !== 'false_alarm' &&
          action !== 'duplicate'
        ) {
          this.alerts.updateRoute(id, actor.agencyId, {
            acknowledgedAt: at,
            state: route.state === 'pending' ? 'acknowledged' : route.state,
          });
        } else if (route && route.acknowledgedAt === null) {
          this.alerts.updateRoute(id, actor.agencyId, {
            acknowledgedAt: at,
            state: 'acknowledged',
          });
        }
        const closing = isTerminal(t.to) && !isTerminal(t.from);
        const changed = t.to !== t.from;
        const version = changed ? alert.version + 1 : alert.version;
        const patch: Partial<AlertRow> = { status: t.to, version, updatedAt: at };
        if (closing) {
          patch.closedAt = at;
          patch.outcomeLabel =
            input.outcomeLabel ??
            (action === 'false_alarm'
              ? 'not_found_on_site'
              : action === 'duplicate'
                ? 'duplicate_report'
                : 'confirmed_handled');
          if (action === 'duplicate') patch.duplicateOf = input.duplicateOf ?? null;
        }
        this.alerts.updateAlert(id, patch);
        const updated: AlertRow = { ...alert, ...patch };
        const actorName = `agency:${actor.agencyId}`;
        const eventType =
          action === 'acknowledge'
            ? 'alert.acknowledged'
            : action === 'start'
              ? 'alert.started'
              : 'alert.closed';
        this.recordEvent(ctx, updated, eventType, actorName, {
          agencyId: actor.agencyId,
          fromStatus: t.from,
          toStatus: t.to,
          note: input.note ?? null,
          data: closing ? { outcomeLabel: patch.outcomeLabel ?? null } : {},
        });
        this.appendAudit(
          ctx,
          actorName,
          `alert.${action === 'acknowledge' ? 'acknowledged' : action === 'start' ? 'started' : action === 'resolve' ? 'resolved' : action}`,
          `alert:${id}`,
          {
            keyId: actor.keyId,
            from: t.from,
            to: t.to,
            note: input.note ?? null,
            outcomeLabel: closing ? (patch.outcomeLabel ?? null) : null,
          },
        );
        return updated;
      },
      false,
    );
  }

  /** "Not ours": hands the caller's route over to another agency, with a reason. */
  handover(actor: Actor, id: string, toAgencyId: string, reason: string): AlertRow {
    return this.write(
      0,
      0,
      (ctx) => {
        const alert = this.visibleAlert(actor, id);
        if (isTerminal(alert.status))
          throw new AppError(
            'ALERT_TRANSITION_INVALID',
            `cannot hand over an alert that is ${alert.status}`,
          );
        const route = this.alerts.route(id, actor.agencyId);
        if (!route || route.state === 'handed_over') {
          throw new AppError(
            'ALERT_TRANSITION_INVALID',
            'only an agency the alert is routed to can hand it over, once',
          );
        }
        if (
          toAgencyId === actor.agencyId ||
          !this.alerts.allAgencies().some((a) => a.id === toAgencyId)
        ) {
          throw new AppError(
            'AGENCY_REFERENCE_INVALID',
            `Cannot hand over to ${toAgencyId}: not another known agency.`,
            {
              issues: [
                { path: '/body/toAgencyId', code: 'INVALID', message: 'another existing agency' },
              ],
            },
          );
        }
        this.alerts.updateRoute(id, actor.agencyId, {
          state: 'handed_over',
          handedOverTo: toAgencyId,
          handoverReason: reason,
        });
        const actorName = `agency:${actor.agencyId}`;
        this.appendAudit(ctx, actorName, 'alert.handed_over', `alert:${id}`, {
          keyId: actor.keyId,
          from: actor.agencyId,
          to: toAgencyId,
          reason,
        });
        this.dispatch(
          ctx,
          alert,
          [{ agencyId: toAgencyId, reason: `handed over by ${actor.agencyId}: ${reason}` }],
          'handover',
          actorName,
        );
        this.recordEvent(ctx, alert, 'alert.handed_over', actorName, {
          agencyId: actor.agencyId,
          note: reason,
          data: { to: toAgencyId },
        });
        return alert;
      },
      false,
    );
  }

  /** Shares an alert with another agency explicitly (no deadline for it). */
  share(actor: Actor, id: string, toAgencyId: string, note: string | undefined): AlertRow {
    return this.write(
      0,
      0,
      (ctx) => {
        const alert = this.visibleAlert(actor, id);
        if (!this.alerts.allAgencies().some((a) => a.id === toAgencyId)) {
          throw new AppError(
            'AGENCY_REFERENCE_INVALID',
            `Cannot share with ${toAgencyId}: no such agency.`,
          );
        }
        const actorName = `agency:${actor.agencyId}`;
        this.dispatch(
          ctx,
          alert,
          [
            {
              agencyId: toAgencyId,
              reason: `shared by ${actor.agencyId}${note ? `: ${note}` : ''}`,
            },
          ],
          'shared',
          actorName,
        );
        this.recordEvent(ctx, alert, 'alert.shared', actorName, {
          agencyId: actor.agencyId,
          note: note ?? null,
          data: { to: toAgencyId },
        });
        return alert;
      },
      false,
    );
  }

  /** Rates a closed alert (1..5) on behalf of the caller's agency. */
  rate(actor: Actor, id: string, stars: number, note: string | undefined): AlertRow {
    return this.write(
      0,
      0,
      (ctx) => {
        const alert = this.visibleAlert(actor, id);
        const ok = canRate(alert.status, stars);
        if (!ok.ok) throw new AppError('ALERT_TRANSITION_INVALID', ok.reason);
        if (this.alerts.route(id, actor.agencyId))
          this.alerts.updateRoute(id, actor.agencyId, { rating: stars, ratingNote: note ?? null });
        const actorName = `agency:${actor.agencyId}`;
        this.appendAudit(ctx, actorName, 'alert.rated', `alert:${id}`, {
          keyId: actor.keyId,
          stars,
          note: note ?? null,
        });
        this.recordEvent(ctx, alert, 'alert.rated', actorName, {
          agencyId: actor.agencyId,
          note: note ?? null,
          data: { stars },
        });
        return alert;
      },
      false,
    );
  }

  /** Stores a request for a close-up verification flight from the nearest capable dock. */
  requestVerification(actor: Actor, id: string, note: string | undefined) {
    return this.write(
      0,
      0,
      (ctx) => {
        const alert = this.visibleAlert(actor, id);
        const needs =
          alert.alertType === 'fire' || alert.alertType === 'pollution' ? 'ir' : 'lidar';
        let best: { id: string; distanceM: number } | undefined;
        for (const dock of this.alerts.docksWithPayloads()) {
          if (!dock.payloadKinds.includes(needs)) continue;
          // only docks the requester may fly from: its own and the shared ones (never name
          // another agency's unshared dock)
          if (!actor.seesAll && dock.agencyId !== actor.agencyId && !dock.shared) continue;
          const d = distanceM([dock.lon, dock.lat], [alert.lon, alert.lat]);
          if (!best || d < best.distanceM) best = { id: dock.id, distanceM: d };
        }
        const row = {
          id: newId('ver'),
          alertId: id,
          agencyId: actor.agencyId,
          requestedBy: actor.keyId,
          status: 'requested' as const,
          dockId: best?.id ?? null,
          dockDistanceM: best?.distanceM ?? null,
          note: note ?? null,
          createdAt: new Date(ctx.nowMs),
        };
        this.alerts.insertVerification(row);
        this.recordEvent(ctx, alert, 'alert.verification_requested', `agency:${actor.agencyId}`, {
          agencyId: actor.agencyId,
          note: note ?? null,
          data: { verificationId: row.id, dockId: row.dockId },
        });
        return row;
      },
      false,
    );
  }

  /** Puts a step taken by the service (e.g. a verification flight's outcome) on an alert's timeline and audit chain. */
  recordSystemEvent(id: string, type: string, actor: string, data: { [k: string]: JsonValue }) {
    this.write(
      0,
      0,
      (ctx) => {
        const alert = this.alerts.getAlertUnscoped(id);
        if (!alert) throw new AppError('ALERT_NOT_FOUND', `No alert ${id}.`);
        this.appendAudit(ctx, actor, type, `alert:${id}`, data);
        this.recordEvent(ctx, alert, type, actor, { data });
      },
      false,
    );
  }

  /**
   * Runs an agency's administrative change (`change`, e.g. registering a webhook endpoint or
   * rotating its signing secret) in one transaction with its audit entry, so the chain records who
   * changed where alerts go and how they are signed. `change` answers undefined when nothing
   * changed (an unknown or foreign id): then nothing is recorded. Never put secrets in `data`.
   *
   * @example
   * service.audited(actor, 'webhook.deleted', `webhook:${id}`, {}, () => repo.deleteEndpoint(id, scope) || undefined);
   */
  audited<T>(
    actor: Actor,
    action: string,
    subject: string,
    data: { [k: string]: JsonValue },
    change: () => T | undefined,
  ): T | undefined {
    return this.write(
      0,
      0,
      (ctx) => {
        const result = change();
        if (result !== undefined)
          this.appendAudit(ctx, `agency:${actor.agencyId}`, action, subject, {
            keyId: actor.keyId,
            ...data,
          });
        return result;
      },
      false,
    );
  }

  // ---------------------------------------------------------------- deadlines

  /** Reminds late agencies and escalates overdue alerts to emergency management. */
  sweepDeadlines(): { reminded: number; escalated: number } {
    const counts = { reminded: 0, escalated: 0 };
    this.write(
      0,
      0,
      (ctx) => {
        for (const { route, alert } of this.alerts.pendingRoutes()) {
          if (route.kind === 'shared') continue;
          const st = evaluateDeadline(
            {
              dispatchedAtMs: route.dispatchedAt.getTime(),
              acknowledgedAtMs: route.acknowledgedAt?.getTime(),
              reminderSentAtMs: route.reminderSentAt?.getTime(),
              escalatedAtMs: route.escalatedAt?.getTime(),
            },
            alert.severity,
            ctx.nowMs,
          );
          if (st.due.includes('remind')) {
            this.alerts.updateRoute(alert.id, route.agencyId, {
              reminderSentAt: new Date(ctx.nowMs),
            });
            this.appendAudit(ctx, 'system', 'alert.reminded', `alert:${alert.id}`, {
              agencyId: route.agencyId,
            });
            this.recordEvent(ctx, alert, 'alert.reminder', 'system', {
              agencyId: route.agencyId,
              data: { agencyId: route.agencyId, ackDueAt: new Date(st.ackDueAtMs).toISOString() },
            });
            counts.reminded++;
          }
          if (st.due.includes('escalate')) {
            this.alerts.updateRoute(alert.id, route.agencyId, { escalatedAt: new Date(ctx.nowMs) });
            if (ctx.world.jurisdictions.length === 0) ctx.world = this.loadWorld(0, 0);
            const targets = escalationTargets(
              { geometry: alert.geometry as Geometry },
              ctx.world.jurisdictions,
            ).filter((a) => a !== route.agencyId);
            this.appendAudit(ctx, 'system', 'alert.escalated', `alert:${alert.id}`, {
              lateAgencyId: route.agencyId,
              to: targets,
            });
            this.dispatch(
              ctx,
              alert,
              targets.map((agencyId) => ({
                agencyId,
                reason: `escalated: ${route.agencyId} did not acknowledge in time`,
              })),
              'escalated',
              'system',
            );
            this.recordEvent(ctx, alert, 'alert.escalated', 'system', {
              agencyId: route.agencyId,
              data: { lateAgencyId: route.agencyId, to: targets },
            });
            counts.escalated++;
          }
        }
      },
      false,
    );
    return counts;
  }

  /** The yellow/red light of one route now. */
  lightOf(
    route: AlertRouteRow,
    severity: Severity,
    status: AlertStatus,
  ): { light: DeadlineLight; ackDueAt: string } {
    const st = evaluateDeadline(
      {
        dispatchedAtMs: route.dispatchedAt.getTime(),
        acknowledgedAtMs: route.acknowledgedAt?.getTime(),
        closed: route.kind === 'shared' || route.state === 'handed_over' || isTerminal(status),
      },
      severity,
      this.nowMs(),
    );
    return { light: st.light, ackDueAt: new Date(st.ackDueAtMs).toISOString() };
  }

  // ---------------------------------------------------------------- webhooks

  /** Sends every due webhook delivery once; retries are rescheduled, failures dead-lettered. */
  deliverDueWebhooks(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      try {
        do {
          this.deliverAgain = false;
          if (!this.options.store.sqlite.open) return;
          // a secret rotation's overlap has ended: the replaced secret stops signing and is deleted
          const dropped = this.webhooks.dropExpiredPreviousSecrets(this.options.now());
          if (dropped.length > 0)
            this.options.logger.info(
              { endpointIds: dropped },
              'deleted the previous webhook secrets whose overlap ended',
            );
          const due = this.webhooks.due(this.options.now(), 100);
          // results are written as they come, but those that arrive together share one durable
          // transaction (a fast receiver answers a whole pass within a few ticks)
          const settled: SettledDelivery[] = [];
          let flushScheduled = false;
          let flushError: unknown;
          const flush = () => {
            flushScheduled = false;
            const batch = settled.splice(0);
            if (batch.length === 0 || !this.options.store.sqlite.open) return;
            try {
              this.alerts.inTransaction(() => {
                for (const r of batch) this.recordDeliveryAttempt(r);
              });
            } catch (err) {
              flushError ??= err;
            }
          };
          // one read of each endpoint's secrets per pass (all are read before the first send)
          const secretsOf = new Map<string, string[] | undefined>();
          await Promise.all(
            due.map(async ({ delivery, endpoint }) => {
              const sendOpts = this.options.fetchFn
                ? { fetchFn: this.options.fetchFn, nowMs: this.nowMs() }
                : { nowMs: this.nowMs() };
              let secrets: string[] | undefined;
              if (secretsOf.has(endpoint.id)) secrets = secretsOf.get(endpoint.id);
              else {
                try {
                  secrets = this.webhooks.signingSecrets(endpoint.id, this.options.now());
                } catch (err) {
                  if (!(err instanceof SecretKeyError)) throw err;
                  this.options.logger.error(
                    { err, endpointId: endpoint.id },
                    'cannot open the webhook secret; the delivery waits for a retry',
                  );
                }
                secretsOf.set(endpoint.id, secrets);
              }
              const result: AttemptResult =
                secrets === undefined
                  ? { kind: 'network_error', message: 'the endpoint secret cannot be opened' }
                  : await sendWebhook(
                      endpoint.url,
                      secrets,
                      {
                        id: delivery.messageId,
                        type: delivery.eventType,
                        timestampMs: delivery.createdAt.getTime(),
                        data: delivery.payload,
                      },
                      sendOpts,
                    );
              if (!this.options.store.sqlite.open) return;
              settled.push({ delivery, endpointId: endpoint.id, result, atMs: this.nowMs() });
              if (!flushScheduled) {
                flushScheduled = true;
                setImmediate(flush);
              }
            }),
          );
          flush();
          if (flushError !== undefined)
            throw new Error('recording webhook delivery attempts failed', { cause: flushError });
          if (due.length === 100) this.deliverAgain = true;
        } while (this.deliverAgain);
      } finally {
        this.delivering = undefined;
      }
    })();
    return this.delivering;
  }

  /** One delivery attempt's result: delivered, a retry later, dead-lettered or endpoint disabled. */
  private recordDeliveryAttempt({
    delivery,
    endpointId,
    result,
    atMs: now,
  }: SettledDelivery): void {
    const attempts = delivery.attempts + 1;
    const step = nextDeliveryStep(attempts, result);
    const lastStatus = result.kind === 'response' ? result.status : null;
    const lastError =
      result.kind === 'response' ? null : result.kind === 'timeout' ? 'timeout' : result.message;
    if (step.step === 'delivered') {
      this.webhooks.updateDelivery(delivery.id, {
        state: 'delivered',
        attempts,
        lastStatus,
        lastError,
        deliveredAt: new Date(now),
      });
    } else if (step.step === 'retry') {
      this.webhooks.updateDelivery(delivery.id, {
        attempts,
        lastStatus,
        lastError: lastError ?? step.reason,
        nextAttemptAt: new Date(now + step.delayMs),
      });
    } else if (step.step === 'dead_letter') {
      this.webhooks.updateDelivery(delivery.id, {
        state: 'dead_letter',
        attempts,
        lastStatus,
        lastError: step.reason,
      });
    } else {
      this.webhooks.updateDelivery(delivery.id, {
        state: 'dead_letter',
        attempts,
        lastStatus,
        lastError: step.reason,
      });
      this.webhooks.updateEndpoint(endpointId, {
        enabled: false,
        disabledReason: step.reason,
        updatedAt: new Date(now),
      });
      this.webhooks.deadLetterPendingOf(endpointId, `endpoint disabled: ${step.reason}`);
    }
  }

  // ---------------------------------------------------------------- audit

  /** Walks the whole audit log and checks every link of the chain. */
  verifyAudit(): AuditVerification {
    let prev = { seq: 0, hash: '0'.repeat(64) };
    let checked = 0;
    for (;;) {
      const rows = this.audit.after(prev.seq, 5000);
      if (rows.length === 0) return { ok: true, checked, headHash: prev.hash };
      const entries: AuditEntry[] = rows.map((r) => ({
        seq: r.seq,
        atMs: r.at,
        actor: r.actor,
        action: r.action,
        subject: r.subject,
        data: JSON.parse(r.data) as { [k: string]: JsonValue },
        prevHash: r.prevHash,
        hash: r.hash,
      }));
      const v = verifyAuditChain(entries, prev);
      if (!v.ok) return { ...v, checked: checked + v.checked };
      checked += v.checked;
      const last = entries[entries.length - 1]!;
      prev = { seq: last.seq, hash: last.hash };
    }
  }

  // ---------------------------------------------------------------- views

  /** The CAP 1.2 XML of an alert's current version. */
  capXml(alert: AlertRow): string {
    const events = this.alerts.eventsOf(alert.id);
    const versions = new Map<number, number>();
    for (const e of events) if (!versions.has(e.version)) versions.set(e.version, e.at.getTime());
    const routes = this.alerts.routesOf(alert.id);
    return writeCapAlert(
      capMessageForAlert(
        {
          id: alert.id,
          alertType: alert.alertType as AlertType,
          status: alert.status,
          severity: alert.severity,
          confidence: alert.confidence,
          geometry: alert.geometry as Geometry,
          centroid: [alert.lon, alert.lat],
          radiusM: alert.radiusM,
          firstObservedAtMs: alert.firstObservedAt.getTime(),
          version: alert.version,
          updatedAtMs: alert.updatedAt.getTime(),
          observationCount: alert.observationCount,
          agencyIds: routes.map((r) => r.agencyId),
          previous: [...versions.entries()]
            .filter(([v]) => v < alert.version)
            .map(([version, sentMs]) => ({ version, sentMs })),
          severityReasons: alert.severityReasons,
        },
        {
          sender: this.options.capSender ?? 'alerts@shared-flights.invalid',
          senderName: 'Shared Flights',
        },
      ),
    );
  }

  /** Severity ordering helper for filters. */
  static atLeast(severity: Severity): Severity[] {
    return (['low', 'medium', 'high', 'critical'] as const).filter(
      (s) => compareSeverity(s, severity) >= 0,
    );
  }

  /** Scope of an actor. */
  static scopeOf(actor: Actor): Scope {
    return { agencyId: actor.agencyId, seesAll: actor.seesAll };
  }
}
