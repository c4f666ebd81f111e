import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runTsx } from '../support/spawn-tsx';

describe('npm run demo -- --exit-when-done', () => {
  it('flies a forest patrol over real sockets, from area to plan to a landed, recorded sortie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-demo-'));
    try {
      const out = await runTsx(
        'src/cli/demo.ts',
        ['--exit-when-done', '--data-dir', join(dir, 'demo'), '--timeout-s', '300'],
        {
          PORT: '0',
          HOST: '127.0.0.1',
        },
      );
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/serial:\/\/\/dev\//);
      expect(out.stdout).toMatch(/sortie done/);
      expect(out.stdout).toMatch(/keys: +utility admin +sf_/);

      const path = join(dir, 'demo', 'shared-flights.db');
      expect(existsSync(path)).toBe(true);
      const db = new Database(path, { readonly: true });
      const sortie = db.prepare('select id, state from sorties').get() as {
        id: string;
        state: string;
      };
      expect(sortie.state).toBe('done');
      const states = (
        db
          .prepare('select to_state from sortie_transitions where sortie_id = ? order by seq')
          .all(sortie.id) as { to_state: string }[]
      ).map((r) => r.to_state);
      expect(states).toEqual(
        expect.arrayContaining([
          'queued',
          'preflight',
          'launching',
          'in_flight',
          'returning',
          'landed',
          'done',
        ]),
      );
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});
