import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTsx, spawnTsx, waitForLine } from '../support/spawn-tsx';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sf-svc-'));
  dirs.push(d);
  return d;
};

describe('the service process', () => {
  it('starts on a fresh database, serves health, OpenAPI and the offline docs, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawnTsx('src/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'data', 'sf.db'),
    });
    try {
      const line = await waitForLine(child, /listening/);
      const url = (JSON.parse(line) as { url: string }).url;

      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', db: 'ok' });

      const spec = (await (await fetch(`${url}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, unknown>;
        components: { securitySchemes: unknown };
      };
      expect(spec.openapi).toBe('3.1.0');
      for (const p of [
        '/v1/agencies',
        '/v1/agencies/{id}/keys',
        '/v1/areas',
        '/v1/areas/{id}',
        '/v1/areas/{id}/versions',
        '/v1/docks',
        '/v1/docks/{id}',
        '/v1/drones',
        '/v1/drones/{id}',
        '/healthz',
      ]) {
        expect(Object.keys(spec.paths)).toContain(p);
      }
      expect(spec.components.securitySchemes).toHaveProperty('bearerAuth');

      const docs = await fetch(`${url}/docs`);
      const html = await docs.text();
      expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(html).not.toMatch(/https?:\/\//);
      const bundle = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);

      const firstKey = readFileSync(join(dir, 'data', 'first-admin-key.txt'), 'utf8').trim();
      const agencies = await fetch(`${url}/v1/agencies`, {
        headers: { authorization: `Bearer ${firstKey}` },
      });
      expect(((await agencies.json()) as { items: { kind: string }[] }).items).toEqual([
        expect.objectContaining({ kind: 'utility' }),
      ]);

      const denied = await fetch(`${url}/v1/areas`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toBe('application/problem+json');

      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const closed = waitForLine(child, /store closed/);
      child.kill('SIGTERM');
      await closed;
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start on bad configuration and lists every problem', async () => {
    const out = await runTsx('src/main.ts', [], {
      PORT: 'eighty',
      LOG_LEVEL: 'chatty',
      DATABASE_PATH: join(tempDir(), 'x.db'),
    });
    expect(out.code).toBe(78);
    expect(out.stderr).toContain('PORT');
    expect(out.stderr).toContain('LOG_LEVEL');
  });
});

describe('the admin CLI', () => {
  it('bootstraps an agency and a key without the server, printing the key alone on the last line', async () => {
    const dir = tempDir();
    const env = { DATABASE_PATH: join(dir, 'sf.db') };
    const out = await runTsx(
      'src/cli/admin.ts',
      ['create-key', '--agency', 'utility', '--kind', 'utility', '--role', 'admin'],
      env,
    );
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    const key = lines.at(-1)!;
    expect(key).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);

    const second = await runTsx(
      'src/cli/admin.ts',
      ['create-key', '--agency', 'utility', '--role', 'operator'],
      env,
    );
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('created agency');

    const child = spawnTsx('src/main.ts', [], { ...env, PORT: '0', HOST: '127.0.0.1' });
    try {
      const url = (JSON.parse(await waitForLine(child, /listening/)) as { url: string }).url;
      const res = await fetch(`${url}/v1/agencies`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: { name: string; kind: string }[] }).items).toEqual([
        expect.objectContaining({ name: 'utility', kind: 'utility' }),
      ]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits non-zero with a usage message on bad arguments', async () => {
    const out = await runTsx(
      'src/cli/admin.ts',
      ['create-key', '--agency', 'x', '--kind', 'police', '--role', 'admin'],
      { DATABASE_PATH: join(tempDir(), 'sf.db') },
    );
    expect(out.code).toBe(64);
    expect(out.stderr).toContain('--kind police');
  });
});
