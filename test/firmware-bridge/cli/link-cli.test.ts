import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimFleet } from '../../../firmware-bridge/index';
import type { MissionItem, SimFleet } from '../../../firmware-bridge/index';
import { firstMismatch } from '../../../firmware-bridge/index';
import { parseQgcPlan, parseWpl } from '../../../missions/index';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = join(root, 'test/fixtures/bridge/patrol-mission.json');
const qgcPlan = join(root, 'test/fixtures/routes/qgc/qgroundcontrol_sample.plan');
const wpl = join(root, 'test/fixtures/routes/wpl/mission_planner_sample.txt');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function link(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/link.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `link ${args.join(' ')} still running after ${timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function readPlan(text: string): Record<'mission' | 'fence' | 'rally', MissionItem[]> {
  const nanned = (
    items: (Omit<MissionItem, 'param4'> & { param4: number | null })[],
  ): MissionItem[] => items.map((i) => ({ ...i, param4: i.param4 ?? Number.NaN }));
  const p = JSON.parse(text) as Record<'mission' | 'fence' | 'rally', Parameters<typeof nanned>[0]>;
  return { mission: nanned(p.mission), fence: nanned(p.fence), rally: nanned(p.rally) };
}

describe('npm run link against the simulator over UDP', { timeout: 240_000 }, () => {
  let fleet: SimFleet;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    fleet = await startSimFleet({
      drones: 1,
      udpBasePort: 0,
      timeScale: 4,
      drone: { gcsFailsafeTimeoutMs: 60_000 },
    });
    url = fleet.vehicles[0]!.url;
    dir = await mkdtemp(join(tmpdir(), 'link-cli-'));
  });

  afterAll(async () => {
    await fleet.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints status as JSON: heartbeat, mode, armed, position, battery', async () => {
    const r = await link([url, 'status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(status).toMatchObject({
      systemId: 1,
      autopilot: 'ardupilot',
      mode: 'STABILIZE',
      armed: false,
      batteryPct: 100,
    });
    expect(status.position).toEqual([119.9, 30.3]);
  });

  it('uploads mission JSON with fence and rally, and downloads it back equal', async () => {
    const up = await link([url, 'upload', fixture]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('mission: 4 items accepted');
    expect(up.stdout).toContain('fence: 4 items accepted');
    expect(up.stdout).toContain('rally: 1 items accepted');
    const out = join(dir, 'down.json');
    const down = await link([url, 'download', '--out', out]);
    expect(down.code).toBe(0);
    const sent = readPlan(await readFile(fixture, 'utf8'));
    const got = readPlan(await readFile(out, 'utf8'));
    expect(firstMismatch(sent.mission, got.mission)).toBe(-1);
    expect(firstMismatch(sent.fence, got.fence)).toBe(-1);
    expect(firstMismatch(sent.rally, got.rally)).toBe(-1);
  });

  it('takes off, starts the mission and watches it until landed', async () => {
    const patrol = readPlan(await readFile(fixture, 'utf8')).mission;
    fleet.vehicles[0]!.drone!.missions.preload('mission', [patrol[0]!, ...patrol]); // item 0: home slot
    const takeoff = await link([url, 'takeoff', '10']);
    expect(takeoff.stdout).toContain('reached');
    expect(takeoff.code).toBe(0);
    const start = await link([url, 'start']);
    expect(start.stdout).toContain('mission started');
    expect(start.code).toBe(0);
    const watch = await link([url, 'watch'], 90_000);
    expect(watch.code).toBe(0);
    // The watch may start mid-mission (process start-up), so only the end is certain.
    expect(watch.stdout).toMatch(/mission item \d|reached item \d/);
    // Every item of this flight reached, in order (0 is home; disarming resets missionCurrent).
    const drone = fleet.vehicles[0]!.drone!;
    const reached = drone.itemsReached.filter((r) => r.flight === drone.flights).map((r) => r.seq);
    expect(reached).toEqual([1, 2, 3, 4]);
    expect(watch.stdout).toContain('landed and disarmed');
    expect(fleet.vehicles[0]!.drone!.landed).toBe(true);
  });

  it('changes mode, arms, and returns to launch', async () => {
    expect((await link([url, 'mode', 'loiter'])).code).toBe(0);
    expect(fleet.vehicles[0]!.drone!.mode).toBe(5);
    const arm = await link([url, 'arm']);
    expect(arm.code).toBe(0);
    expect(fleet.vehicles[0]!.drone!.armed).toBe(true);
    const rtl = await link([url, 'rtl']);
    expect(rtl.code).toBe(0);
    expect(fleet.vehicles[0]!.drone!.mode).toBe(6);
  });

  it('uploads a QGroundControl .plan (downloaded back as .plan) and a WPL 110 file', async () => {
    const sent = parseQgcPlan(await readFile(qgcPlan, 'utf8'));
    const up = await link([url, 'upload', qgcPlan]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const outPlan = join(dir, 'down.plan');
    expect((await link([url, 'download', '--out', outPlan])).code).toBe(0);
    const back = parseQgcPlan(await readFile(outPlan, 'utf8'));
    expect(firstMismatch(sent.mission, back.mission)).toBe(-1);
    expect(firstMismatch(sent.fence, back.fence)).toBe(-1);
    expect(firstMismatch(sent.rally, back.rally)).toBe(-1);

    const wplSent = parseWpl(await readFile(wpl, 'utf8'));
    expect((await link([url, 'upload', wpl])).code).toBe(0);
    const stored = fleet.vehicles[0]!.drone!.missions.stored('mission').items.slice(1); // home slot
    expect(firstMismatch(wplSent.mission, stored)).toBe(-1);
  });

  it('exits 1 with the reason when the vehicle refuses, 2 on bad usage', async () => {
    const bad = await link([url, 'mode', 'WARP']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: mode WARP failed \(unsupported\)/);
    const usage = await link([url, 'takeoff', 'high']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('takeoff altitude "high"');
    const missing = await link([url, 'upload', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });
});

describe('npm run link against a misbehaving vehicle', { timeout: 120_000 }, () => {
  let fleet: SimFleet;

  beforeAll(async () => {
    fleet = await startSimFleet({
      drones: 1,
      udpBasePort: 0,
      failureMode: 'write-final-ack-error-ack',
    });
  });

  afterAll(async () => {
    await fleet.close();
  });

  it('reports a rejected upload and exits non-zero; the vehicle keeps its old mission', async () => {
    const r = await link([fleet.vehicles[0]!.url, 'upload', fixture]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      // fence goes first (a new mission never flies under an old fence); nothing was replaced
      /upload failed \(rejected\): fence upload: vehicle answered MAV_MISSION_ERROR; the vehicle now holds: fence unchanged, rally unchanged, mission unchanged/,
    );
    expect(fleet.vehicles[0]!.drone!.missions.stored('mission').items).toHaveLength(0);
  });
});
