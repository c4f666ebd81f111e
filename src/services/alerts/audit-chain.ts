/**
 * The append-only, hash-chained audit log: each entry's hash is SHA-256 over the canonical JSON
 * (sorted keys, no whitespace — RFC 8785 style) of its content and the previous entry's hash,
 * so changing, removing or reordering any entry breaks every hash after it.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers in their
 * shortest round-trip form; `undefined` members are dropped. Throws on non-finite numbers.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`canonical JSON has no form for ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

/** What a caller records; the chain adds `seq`, `prevHash` and `hash`. */
export interface AuditRecord {
  atMs: number;
  /** Who did it: `user:<id>`, `agency:<id>`, `system`. */
  actor: string;
  /** `alert.dispatched`, `alert.acknowledged`, `alert.handed_over`, `alert.resolved`, … */
  action: string;
  /** The thing acted on, e.g. `alert:<id>`. */
  subject: string;
  data: { [key: string]: JsonValue };
}

export interface AuditEntry extends AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The hash of an entry given its content and predecessor.
 *
 * @example
 * hashAuditEntry({ seq: 1, prevHash: GENESIS_HASH, atMs: 0, actor: 'system', action: 'x', subject: 'y', data: {} });
 */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, prevHash, atMs, actor, action, subject, data } = entry;
  return createHash('sha256')
    .update(canonicalJson({ seq, prevHash, atMs, actor, action, subject, data }))
    .digest('hex');
}

/**
 * The next entry of a chain whose last entry is `previous` (or none).
 *
 * @example
 * const first = chainAuditEntry(undefined, { atMs: 0, actor: 'system', action: 'alert.dispatched', subject: 'alert:1', data: {} });
 * first.seq; // 1
 */
export function chainAuditEntry(
  previous: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  record: AuditRecord,
): AuditEntry {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  const base = { seq, prevHash, ...record };
  return { ...base, hash: hashAuditEntry(base) };
}

export type AuditVerification =
  | { ok: true; checked: number; headHash: string }
  | { ok: false; checked: number; firstBadSeq: number; reason: string };

/**
 * Verifies entries in order (the first one may be any `seq` when `after` gives its
 * predecessor; by default the chain starts at seq 1 with the genesis hash).
 *
 * @example
 * verifyAuditChain(entries); // { ok: true, checked: 42, headHash: '…' }
 */
export function verifyAuditChain(
  entries: Iterable<AuditEntry>,
  after: Pick<AuditEntry, 'seq' | 'hash'> = { seq: 0, hash: GENESIS_HASH },
): AuditVerification {
  let prev = after;
  let checked = 0;
  for (const e of entries) {
    if (e.seq !== prev.seq + 1) {
      return {
        ok: false,
        checked,
        firstBadSeq: e.seq,
        reason: `sequence gap: expected ${prev.seq + 1}, found ${e.seq}`,
      };
    }
    if (e.prevHash !== prev.hash) {
      return {
        ok: false,
        checked,
        firstBadSeq: e.seq,
        reason: `entry ${e.seq} does not point at the hash of entry ${prev.seq}`,
      };
    }
    if (hashAuditEntry(e) !== e.hash) {
      return {
        ok: false,
        checked,
        firstBadSeq: e.seq,
        reason: `entry ${e.seq} was altered: its hash does not match its content`,
      };
    }
    prev = e;
    checked++;
  }
  return { ok: true, checked, headHash: prev.hash };
}
