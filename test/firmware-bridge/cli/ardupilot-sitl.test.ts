/**
 * Optional: runs only when ARDUPILOT_SITL points to an ArduCopter SITL binary (and the test may
 * use `ip netns`, i.e. runs as root). ArduCopter SITL binds every address, so it starts inside a
 * network namespace of its own that has only loopback, and the client (`npm run link`) runs in
 * the same namespace. Default parameters come from ARDUPILOT_SITL_DEFAULTS, or from
 * Tools/autotest/default_params/copter.parm next to an ArduPilot build tree.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SITL = process.env.ARDUPILOT_SITL;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = join(root, 'test/fixtures/bridge/patrol-mission.json');
const NS = `sf-sitl-${process.pid}`;
const URL_IN_NS = 'tcp://127.0.0.1:5760';

function run(
  cmd: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function linkInNs(args: string[], timeoutMs: number) {
  return run(
    'ip',
    [
      'netns',
      'exec',
      NS,
      process.execPath,
      '--import',
      'tsx',
      'src/cli/link.ts',
      URL_IN_NS,
      ...args,
    ],
    timeoutMs,
  );
}

function defaultsFile(binary: string): string | undefined {
  if (process.env.ARDUPILOT_SITL_DEFAULTS) return process.env.ARDUPILOT_SITL_DEFAULTS;
  // build/sitl/bin/arducopter → Tools/autotest/default_params/copter.parm
  const guess = resolve(dirname(binary), '../../../Tools/autotest/default_params/copter.parm');
  return existsSync(guess) ? guess : undefined;
}

describe.skipIf(!SITL)('against real ArduCopter SITL in its own network namespace', () => {
  let sitl: ChildProcess | undefined;
  let workDir = '';

  beforeAll(async () => {
    const binary = SITL!;
    const add = await run('ip', ['netns', 'add', NS]);
    if (add.code !== 0) throw new Error(`ip netns add ${NS} failed (root needed?): ${add.stderr}`);
    await run('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
    workDir = await mkdtemp(join(tmpdir(), 'sitl-'));
    const defaults = defaultsFile(binary);
    const args = [
      'netns',
      'exec',
      NS,
      binary,
      '--model',
      'quad',
      '--speedup',
      '5',
      '--home',
      '30.3,119.9,20,0',
      '-I0',
    ];
    if (defaults) args.push('--defaults', defaults);
    sitl = spawn('ip', args, { cwd: workDir, stdio: 'ignore' });
  }, 60_000);

  afterAll(async () => {
    if (sitl?.pid !== undefined) sitl.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await run('ip', ['netns', 'del', NS]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('uploads a plan over TCP, flies it in AUTO and sees it land', async () => {
    // SITL takes a few seconds to open its TCP port; the CLI waits 10 s for a heartbeat.
    let status = await linkInNs(['status'], 60_000);
    for (let i = 0; i < 5 && status.code !== 0; i++) status = await linkInNs(['status'], 60_000);
    expect(status.code).toBe(0);
    const upload = await linkInNs(['upload', fixture], 120_000);
    expect(upload.stderr).toBe('');
    expect(upload.stdout).toMatch(/mission: 4 items accepted, verified by download/);
    const start = await linkInNs(['start'], 180_000); // waits out pre-arm checks after boot
    expect(start.stdout).toContain('mission started');
    const watch = await linkInNs(['watch'], 600_000);
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain('landed and disarmed');
  }, 900_000);
});
