import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTsx } from '../support/spawn-tsx';
import { hotspot } from './fixtures';
import { call, createAlertsWorld, ingest, type AlertsWorld } from './http-setup';

let w: AlertsWorld;
beforeEach(() => {
  w = createAlertsWorld();
});
afterEach(() => {
  w.service.stop();
  w.t.close();
});

describe('npm run audit -- verify', () => {
  it('confirms an intact chain, refuses in-place edits, and finds a forged entry', async () => {
    const id = (await ingest(w, [hotspot()])).body.results[0].alertId as string;
    await call(w.t, 'POST', `/v1/alerts/${id}/acknowledge`, {
      key: w.keys.forestry,
      json: { note: 'on it' },
    });
    await call(w.t, 'POST', `/v1/alerts/${id}/resolve`, { key: w.keys.forestry });
    const env = { DATABASE_PATH: w.t.deps.config.DATABASE_PATH };
    const ok = await runTsx('src/cli/audit.ts', ['verify'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok 3 entries, head [0-9a-f]{64}\n$/);

    const sqlite = w.t.deps.store.sqlite;
    expect(() => sqlite.prepare("UPDATE audit_log SET data = '{}' WHERE seq = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => sqlite.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(
      /append-only/,
    );
    // someone with the file drops the guard and rewrites the note of the acknowledgement
    sqlite.exec('DROP TRIGGER audit_log_no_update');
    sqlite
      .prepare(`UPDATE audit_log SET data = replace(data, 'on it', 'ignored') WHERE seq = 2`)
      .run();
    const broken = await runTsx('src/cli/audit.ts', ['verify'], env);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe(
      'broken at entry 2 after 1 good entries: entry 2 was altered: its hash does not match its content\n',
    );
    const api = await call(w.t, 'GET', '/v1/audit/verify', { key: w.keys.utilityAdmin });
    expect(api.body).toMatchObject({ ok: false, firstBadSeq: 2 });
    expect((await call(w.t, 'GET', '/v1/audit/verify', { key: w.keys.forestry })).status).toBe(403);

    const usage = await runTsx('src/cli/audit.ts', ['check'], env);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('unknown command check');
  }, 60_000);
});
