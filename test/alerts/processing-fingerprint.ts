// What the rules made of a detection stream, with the random ids replaced by creation order, so
// that two runs of the same stream (or two versions of the rules' storage) compare equal.
import { createHash } from 'node:crypto';
import type { Database_ } from '../../db/index';

export interface ProcessingFingerprint {
  /** Per detection in acceptance order: `outcome|#alert` (the alert's creation number). */
  detections: string[];
  /** SHA-256 over every detection's outcome, alert, detail, location and radius. */
  detectionsDigest: string;
  /**
   * Per alert in creation order: `#n type status severity confidence v<version>
   * obs<observations> members<detections> <digest>`, the digest a SHA-256 (first 16 hex) over
   * the whole row (geometry, box, times, metrics…) with its routes and events.
   */
  alerts: string[];
  /** Audit entries by action, and a SHA-256 over all of them in order (ids replaced). */
  auditActions: Record<string, number>;
  auditDigest: string;
  /** Webhook deliveries by endpoint and event type. */
  deliveries: Record<string, number>;
}

type Row = Record<string, unknown>;

/** Reads everything the rules wrote into `store` and names it by creation order. */
export function processingFingerprint(store: Database_): ProcessingFingerprint {
  const db = store.sqlite;
  const agencyName = new Map(
    (db.prepare('SELECT id, name FROM agencies').all() as { id: string; name: string }[]).map(
      (a) => [a.id, a.name],
    ),
  );
  const alertRows = db.prepare('SELECT * FROM alerts ORDER BY seq').all() as Row[];
  const alertNo = new Map(alertRows.map((a, i) => [a.id as string, `#${i}`]));
  // every id in a text becomes its alert number or agency name
  const rename = (text: string) =>
    text
      .replace(/alr_[A-Za-z0-9_-]{16}/g, (id) => alertNo.get(id) ?? 'alert?')
      .replace(/agc_[A-Za-z0-9_-]{16}/g, (id) => agencyName.get(id) ?? 'agency?');
  const detectionRows = (
    db
      .prepare(
        `SELECT d.outcome, d.outcome_detail, d.alert_id, d.lon, d.lat, d.radius_m FROM detections d
         JOIN detection_batches b ON b.id = d.batch_id ORDER BY b.seq, d.id`,
      )
      .all() as Row[]
  ).map((d) => ({
    short: `${String(d.outcome)}|${d.alert_id === null ? '' : (alertNo.get(d.alert_id as string) ?? '?')}`,
    detail: `${String(d.outcome_detail ?? '')}|${String(d.lon)},${String(d.lat)},${String(d.radius_m)}`,
  }));
  const members = new Map(
    (
      db
        .prepare(
          'SELECT alert_id, COUNT(*) AS n FROM detections WHERE alert_id IS NOT NULL GROUP BY alert_id',
        )
        .all() as { alert_id: string; n: number }[]
    ).map((r) => [r.alert_id, r.n]),
  );
  const routesOf = db.prepare(
    'SELECT agency_id, kind, reason, state, dispatched_at FROM alert_routes WHERE alert_id = ?',
  );
  const eventsOf = db.prepare(
    'SELECT version, type, actor, agency_id, from_status, to_status, note, data, at FROM alert_events WHERE alert_id = ? ORDER BY seq',
  );
  const alerts = alertRows.map((a, n): string => {
    const { seq: _seq, id, ...fields } = a;
    const whole = rename(
      JSON.stringify({
        fields,
        // agency ids are random: routes in the order of their agencies' names
        routes: (routesOf.all(id) as Row[])
          .map((r) => ({ ...r, agency_id: agencyName.get(r.agency_id as string) ?? '?' }))
          .sort((x, y) => x.agency_id.localeCompare(y.agency_id)),
        events: eventsOf.all(id),
      }),
    );
    const digest = sha256(whole).slice(0, 16);
    return `#${n} ${String(a.alert_type)} ${String(a.status)} ${String(a.severity)} ${String(a.confidence)} v${String(a.version)} obs${String(a.observation_count)} members${members.get(id as string) ?? 0} ${digest}`;
  });
  const audit = (
    db.prepare('SELECT at, actor, action, subject, data FROM audit_log ORDER BY seq').all() as Row[]
  ).map((e) =>
    rename(
      `${String(e.action)} ${String(e.at)} ${String(e.actor)} ${String(e.subject)} ${String(e.data)}`,
    ),
  );
  const deliveries: Record<string, number> = {};
  for (const d of db
    .prepare(
      'SELECT endpoint_id, event_type, COUNT(*) AS n FROM webhook_deliveries GROUP BY endpoint_id, event_type ORDER BY endpoint_id, event_type',
    )
    .all() as { endpoint_id: string; event_type: string; n: number }[])
    deliveries[`${d.endpoint_id} ${d.event_type}`] = d.n;
  const auditActions: Record<string, number> = {};
  for (const e of audit) {
    const action = e.split(' ')[0] ?? '?';
    auditActions[action] = (auditActions[action] ?? 0) + 1;
  }
  return {
    detections: detectionRows.map((d) => d.short),
    detectionsDigest: sha256(detectionRows.map((d) => `${d.short}|${d.detail}`).join('\n')),
    alerts,
    auditActions,
    auditDigest: sha256(audit.join('\n')),
    deliveries,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One SHA-256 over a whole fingerprint (benchmarks print it: equal runs, equal digests). */
export function fingerprintDigest(f: ProcessingFingerprint): string {
  return sha256(JSON.stringify(f));
}
