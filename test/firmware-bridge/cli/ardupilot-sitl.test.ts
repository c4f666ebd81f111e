/**
 * Optional: runs only when ARDUPILOT_SITL points to an ArduCopter SITL binary (and the test may
 * use `ip netns`, i.e. runs as root). ArduCopter SITL binds every address, so it starts inside a
 * network namespace of its own that has only loopback, and the client runs in the same
 * namespace: first `npm run link -- URL status` (the field tool), then
 * `ardupilot-sitl-flight.ts`, which uploads the plan, waits until the vehicle can be armed,
 * flies it in AUTO, sees it land and prints the figures. Default parameters come from
 * ARDUPILOT_SITL_DEFAULTS, or from Tools/autotest/default_params/copter.parm next to an ArduPilot
 * build tree. ARDUPILOT_SITL_TLOG=FILE keeps the client's tlog there (else a temporary file).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
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

function flightInNs(tlog: string, timeoutMs: number) {
  return run(
    'ip',
    [
      'netns',
      'exec',
      NS,
      process.execPath,
      '--import',
      'tsx',
      'test/firmware-bridge/cli/ardupilot-sitl-flight.ts',
      URL_IN_NS,
      fixture,
      tlog,
    ],
    timeoutMs,
  );
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
    const log = await open(join(workDir, 'sitl.log'), 'w');
    sitl = spawn('ip', args, { cwd: workDir, stdio: ['ignore', log.fd, log.fd] });
    sitl.on('exit', () => void log.close());
  }, 60_000);

  afterAll(async () => {
    if (sitl?.pid !== undefined) sitl.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await run('ip', ['netns', 'del', NS]);
    if (workDir && !process.env.ARDUPILOT_SITL_KEEP)
      await rm(workDir, { recursive: true, force: true });
  });

  it('uploads a plan over TCP, flies it in AUTO and sees it land', async () => {
    // SITL waits for its first TCP client before it boots; the CLI waits 10 s for a heartbeat.
    let status = await linkInNs(['status'], 60_000);
    for (let i = 0; i < 5 && status.code !== 0; i++) status = await linkInNs(['status'], 60_000);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/"autopilot":"ardupilot"/);
    const tlog = process.env.ARDUPILOT_SITL_TLOG ?? join(workDir, 'flight.tlog');
    const flight = await flightInNs(tlog, 900_000);
    process.stdout.write(flight.stdout);
    expect(flight.code, `${flight.stderr}\n${flight.stdout}`).toBe(0);
    const last = flight.stdout.trim().split('\n').at(-1) ?? '{}';
    const { summary } = JSON.parse(last) as {
      summary: {
        reached: number[];
        badCrc: number;
        lostAckAcceptedBy: string;
        lostAckRestarts: number;
      };
    };
    expect(flight.stdout).toMatch(
      /"type":"mission","count":4,"acceptedBy":"ack","verifiedBy":"download"/,
    );
    // Every mission item reached (item 0 is ArduPilot's home), then landed and disarmed.
    expect(summary.reached).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    expect(summary.badCrc).toBe(0);
    // A lost final ACK: ArduPilot answers the resent item with ERROR, the count read-back
    // confirms, and the transfer is not restarted.
    expect(summary.lostAckAcceptedBy).toBe('read-back');
    expect(summary.lostAckRestarts).toBe(0);
  }, 1_000_000);
});
