import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRepositories, openDatabase } from '../../db/index';
import { generateApiKey } from '../../src/auth/api-key';
import { createLogger } from '../../src/logger';
import { startService } from '../../src/main';

describe('graceful shutdown', () => {
  it('finishes a request that is in flight when the stop begins, then closes the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-stop-'));
    const dbPath = join(dir, 'sf.db');
    const seed = openDatabase(dbPath);
    const repos = createRepositories(seed.db);
    const agency = repos.agencies.create(
      { name: 'utility', kind: 'utility', jurisdiction: null, alertTypes: [] },
      new Date(),
    );
    if (agency === 'name_taken') throw new Error('unexpected');
    const secret = generateApiKey();
    repos.agencies.createKey(
      {
        agencyId: agency.id,
        role: 'admin',
        hash: secret.hash,
        prefix: secret.prefix,
        name: null,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
      new Date(),
    );
    seed.close();

    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const service = await startService(
      { PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: dbPath, SHUTDOWN_GRACE_MS: '10000' },
      createLogger({ level: 'silent', destination: sink }),
    );
    const body = JSON.stringify({ name: 'late arrival', kind: 'other' });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${service.url}/v1/agencies`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${secret.key}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        req.end(body.slice(10));
      }, 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = service.stop('test');
    const res = await answer;
    await stopped;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text)).toMatchObject({ name: 'late arrival' });

    const reopened = openDatabase(dbPath);
    expect(createRepositories(reopened.db).agencies.findByName('late arrival')).toBeDefined();
    reopened.close();
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });
});
