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
        role: 'operator',
        hash: secret.hash,
        prefix: secret.prefix,
        name: null,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
      new Date(),
    );
    setup.close();

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
            if (res.status === 200)
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
      expect(service.verifyAudit().ok).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);
});
