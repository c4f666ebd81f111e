/**
 * `npm run sim -- [options]`: runs a simulated fleet on real sockets until interrupted and prints
 * where each vehicle listens. Options (all optional):
 *
 *   --drones N          drones without a dock, one UDP port each (default 1 when --docks is 0)
 *   --docks N           docks, each carrying its drone on one line (default 0)
 *   --udp-base-port P   first UDP port, counting up per line; 0 = free ports (default 14550)
 *   --host H            address to bind (default 127.0.0.1)
 *   --serial            put docks on pseudo-terminal pairs instead of UDP (serial path)
 *   --baud B            baud named in serial URLs and modelled as bytes/s when --radio is set (57600)
 *   --radio             limit each line to the baud rate's bytes/s, like a telemetry radio
 *   --drop R --duplicate R --reorder R --corrupt R   loss rates 0..1, both directions
 *   --latency-ms MS     one-way latency added on each line
 *   --failure MODE      a named failure mode (see --list-failures)
 *   --profile P         textbook | ardupilot (MISSION_REQUEST, no plan ids, EKF/arming delays, boot text)
 *   --speed-up F        simulated time runs F times faster
 *   --gcs-failsafe-s S  RTL after S seconds without a GCS heartbeat while flying; 0 = off (5)
 *   --seed S            seed for loss and plan ids (default 1)
 *   --home LON,LAT      first pad position (default 119.9,30.3)
 *   --json              print the vehicle list as JSON
 *   --list-failures     print the failure modes and exit
 */
import { parseArgs } from 'node:util';
import { FAILURE_MODES, isFailureMode } from './failure-modes';
import { radioBytesPerSecond } from './lossy-channel';
import { startSimFleet } from './sim-fleet';
import type { SimFleetOptions } from './sim-fleet';

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

function num(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    fail(`--${name} ${JSON.stringify(value)} is not a number in ${min}..${max}`);
  return n;
}

const { values } = parseArgs({
  options: {
    drones: { type: 'string' },
    docks: { type: 'string' },
    'udp-base-port': { type: 'string' },
    host: { type: 'string' },
    serial: { type: 'boolean' },
    baud: { type: 'string' },
    radio: { type: 'boolean' },
    drop: { type: 'string' },
    duplicate: { type: 'string' },
    reorder: { type: 'string' },
    corrupt: { type: 'string' },
    'latency-ms': { type: 'string' },
    failure: { type: 'string' },
    profile: { type: 'string' },
    'speed-up': { type: 'string' },
    seed: { type: 'string' },
    'gcs-failsafe-s': { type: 'string' },
    home: { type: 'string' },
    json: { type: 'boolean' },
    'list-failures': { type: 'boolean' },
  },
  strict: true,
});

if (values['list-failures']) {
  for (const [name, what] of Object.entries(FAILURE_MODES))
    process.stdout.write(`${name.padEnd(34)} ${what}\n`);
  process.exit(0);
}

const failure = values.failure ?? 'none';
if (!isFailureMode(failure))
  fail(
    `--failure ${JSON.stringify(failure)} is not one of: ${Object.keys(FAILURE_MODES).join(', ')}`,
  );
const profile = values.profile ?? 'textbook';
if (profile !== 'textbook' && profile !== 'ardupilot')
  fail(`--profile ${JSON.stringify(profile)} must be textbook or ardupilot`);
let home: [number, number] | undefined;
if (values.home) {
  const parts = values.home.split(',').map(Number);
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)))
    fail(`--home ${JSON.stringify(values.home)} must be LON,LAT`);
  home = [parts[0]!, parts[1]!];
}
const baud = num(values.baud, 'baud', 300, 4_000_000) ?? 57600;
const latencyMs = num(values['latency-ms'], 'latency-ms', 0, 10_000);
const loss = {
  ...(values.drop ? { dropRate: num(values.drop, 'drop', 0, 1)! } : {}),
  ...(values.duplicate ? { duplicateRate: num(values.duplicate, 'duplicate', 0, 1)! } : {}),
  ...(values.reorder ? { reorderRate: num(values.reorder, 'reorder', 0, 1)! } : {}),
  ...(values.corrupt ? { corruptRate: num(values.corrupt, 'corrupt', 0, 1)! } : {}),
  ...(latencyMs !== undefined ? { latencyMs } : {}),
  ...(values.radio ? { bytesPerSecond: radioBytesPerSecond(baud) } : {}),
};
const docks = num(values.docks, 'docks', 0, 100);
const drones = num(values.drones, 'drones', 0, 100);
const udpBasePort = num(values['udp-base-port'], 'udp-base-port', 0, 65535);
const timeScale = num(values['speed-up'], 'speed-up', 0.01, 1000);
const seed = num(values.seed, 'seed', 0, 2 ** 32);
const gcsFailsafeS = num(values['gcs-failsafe-s'], 'gcs-failsafe-s', 0, 3600);
const options: SimFleetOptions = {
  ...(docks !== undefined ? { docks } : {}),
  ...(drones !== undefined ? { drones } : {}),
  ...(udpBasePort !== undefined ? { udpBasePort } : {}),
  ...(values.host ? { host: values.host } : {}),
  ...(values.serial ? { serial: true } : {}),
  baudRate: baud,
  loss,
  failureMode: failure,
  profile,
  ...(timeScale !== undefined ? { timeScale } : {}),
  ...(seed !== undefined ? { seed } : {}),
  ...(home ? { home } : {}),
  ...(gcsFailsafeS !== undefined ? { drone: { gcsFailsafeTimeoutMs: gcsFailsafeS * 1000 } } : {}),
};

const fleet = await startSimFleet(options).catch((err: unknown) => {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  fail(`${err instanceof Error ? err.message : String(err)}${cause}`);
});

const rows = fleet.vehicles.map((v) => ({
  kind: v.kind,
  systemId: v.systemId,
  url: v.url,
  ...(v.kind === 'dock' && v.drone ? { droneSystemId: v.drone.systemId } : {}),
}));
if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
else {
  for (const r of rows) {
    const carried = 'droneSystemId' in r ? ` (carries drone ${r.droneSystemId})` : '';
    process.stdout.write(`${r.kind} ${r.systemId}${carried}: connect with ${r.url}\n`);
  }
  process.stdout.write(
    `failure mode ${failure}, profile ${profile}, speed-up ×${timeScale ?? 1}. Ctrl-C to stop.\n`,
  );
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  fleet.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `sim: close failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
