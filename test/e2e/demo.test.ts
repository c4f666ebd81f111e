import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runTsx } from '../support/spawn-tsx';

describe('npm run demo -- --exit-when-done', () => {
  it('flies a forest and a stream patrol at once over real sockets, each to a landed, recorded sortie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-demo-'));
    try {
      const out = await runTsx(
        'src/cli/demo.ts',
        [
          '--exit-when-done',
          '--speed-up',
          '25',
          '--data-dir',
          join(dir, 'demo'),
          '--timeout-s',
          '300',
        ],
        {
          PORT: '0',
          HOST: '127.0.0.1',
        },
      );
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/serial:\/\/\/dev\//);
      expect(out.stdout).toMatch(/forest +done/);
      expect(out.stdout).toMatch(/stream +done/);
      expect(out.stdout).toMatch(/forest patrol landed.*\d+ track points/);
      expect(out.stdout).toMatch(/stream patrol landed.*\d+ track points/);
      expect(out.stdout).toMatch(/keys: +utility admin +sf_/);
      // Docks registered after the service started are watched live.
      expect(out.stdout).toMatch(/fleet: 3 of 3 docks live/);
      expect(out.stdout).toMatch(/simulated dock 103 with drone 3: serial:/);
      // A quiet shutdown: no warnings from links closed under a write.
      expect(out.stderr).not.toMatch(/Warning|failed/);

      const path = join(dir, 'demo', 'shared-flights.db');
      expect(existsSync(path)).toBe(true);
      const db = new Database(path, { readonly: true });
      const sorties = db
        .prepare(
          `select s.id, s.state, m.purpose, a.kind as agency, d.link_url as link,
                  s.launched_at as launchedAt, s.landed_at as landedAt
           from sorties s join missions m on m.id = s.mission_id
           join agencies a on a.id = s.agency_id join docks d on d.id = s.dock_id
           order by m.purpose`,
        )
        .all() as {
        id: string;
        state: string;
        purpose: string;
        agency: string;
        link: string;
        launchedAt: number;
        landedAt: number;
      }[];
      expect(sorties.map((x) => [x.purpose, x.state])).toEqual([
        ['forest_fire_patrol', 'done'],
        ['river_flood', 'done'],
      ]);
      const [forest, stream] = sorties;
      // The stream patrol is the water bureau's, flown from the serial dock; both were airborne
      // at the same time.
      expect(stream!.agency).toBe('water');
      expect(stream!.link).toMatch(/^serial:\/\//);
      expect(forest!.link).toMatch(/^udp/);
      expect(Math.max(forest!.launchedAt, stream!.launchedAt)).toBeLessThan(
        Math.min(forest!.landedAt, stream!.landedAt),
      );
      for (const sortie of sorties) {
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
        const samples = db
          .prepare('select count(*) as n from telemetry_samples where sortie_id = ?')
          .get(sortie.id) as { n: number };
        expect(samples.n).toBeGreaterThan(10);
      }
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});
