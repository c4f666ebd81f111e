import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  chainAuditEntry,
  GENESIS_HASH,
  verifyAuditChain,
  type AuditEntry,
} from '../../src/services/alerts/index';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chainAuditEntry(out[out.length - 1], {
        atMs: 1_700_000_000_000 + i,
        actor: i % 2 ? 'agency:forestry' : 'system',
        action: i % 2 ? 'alert.acknowledged' : 'alert.dispatched',
        subject: `alert:${i >> 1}`,
        data: { note: `step ${i}`, to: ['forestry'] },
      }),
    );
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[1,"x",null]},"b":1}',
    );
    expect(canonicalJson({ é: 1, e: 2, E: 3 })).toBe('{"E":3,"e":2,"é":1}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
  });
});

describe('audit chain', () => {
  it('hashes SHA-256 over the canonical JSON including the previous hash', () => {
    const [first] = chain(1);
    const expected = createHash('sha256')
      .update(
        canonicalJson({
          seq: 1,
          prevHash: GENESIS_HASH,
          atMs: first!.atMs,
          actor: first!.actor,
          action: first!.action,
          subject: first!.subject,
          data: first!.data,
        }),
      )
      .digest('hex');
    expect(first!.hash).toBe(expected);
    expect(first!.prevHash).toBe(GENESIS_HASH);
  });

  it('verifies an intact chain and reports its head', () => {
    const entries = chain(50);
    expect(verifyAuditChain(entries)).toEqual({
      ok: true,
      checked: 50,
      headHash: entries[49]!.hash,
    });
  });

  it('finds an altered note, a removed entry and a reordering', () => {
    const altered = chain(10);
    altered[4] = { ...altered[4]!, data: { note: 'nothing happened' } };
    expect(verifyAuditChain(altered)).toMatchObject({ ok: false, firstBadSeq: 5, checked: 4 });

    const removed = chain(10);
    removed.splice(6, 1);
    expect(verifyAuditChain(removed)).toMatchObject({
      ok: false,
      firstBadSeq: 8,
      reason: 'sequence gap: expected 7, found 8',
    });

    const rehashed = chain(10);
    // a forger who recomputes the hash of a changed entry still breaks the link of the next one
    const forged = chainAuditEntry(rehashed[2], { ...rehashed[3]!, data: { note: 'forged' } });
    rehashed[3] = forged;
    expect(verifyAuditChain(rehashed)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('verifies a tail given its predecessor', () => {
    const entries = chain(20);
    expect(verifyAuditChain(entries.slice(10), entries[9])).toMatchObject({
      ok: true,
      checked: 10,
    });
    expect(verifyAuditChain(entries.slice(10))).toMatchObject({ ok: false, firstBadSeq: 11 });
  });
});
