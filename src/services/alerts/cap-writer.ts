/**
 * OASIS CAP 1.2 writer. CAP writes coordinates as "lat,lon" (WGS84), times as
 * `YYYY-MM-DDThh:mm:ss±hh:mm` (no "Z"), polygons as ≥ 4 space-separated pairs with the first
 * repeated last, circles as "lat,lon radiusKm". Alerts here are shared between agencies only,
 * hence scope Restricted with a restriction text.
 */
import type { AlertStatus, AlertType, Confidence, Severity } from './alert-model';
import { isTerminal } from './alert-model';
import { vertices, type Geometry, type Position } from './geometry';
import { distanceM } from './local-frame';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';
export type CapCategory =
  | 'Geo'
  | 'Met'
  | 'Safety'
  | 'Security'
  | 'Rescue'
  | 'Fire'
  | 'Health'
  | 'Env'
  | 'Transport'
  | 'Infra'
  | 'CBRNE'
  | 'Other';
export type CapMsgType = 'Alert' | 'Update' | 'Cancel';
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown';
export type CapCertainty = 'Observed' | 'Likely' | 'Possible' | 'Unlikely' | 'Unknown';
export type CapUrgency = 'Immediate' | 'Expected' | 'Future' | 'Past' | 'Unknown';
export type CapResponseType =
  | 'Shelter'
  | 'Evacuate'
  | 'Prepare'
  | 'Execute'
  | 'Avoid'
  | 'Monitor'
  | 'Assess'
  | 'AllClear'
  | 'None';

export interface CapReference {
  sender: string;
  identifier: string;
  sentMs: number;
}

export interface CapArea {
  areaDesc: string;
  /** Rings of `[lon, lat]`; written as "lat,lon" pairs. */
  polygons?: Position[][];
  circles?: { centerLonLat: Position; radiusKm: number }[];
}

export interface CapInfo {
  language?: string;
  categories: CapCategory[];
  event: string;
  responseTypes?: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  eventCodes?: { valueName: string; value: string }[];
  effectiveMs?: number;
  onsetMs?: number;
  expiresMs?: number;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  parameters?: { valueName: string; value: string }[];
  areas: CapArea[];
}

export interface CapMessage {
  identifier: string;
  sender: string;
  sentMs: number;
  status: 'Actual' | 'Exercise' | 'System' | 'Test' | 'Draft';
  msgType: CapMsgType;
  source?: string;
  scope: 'Restricted';
  restriction: string;
  /** Agency identifiers; those with spaces are quoted as CAP requires. */
  addresses?: string[];
  note?: string;
  references?: CapReference[];
  incidents?: string[];
  info: CapInfo[];
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/**
 * A CAP date-time in UTC with an explicit "+00:00" offset.
 *
 * @example
 * capDateTime(0); // '1970-01-01T00:00:00+00:00'
 */
export function capDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

const coord = (n: number) => Number(n.toFixed(6)).toString();
function capPair([lon, lat]: Position): string {
  return `${coord(lat)},${coord(lon)}`;
}

/**
 * A CAP polygon string from a closed `[lon, lat]` ring.
 *
 * @example
 * capPolygon([[120, 30], [120.1, 30], [120.1, 30.1], [120, 30]]); // '30,120 30,120.1 30.1,120.1 30,120'
 */
export function capPolygon(ring: readonly Position[]): string {
  if (ring.length < 4)
    throw new RangeError(`a CAP polygon needs ≥ 4 positions, got ${ring.length}`);
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1])
    throw new RangeError('a CAP polygon ring must be closed');
  return ring.map(capPair).join(' ');
}

function el(name: string, value: string | undefined, indent: string): string {
  return value === undefined ? '' : `${indent}<${name}>${esc(value)}</${name}>\n`;
}

/**
 * Serialises a CAP 1.2 message (elements in the order the schema's sequence demands).
 *
 * @example
 * writeCapAlert({ identifier: 'a1', sender: 'sf@example.org', sentMs: 0, status: 'Actual', msgType: 'Alert', scope: 'Restricted', restriction: 'agencies only', info: [] });
 */
export function writeCapAlert(msg: CapMessage): string {
  const i1 = '  ';
  const i2 = '    ';
  const i3 = '      ';
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="${CAP_NAMESPACE}">\n`;
  xml += el('identifier', msg.identifier, i1);
  xml += el('sender', msg.sender, i1);
  xml += el('sent', capDateTime(msg.sentMs), i1);
  xml += el('status', msg.status, i1);
  xml += el('msgType', msg.msgType, i1);
  xml += el('source', msg.source, i1);
  xml += el('scope', msg.scope, i1);
  xml += el('restriction', msg.restriction, i1);
  if (msg.addresses && msg.addresses.length > 0) {
    xml += el('addresses', msg.addresses.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' '), i1);
  }
  xml += el('note', msg.note, i1);
  if (msg.references && msg.references.length > 0) {
    xml += el(
      'references',
      msg.references.map((r) => `${r.sender},${r.identifier},${capDateTime(r.sentMs)}`).join(' '),
      i1,
    );
  }
  if (msg.incidents && msg.incidents.length > 0)
    xml += el('incidents', msg.incidents.join(' '), i1);
  for (const info of msg.info) {
    xml += `${i1}<info>\n`;
    xml += el('language', info.language ?? 'en-US', i2);
    for (const c of info.categories) xml += el('category', c, i2);
    xml += el('event', info.event, i2);
    for (const r of info.responseTypes ?? []) xml += el('responseType', r, i2);
    xml += el('urgency', info.urgency, i2);
    xml += el('severity', info.severity, i2);
    xml += el('certainty', info.certainty, i2);
    for (const code of info.eventCodes ?? []) {
      xml += `${i2}<eventCode>\n${el('valueName', code.valueName, i3)}${el('value', code.value, i3)}${i2}</eventCode>\n`;
    }
    if (info.effectiveMs !== undefined) xml += el('effective', capDateTime(info.effectiveMs), i2);
    if (info.onsetMs !== undefined) xml += el('onset', capDateTime(info.onsetMs), i2);
    if (info.expiresMs !== undefined) xml += el('expires', capDateTime(info.expiresMs), i2);
    xml += el('senderName', info.senderName, i2);
    xml += el('headline', info.headline, i2);
    xml += el('description', info.description, i2);
    xml += el('instruction', info.instruction, i2);
    xml += el('web', info.web, i2);
    for (const p of info.parameters ?? []) {
      xml += `${i2}<parameter>\n${el('valueName', p.valueName, i3)}${el('value', p.value, i3)}${i2}</parameter>\n`;
    }
    for (const area of info.areas) {
      xml += `${i2}<area>\n`;
      xml += el('areaDesc', area.areaDesc, i3);
      for (const ring of area.polygons ?? []) xml += el('polygon', capPolygon(ring), i3);
      for (const c of area.circles ?? []) {
        xml += el('circle', `${capPair(c.centerLonLat)} ${Number(c.radiusKm.toFixed(3))}`, i3);
      }
      xml += `${i2}</area>\n`;
    }
    xml += `${i1}</info>\n`;
  }
  xml += '</alert>\n';
  return xml;
}

/** What the mapping from an alert to CAP reads. */
export interface CapAlertSource {
  id: string;
  alertType: AlertType;
  status: AlertStatus;
  severity: Severity;
  confidence: Confidence;
  geometry: Geometry;
  centroid: Position;
  radiusM: number;
  firstObservedAtMs: number;
  /** Version of this message (1 = first Alert). */
  version: number;
  /** When this version was issued. */
  updatedAtMs: number;
  observationCount: number;
  agencyIds: readonly string[];
  /** Earlier messages of the same alert (oldest first). */
  previous?: readonly { version: number; sentMs: number }[];
  severityReasons?: readonly string[];
}

export interface CapMappingOptions {
  sender: string;
  senderName?: string;
  /** Base URL of the alert pages, e.g. `https://flights.example.org/v1/alerts/`. */
  webBase?: string;
  /** How long a message stays in force after it is sent. Default 24 h. */
  validForMs?: number;
}

const CATEGORY: Record<AlertType, CapCategory> = {
  fire: 'Fire',
  flood: 'Met',
  illegal_logging: 'Env',
  pollution: 'Env',
};
const EVENT: Record<AlertType, string> = {
  fire: 'Forest fire hotspot',
  flood: 'River flooding',
  illegal_logging: 'Suspected illegal logging',
  pollution: 'Suspected water pollution discharge',
};
const CAP_SEVERITY: Record<Severity, CapSeverity> = {
  low: 'Minor',
  medium: 'Moderate',
  high: 'Severe',
  critical: 'Extreme',
};
const CAP_CERTAINTY: Record<Confidence, CapCertainty> = {
  low: 'Possible',
  high: 'Likely',
  highest: 'Observed',
};

/**
 * A CAP identifier for one version of an alert.
 *
 * @example
 * capIdentifier('9f1c', 2); // 'urn:shared-flights:alert:9f1c:v2'
 */
export function capIdentifier(alertId: string, version: number): string {
  return `urn:shared-flights:alert:${alertId}:v${version}`;
}

function capAreas(source: CapAlertSource): CapArea {
  const areaDesc = `${EVENT[source.alertType]} near ${source.centroid[1].toFixed(5)}, ${source.centroid[0].toFixed(5)}`;
  const g = source.geometry;
  const rings =
    g.type === 'Polygon'
      ? [g.coordinates[0]!]
      : g.type === 'MultiPolygon'
        ? g.coordinates.map((p) => p[0]!)
        : [];
  if (rings.length > 0) return { areaDesc, polygons: rings };
  // points / lines: a circle around the centroid covering every vertex and the uncertainty
  const spreadM = Math.max(0, ...vertices(g).map((p) => distanceM(source.centroid, p)));
  const radiusKm = Math.max(spreadM + source.radiusM, 10) / 1000;
  return { areaDesc, circles: [{ centerLonLat: source.centroid, radiusKm }] };
}

/**
 * Maps an alert to its CAP message: version 1 → Alert, later versions → Update referencing the
 * earlier ones, false alarm / duplicate → Cancel; resolved → Update with AllClear.
 *
 * @example
 * writeCapAlert(capMessageForAlert(alert, { sender: 'alerts@flights.example.org' }));
 */
export function capMessageForAlert(source: CapAlertSource, options: CapMappingOptions): CapMessage {
  const cancelled = source.status === 'false_alarm' || source.status === 'duplicate';
  const msgType: CapMsgType = cancelled ? 'Cancel' : source.version > 1 ? 'Update' : 'Alert';
  const references = (source.previous ?? [])
    .filter((p) => p.version < source.version)
    .map((p) => ({
      sender: options.sender,
      identifier: capIdentifier(source.id, p.version),
      sentMs: p.sentMs,
    }));
  const urgent = source.alertType === 'fire' || source.alertType === 'flood';
  const closed = isTerminal(source.status);
  const info: CapInfo = {
    language: 'en-US',
    categories: [CATEGORY[source.alertType]],
    event: EVENT[source.alertType],
    responseTypes: [closed ? 'AllClear' : 'Assess'],
    urgency: closed ? 'Past' : urgent ? 'Immediate' : 'Expected',
    severity: CAP_SEVERITY[source.severity],
    certainty: CAP_CERTAINTY[source.confidence],
    eventCodes: [{ valueName: 'shared-flights:alert-type', value: source.alertType }],
    effectiveMs: source.updatedAtMs,
    onsetMs: source.firstObservedAtMs,
    expiresMs: source.updatedAtMs + (options.validForMs ?? 24 * 3_600_000),
    headline: `${EVENT[source.alertType]} (${source.severity}, ${source.confidence} confidence)`,
    description: [
      `Status: ${source.status}. Built from ${source.observationCount} detection(s).`,
      ...(source.severityReasons ?? []).map((r) => `Severity: ${r}.`),
    ].join(' '),
    parameters: [
      { valueName: 'status', value: source.status },
      { valueName: 'confidence', value: source.confidence },
      { valueName: 'observationCount', value: String(source.observationCount) },
    ],
    areas: [capAreas(source)],
  };
  if (options.senderName !== undefined) info.senderName = options.senderName;
  if (options.webBase !== undefined)
    info.web = `${options.webBase}${encodeURIComponent(source.id)}`;
  const msg: CapMessage = {
    identifier: capIdentifier(source.id, source.version),
    sender: options.sender,
    sentMs: source.updatedAtMs,
    status: 'Actual',
    msgType,
    scope: 'Restricted',
    restriction: 'Shared with the agencies the alert is routed to; not for public release.',
    addresses: [...source.agencyIds],
    incidents: [source.id],
    info: [info],
  };
  if (references.length > 0) msg.references = references;
  return msg;
}
