// A service process killed with SIGKILL in the middle of ingesting loses nothing it acknowledged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepositories, openDatabase } from '../../db/index';
import { generateApiKey } from '../../src/auth/api-key';
import { createLogger } from '../../src/logger';
import { AlertsService } from '../../src/services/alerts/alerts-service';
import { spawnTsx, waitForLine } from '../support/spawn-tsx';
import { canopyChange, hotspot, plume } from './fixtures';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A migrated store in a temporary folder with the utility agency and one API key of `role`. */
function freshStore(role: 'operator' | 'admin') {
  const dir = mkdtempSync(join(tmpdir(), 'sf-crash-'));
  dirs.push(dir);
  const dbPath = join(dir, 'sf.db');
  const setup = openDatabase(dbPath);
  const repos = createRepositories(setup.db);
  const agency = repos.agencies.create(
    { name: 'State Grid Yuhang', kind: 'utility', jurisdiction: null, alertTypes: [] },
    new Date(),
  );
  if (agency === 'name_taken') throw new Error('fresh database expected');
  const secret = generateApiKey();
  repos.agencies.createKey(
    {
      agencyId: agency.id,
      role,
      hash: secret.hash,
      prefix: secret.prefix,
      name: null,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
    new Date(),
  );
  setup.close();
  return { dbPath, agency, secret };
}

function batch(worker: number, n: number): unknown[] {
  const e = (worker * 1000 + n * 37) % 5000;
  return [
    hotspot({ eastM: e, passId: `w${worker}-${n}` }),
    hotspot({ eastM: e + 20, passId: `w${worker}-${n}-b`, sensorId: 'ir-2' }),
    plume(-e, 300, 6 + (n % 5)),
    canopyChange(e, -2000, 30 + (n % 20)),
  ];
}

describe('ingest durability', () => {
  it('keeps every acknowledged batch after the process is SIGKILLed mid-stream', async () => {
    const { dbPath, agency, secret } = freshStore('operator');

    const child = spawnTsx('src/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'info',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const acked = new Map<string, { batchId: string; count: number }>();
    let unanswered = 0;
    try {
      const line = await waitForLine(child, /listening/);
      child.stdout?.resume();
      const url = (JSON.parse(line) as { url: string }).url;
      let killed = false;
      const worker = async (w: number) => {
        for (let n = 0; !killed; n++) {
          const key = `w${w}-${n}`;
          try {
            const res = await fetch(`${url}/v1/detections`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${secret.key}`,
                'content-type': 'application/json',
                'idempotency-key': key,
              },
              body: JSON.stringify({ detections: batch(w, n) }),
            });
            const body = (await res.json()) as { batchId: string; results: unknown[] };
            if (res.status === 202)
              acked.set(key, { batchId: body.batchId, count: body.results.length });
          } catch {
            unanswered++; // the connection died with the process: nothing was acknowledged
          }
        }
      };
      const workers = [0, 1, 2, 3].map(worker);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.kill('SIGKILL');
      killed = true;
      await Promise.all(workers);
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(acked.size, `acknowledged ${acked.size}, cut off ${unanswered}`).toBeGreaterThan(5);

    const store = openDatabase(dbPath);
    try {
      expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = store.sqlite.prepare('SELECT COUNT(*) AS n FROM detections WHERE batch_id = ?');
      const service = new AlertsService({
        store,
        now: () => new Date(),
        logger: createLogger({
          level: 'silent',
          destination: new Writable({ write: (_c, _e, cb) => cb() }),
        }),
        background: false,
      });
      for (const [key, { batchId, count: n }] of acked) {
        expect((count.get(batchId) as { n: number }).n, key).toBe(n);
        expect(service.ingest.findKey(agency.id, 'batch', key)?.response, key).toMatchObject({
          batchId,
        });
      }
      // what was acknowledged but not yet processed is processed now, each batch whole
      await service.whenIdle();
      const pending = store.sqlite.prepare(
        "SELECT COUNT(*) AS n FROM detections WHERE outcome = 'pending'",
      );
      expect((pending.get() as { n: number }).n).toBe(0);
      const actor = { agencyId: agency.id, keyId: 'test', seesAll: true };
      for (const { batchId } of acked.values())
        expect(service.batchStatus(actor, batchId).status, batchId).toBe('processed');
      expect(service.verifyAudit().ok).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);

  it('processes after a restart what was acknowledged before a SIGKILL cut the rules off', async () => {
    const { dbPath, secret } = freshStore('admin');
    const env = { HOST: '127.0.0.1', PORT: '0', DATABASE_PATH: dbPath, LOG_LEVEL: 'info' };
    const headers = { authorization: `Bearer ${secret.key}`, 'content-type': 'application/json' };
    const start = async (entry: string) => {
      const child = spawnTsx(entry, [], env);
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      const line = await waitForLine(child, /listening/);
      child.stdout?.resume();
      return { child, exited, url: (JSON.parse(line) as { url: string }).url };
    };

    const first = await start('test/alerts/paused-service.ts');
    let statusUrl: string;
    try {
      const res = await fetch(`${first.url}/v1/detections`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'before-the-crash' },
        body: JSON.stringify({ detections: [hotspot(), plume(-1000, 300, 9)] }),
      });
      expect(res.status).toBe(202);
      const accepted = (await res.json()) as {
        statusUrl: string;
        results: { outcome: string }[];
      };
      expect(accepted.results.map((r) => r.outcome)).toEqual(['pending', 'pending']);
      statusUrl = accepted.statusUrl;
      const still = await fetch(`${first.url}${statusUrl}`, { headers });
      expect(await still.json()).toMatchObject({ status: 'pending' });
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null)
        first.child.kill('SIGKILL');
    }

    const second = await start('src/main.ts');
    try {
      let batch: { status: string; results: { outcome: string; alertId?: string }[] } | undefined;
      for (let i = 0; i < 100; i++) {
        batch = (await (await fetch(`${second.url}${statusUrl}`, { headers })).json()) as {
          status: string;
          results: { outcome: string; alertId?: string }[];
        };
        if (batch.status === 'processed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(batch?.status).toBe('processed');
      expect(batch?.results.map((r) => r.outcome)).toEqual(['created', 'created']);
      for (const r of batch?.results ?? []) {
        const alert = await fetch(`${second.url}/v1/alerts/${r.alertId}`, { headers });
        expect(alert.status).toBe(200);
      }
      // the replay answers the acknowledgement as it was given, not a second batch
      const replay = await fetch(`${second.url}/v1/detections`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': 'before-the-crash' },
        body: JSON.stringify({ detections: [hotspot(), plume(-1000, 300, 9)] }),
      });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as { statusUrl: string }).statusUrl).toBe(statusUrl);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
