import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMavlinkJson, parseQgcPlan, parseWpl } from '../../../missions/index';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIX = 'test/fixtures/missions-plan';

/** Runs the CLI as `npm run plan` does (tsx), collecting its output. */
function runPlan(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/plan.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});
const tmp = (): string => (dir = mkdtempSync(join(tmpdir(), 'plan-cli-')));

const POINTS = ['--area', `${FIX}/inspection-points.geojson`, '--no-fly', `${FIX}/no-fly.geojson`];
const DOCKS = ['--dock', '119.94,30.38,40', '--dock', '119.975,30.415,50'];

describe('npm run plan', () => {
  it('prints the statistics as one JSON object and writes MAVLink JSON', async () => {
    const out = join(tmp(), 'plan.json');
    const r = await runPlan([...POINTS, ...DOCKS, '--stats', '--out', out, '--progress']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const stats = JSON.parse(lines[0]!);
    for (const key of [
      'lengthM',
      'lowerBoundM',
      'coveragePct',
      'sorties',
      'turns',
      'laneSpacingM',
    ]) {
      expect(stats).toHaveProperty(key);
    }
    expect(stats.inspectionPoints).toBeGreaterThan(50);
    expect(stats.lengthM).toBeGreaterThan(stats.tourLowerBoundM);
    expect(r.stderr).toContain('100%');
    const sorties = parseMavlinkJson(readFileSync(out, 'utf8'));
    expect(sorties).toHaveLength(stats.sorties);
    expect(sorties[0]!.fence.length).toBeGreaterThan(0);
  }, 60_000);

  it('writes one QGroundControl .plan per sortie that reads back', async () => {
    const out = join(tmp(), 'mission.plan');
    const r = await runPlan([
      ...POINTS,
      ...DOCKS,
      '--format',
      'qgc-plan',
      '--out',
      out,
      '--endurance',
      '30',
    ]);
    expect(r.code).toBe(0);
    const first = parseQgcPlan(readFileSync(join(dir!, 'mission-1.plan'), 'utf8'));
    expect(first.mission[0]!.command).toBe(22);
    expect(first.rally).toHaveLength(2);
    expect(first.fence.some((i) => i.command === 5001)).toBe(true);
  }, 60_000);

  it('covers a real forest island and writes WPL files', async () => {
    const out = join(tmp(), 'island.waypoints');
    const r = await runPlan([
      '--area',
      `${FIX}/admiralty-island.geojson`,
      '--dock=-134.50,57.515,5',
      '--format',
      'wpl',
      '--altitude',
      '90',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/plan: wrote .*island-1\.waypoints/);
    const wpl = parseWpl(readFileSync(join(dir!, 'island-1.waypoints'), 'utf8'));
    expect(wpl.home).not.toBeNull();
    expect(wpl.mission.some((i) => i.command === 206)).toBe(true);
  }, 60_000);

  it('writes a GeoJSON preview with lanes and sorties as features', async () => {
    const out = join(tmp(), 'preview.geojson');
    const r = await runPlan([
      '--area',
      `${FIX}/admiralty-island.geojson`,
      '--dock=-134.50,57.515',
      '--format',
      'geojson',
      '--out',
      out,
      '--stats',
    ]);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats.coveragePct).toBeGreaterThanOrEqual(99.5);
    expect(stats.laneSpacingM).toBeGreaterThan(0);
    const fc = JSON.parse(readFileSync(out, 'utf8'));
    const layers = new Set(
      fc.features.map((f: { properties: { layer: string } }) => f.properties.layer),
    );
    expect(layers).toContain('lane');
    expect(layers).toContain('sortie');
  }, 60_000);

  it('fails with a one-line reason on a bad area file', async () => {
    const r = await runPlan(['--area', `${FIX}/bowtie.geojson`, '--dock', '119.9,30.3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^plan: AREA_INVALID: areas\[0\]\.geojson\/features\/0\/geometry/);
  }, 60_000);

  it('fails with a one-line reason on an infeasible plan', async () => {
    const r = await runPlan([
      '--area',
      `${FIX}/inspection-points.geojson`,
      '--dock',
      '121.5,31.2',
      '--endurance',
      '30',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^plan: DOCK_UNREACHABLE: point \d+ \(tower-\d+\) of inspection-points is \d+\.\d km from the nearest dock \(dock-1\)/,
    );
  }, 60_000);

  it('crosses a no-fly zone outside --flight-window and avoids it inside', async () => {
    const zones = JSON.parse(readFileSync(join(ROOT, FIX, 'no-fly.geojson'), 'utf8'));
    for (const f of zones.features) {
      f.properties.validFrom = '2026-04-02T08:00:00+08:00';
      f.properties.validTo = '2026-04-02T12:00:00+08:00';
    }
    const file = join(tmp(), 'windowed.geojson');
    writeFileSync(file, JSON.stringify(zones));
    const base = ['--area', `${FIX}/inspection-points.geojson`, '--no-fly', file, ...DOCKS];
    const exclusions = (stdout: string) =>
      parseMavlinkJson(stdout)
        .flatMap((s) => s.fence)
        .filter((i) => i.command === 5002 || i.command === 5004).length;
    const inside = await runPlan([
      ...base,
      '--flight-window',
      '2026-04-02T10:00:00+08:00/2026-04-02T11:00:00+08:00',
    ]);
    expect(inside.code).toBe(0);
    expect(exclusions(inside.stdout)).toBeGreaterThan(0);
    const outside = await runPlan([
      ...base,
      '--flight-window',
      '2026-04-02T14:00:00+08:00/2026-04-02T15:00:00+08:00',
    ]);
    expect(outside.code).toBe(0);
    expect(exclusions(outside.stdout)).toBe(0);
    expect(outside.stderr).toMatch(/no-fly zone '.*' does not apply: .*outside the flight window/);
    const bad = await runPlan([...base, '--flight-window', '2026-04-02T14:00:00+08:00']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([
      2,
      'plan: --flight-window must be FROM/TO (two RFC 3339 date-times), got "2026-04-02T14:00:00+08:00"',
    ]);
  }, 90_000);

  it('fails on a missing file and on a bad command line', async () => {
    const missing = await runPlan(['--area', `${FIX}/nope.geojson`, '--dock', '1,2']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`plan: cannot read ${FIX}/nope.geojson: ENOENT\n`);
    const usage = await runPlan(['--area', `${FIX}/no-fly.geojson`, '--dock', '1;2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe(
      'plan: --dock expects LON,LAT[,ALT] in degrees and metres, got "1;2"',
    );
  }, 60_000);
});
