/**
 * `npm run link -- URL COMMAND [ARGS] [--sysid N]`: the field engineer's tool for one vehicle.
 *
 *   status              heartbeat, mode, armed, position, battery (one JSON line)
 *   upload FILE         a .plan, a QGC WPL 110 file or mission JSON, with its fence and rally
 *   download --out FILE mission, fence and rally as mission JSON, or as a .plan / WPL 110 (.waypoints, .txt)
 *   mode NAME           e.g. GUIDED, AUTO, LOITER, RTL, LAND, BRAKE (PX4: POSCTL, HOLD, MISSION…)
 *   arm                 arms, waiting up to 90 s for pre-arm checks (printing why it waits)
 *   takeoff ALT         GUIDED, arm if needed, take off to ALT metres; prints the climb
 *   start               arm if needed, MISSION_START
 *   rtl                 return to launch
 *   watch               prints mode, mission progress, position and battery until landed
 *
 * URL is a MAVSDK-style URL: udpout://127.0.0.1:14550, udpin://0.0.0.0:14550, tcp://host:5760,
 * serial:///dev/ttyUSB0:57600. Progress goes to stdout; on failure the reason goes to stderr and
 * the exit code is 1 (2 for usage errors).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { common, minimal } from 'node-mavlink';
import {
  ActionClient,
  DOCK_MESSAGES,
  LinkHealth,
  MavLink,
  MissionClient,
  autopilotKind,
  createMessageRegistry,
  modeName,
  waitForMessage,
  systemClock,
} from '../../firmware-bridge/index';
import type * as Missions from '../../missions/index';
import type {
  AutopilotKind,
  Failure,
  LinkEndpoint,
  MissionItem,
  MissionPlan,
  Outcome,
  ReceivedFrame,
} from '../../firmware-bridge/index';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const USAGE =
  'usage: npm run link -- URL status|upload FILE|download --out FILE|mode NAME|arm|takeoff ALT|start|rtl|watch [--sysid N]';
const HEARTBEAT_WAIT_MS = 10_000;
const ARM_WAIT_MS = 90_000;
const MAV_AUTOPILOT_INVALID = 8;

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function check<T>(outcome: Outcome<T>, what: string): T {
  if (outcome.ok) return outcome.value;
  throw new CliError(
    `${what} failed (${(outcome as Failure).kind}): ${(outcome as Failure).reason}`,
  );
}

// ---- plan files -------------------------------------------------------------------------------

/** The planning library, loaded only when a file format needs it (it is large to start). */
function missionsLib(): Promise<typeof Missions> {
  return import('../../missions/index');
}

/** Readers of the planning library's formats (.plan, WPL 110, mavlink-items JSON). */
const FORMAT_LOADERS: Record<
  'plan' | 'wpl' | 'mavlinkJson',
  (text: string) => Promise<MissionPlan>
> = {
  plan: async (t) => {
    const p = (await missionsLib()).parseQgcPlan(t);
    for (const w of p.warnings) print(`warning: ${w}`);
    return { mission: p.mission, fence: p.fence, rally: p.rally };
  },
  wpl: async (t) => ({ mission: (await missionsLib()).parseWpl(t).mission }),
  mavlinkJson: async (t) => {
    const first = (await missionsLib()).parseMavlinkJson(t)[0];
    if (!first) throw new CliError('the mavlink-items file has no sortie');
    return { mission: first.mission, fence: first.fence, rally: first.rally };
  },
};

function isItem(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && typeof (v as { command?: unknown }).command === 'number'
  );
}

function readItems(value: unknown, where: string): MissionItem[] {
  if (!Array.isArray(value)) throw new CliError(`${where} must be an array of mission items`);
  return value.map((raw, i) => {
    if (!isItem(raw))
      throw new CliError(`${where}[${i}] is not a mission item (needs a numeric "command")`);
    const n = (k: string, dflt: number): number => {
      const x = raw[k];
      if (x === null) return Number.NaN;
      if (x === undefined) return dflt;
      if (typeof x !== 'number')
        throw new CliError(
          `${where}[${i}].${k} is ${JSON.stringify(x)}: expected a number or null`,
        );
      return x;
    };
    const pos = raw.position;
    let position: [number, number] | null = null;
    if (pos !== null && pos !== undefined) {
      if (
        !Array.isArray(pos) ||
        pos.length !== 2 ||
        !pos.every((p) => typeof p === 'number' && Number.isFinite(p))
      ) {
        throw new CliError(
          `${where}[${i}].position is ${JSON.stringify(pos)}: expected [lon, lat] or null`,
        );
      }
      position = [pos[0] as number, pos[1] as number];
    }
    return {
      command: n('command', 16),
      frame: n('frame', 3),
      param1: n('param1', 0),
      param2: n('param2', 0),
      param3: n('param3', 0),
      param4: n('param4', 0),
      position,
      altM: n('altM', 0),
      autocontinue: raw.autocontinue !== false,
    };
  });
}

/** Mission JSON: `{ mission, fence?, rally? }` or a bare item array, items in the bridge's shape. */
function parseMissionJson(text: string, file: string): MissionPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not JSON`, 1, { cause: err });
  }
  if (Array.isArray(data)) return { mission: readItems(data, 'items') };
  if (typeof data !== 'object' || data === null)
    throw new CliError(`${file}: expected an object with "mission"`);
  const d = data as Record<string, unknown>;
  const plan: MissionPlan = {};
  if (d.mission !== undefined) plan.mission = readItems(d.mission, 'mission');
  if (d.fence !== undefined) plan.fence = readItems(d.fence, 'fence');
  if (d.rally !== undefined) plan.rally = readItems(d.rally, 'rally');
  if (!plan.mission && !plan.fence && !plan.rally)
    throw new CliError(`${file}: no "mission", "fence" or "rally" list`);
  return plan;
}

async function loadPlan(file: string): Promise<MissionPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}`, 1, { cause: err });
  }
  const head = text.trimStart();
  try {
    if (head.startsWith('QGC WPL')) return await FORMAT_LOADERS.wpl(text);
    if (head.startsWith('{') && /"fileType"\s*:\s*"Plan"/.test(head))
      return await FORMAT_LOADERS.plan(text);
    if (head.startsWith('{') && /"format"\s*:\s*"shared-flights\/mavlink-items"/.test(head)) {
      return await FORMAT_LOADERS.mavlinkJson(text);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${file}: ${err instanceof Error ? err.message : String(err)}`, 1, {
      cause: err,
    });
  }
  return parseMissionJson(text, file);
}

function planJson(plan: MissionPlan): string {
  return `${JSON.stringify(plan, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2)}\n`;
}

// ---- session ----------------------------------------------------------------------------------

interface Session {
  link: MavLink;
  gcs: LinkEndpoint;
  health: LinkHealth;
  target: { systemId: number; componentId: number };
  autopilot: AutopilotKind;
  actions: ActionClient;
  missions: MissionClient;
}

async function connect(url: string, sysid: number | undefined): Promise<Session> {
  const link = new MavLink({
    transport: url,
    transportOptions: { openTimeoutMs: 5000, reconnect: true },
    registry: createMessageRegistry({ extra: DOCK_MESSAGES }),
  });
  try {
    await link.open();
  } catch (err) {
    throw new CliError(
      `cannot open ${url}: ${err instanceof Error ? err.message : String(err)}`,
      1,
      { cause: err },
    );
  }
  const gcs = link.endpoint();
  const health = new LinkHealth({
    endpoint: gcs,
    pendingWriteAgeMs: () => link.oldestPendingWriteAgeMs(),
  });
  health.start();
  print(`connected to ${url}; waiting for a vehicle heartbeat…`);
  const hb = await waitForMessage({
    endpoint: gcs,
    clock: systemClock,
    what: sysid === undefined ? 'vehicle HEARTBEAT' : `HEARTBEAT from system ${sysid}`,
    timeoutMs: HEARTBEAT_WAIT_MS,
    match: (f) =>
      f.message instanceof minimal.Heartbeat &&
      f.message.autopilot !== MAV_AUTOPILOT_INVALID &&
      f.message.type !== 6 &&
      (sysid === undefined || f.systemId === sysid)
        ? f
        : undefined,
  });
  if (!hb.ok) {
    health.stop();
    await link.close();
    throw new CliError(`${hb.reason} on ${url}`);
  }
  const frame = hb.value;
  const heartbeat = frame.message as minimal.Heartbeat;
  const autopilot = autopilotKind(heartbeat.autopilot);
  const target = { systemId: frame.systemId, componentId: frame.componentId };
  print(
    `vehicle ${target.systemId} (${autopilot}), mode ${modeName(autopilot, heartbeat.customMode)}`,
  );
  return {
    link,
    gcs,
    health,
    target,
    autopilot,
    actions: new ActionClient({ endpoint: gcs, target, autopilot }),
    missions: new MissionClient({ endpoint: gcs, target, autopilot }),
  };
}

/** The latest of each telemetry message from the target. */
class Snapshot {
  heartbeat: minimal.Heartbeat | undefined;
  position: common.GlobalPositionInt | undefined;
  sysStatus: common.SysStatus | undefined;
  battery: common.BatteryStatus | undefined;
  extState: common.ExtendedSysState | undefined;
  missionCurrent: common.MissionCurrent | undefined;
  private readonly off: () => void;

  constructor(
    private readonly s: Session,
    onFrame?: (f: ReceivedFrame) => void,
  ) {
    this.off = s.gcs.subscribe((f) => {
      if (f.systemId !== s.target.systemId) return;
      const m = f.message;
      if (m instanceof minimal.Heartbeat) this.heartbeat = m;
      else if (m instanceof common.GlobalPositionInt) this.position = m;
      else if (m instanceof common.SysStatus) this.sysStatus = m;
      else if (m instanceof common.BatteryStatus) this.battery = m;
      else if (m instanceof common.ExtendedSysState) this.extState = m;
      else if (m instanceof common.MissionCurrent) this.missionCurrent = m;
      onFrame?.(f);
    });
  }

  close(): void {
    this.off();
  }

  get armed(): boolean {
    return ((this.heartbeat?.baseMode ?? 0) & 128) !== 0;
  }

  get mode(): string | undefined {
    return this.heartbeat ? modeName(this.s.autopilot, this.heartbeat.customMode) : undefined;
  }

  /** `[lon, lat]`, or null while the estimator reports 0,0 (ArduPilot before EKF convergence). */
  get lonLat(): [number, number] | null {
    const p = this.position;
    if (!p || (p.lat === 0 && p.lon === 0)) return null;
    return [p.lon / 1e7, p.lat / 1e7];
  }

  get altitudeRelM(): number | null {
    return this.position ? this.position.relativeAlt / 1000 : null;
  }

  get batteryPct(): number | null {
    const b = this.battery?.batteryRemaining ?? this.sysStatus?.batteryRemaining;
    return b === undefined || b < 0 ? null : b;
  }

  /** Landed when EXTENDED_SYS_STATE says ON_GROUND, or (without it) when disarmed. */
  get landed(): boolean {
    if (this.extState) return this.extState.landedState === 1 && !this.armed;
    return !this.armed;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function ensureArmed(s: Session, snap: Snapshot): Promise<void> {
  if (snap.armed) return;
  if (
    s.autopilot === 'ardupilot' &&
    !['GUIDED', 'LOITER', 'STABILIZE', 'ALT_HOLD', 'POSHOLD'].includes(snap.mode ?? '')
  ) {
    check(await s.actions.setMode('GUIDED'), 'mode GUIDED');
    print('mode GUIDED');
  }
  let lastReason = '';
  check(
    await s.actions.arm({
      waitReadyMs: ARM_WAIT_MS,
      onWaiting: (reason) => {
        if (reason !== lastReason) print(`waiting to arm: ${reason}`);
        lastReason = reason;
      },
    }),
    'arm',
  );
  print('armed');
}

// ---- commands ---------------------------------------------------------------------------------

async function status(s: Session): Promise<void> {
  const snap = new Snapshot(s);
  await s.actions.requestStreams();
  const deadline = Date.now() + 3000;
  while (
    Date.now() < deadline &&
    !(snap.heartbeat && snap.position && (snap.battery || snap.sysStatus))
  )
    await sleep(100);
  snap.close();
  const lonLat = snap.lonLat;
  print(
    JSON.stringify({
      systemId: s.target.systemId,
      autopilot: s.autopilot,
      heartbeat: snap.heartbeat
        ? { systemStatus: snap.heartbeat.systemStatus, type: snap.heartbeat.type }
        : null,
      mode: snap.mode ?? null,
      armed: snap.armed,
      position: lonLat,
      ...(snap.position && !lonLat
        ? { positionNote: 'estimator not converged (vehicle reports 0,0)' }
        : {}),
      altitudeRelM: snap.altitudeRelM,
      batteryPct: snap.batteryPct,
      voltageV: snap.sysStatus ? snap.sysStatus.voltageBattery / 1000 : null,
    }),
  );
}

async function upload(s: Session, file: string): Promise<void> {
  const plan = await loadPlan(file);
  const counts = (['mission', 'fence', 'rally'] as const)
    .filter((t) => plan[t])
    .map((t) => `${plan[t]!.length} ${t}`);
  print(`uploading ${counts.join(', ')} items from ${file}`);
  let lastPrinted = '';
  const o = await s.missions.uploadPlan(plan, {
    onProgress: (p) => {
      const step = Math.max(1, Math.floor(p.total / 10));
      if (p.sent % step !== 0 && p.sent !== p.total) return;
      const line = `${p.missionType}: ${p.sent}/${p.total}`;
      if (line !== lastPrinted) print(line);
      lastPrinted = line;
    },
  });
  const reports = check(o, 'upload');
  for (const r of reports) {
    print(
      `${r.missionType}: ${r.count} items accepted, verified by ${r.verifiedBy} (${r.retries} retries, ${r.restarts} restarts)`,
    );
  }
}

async function download(s: Session, out: string): Promise<void> {
  const plan = check(await s.missions.downloadPlan(), 'download');
  let text = planJson(plan);
  const asPlan = out.endsWith('.plan');
  const asWpl = out.endsWith('.waypoints') || out.endsWith('.txt');
  if (asPlan || asWpl) {
    const home = await s.actions.getHomePosition();
    const position = home.ok
      ? home.value.position
      : (plan.mission.find((i) => i.position)?.position ?? [0, 0]);
    const altAmslM = home.ok ? home.value.altAmslM : 0;
    if (!home.ok)
      print(`warning: no HOME_POSITION (${home.reason}); using the first waypoint as home`);
    const { toQgcPlan, toWpl } = await missionsLib();
    text = asPlan
      ? toQgcPlan(
          { mission: [...plan.mission], fence: [...plan.fence], rally: [...plan.rally] },
          {
            home: position,
            homeAltAmslM: altAmslM,
            cruiseSpeedMps: 10,
            hoverSpeedMps: 5,
            firmwareType: s.autopilot === 'px4' ? 12 : 3,
          },
        )
      : toWpl(plan.mission, { position, altAmslM });
  }
  await writeFile(out, text);
  print(
    `wrote ${plan.mission.length} mission, ${plan.fence.length} fence, ${plan.rally.length} rally items to ${out}`,
  );
}

async function takeoff(s: Session, altM: number): Promise<void> {
  const snap = new Snapshot(s);
  try {
    await s.actions.requestStreams();
    if (s.autopilot === 'ardupilot') {
      check(await s.actions.setMode('GUIDED'), 'mode GUIDED');
      print('mode GUIDED');
    }
    await ensureArmed(s, snap);
    check(await s.actions.takeoff(altM), `takeoff to ${altM} m`);
    print(`taking off to ${altM} m`);
    const deadline = Date.now() + 120_000;
    let lastPrint = 0;
    let disarmedSince: number | undefined;
    for (;;) {
      const alt = snap.altitudeRelM ?? 0;
      if (alt >= altM * 0.95) break;
      if (Date.now() > deadline)
        throw new CliError(`takeoff: at ${alt.toFixed(1)} m after 120 s, expected ${altM} m`);
      if (!snap.armed) {
        disarmedSince ??= Date.now();
        if (Date.now() - disarmedSince > 2500) throw new CliError('takeoff: the vehicle disarmed');
      } else disarmedSince = undefined;
      if (Date.now() - lastPrint >= 1000) {
        print(`altitude ${alt.toFixed(1)} m`);
        lastPrint = Date.now();
      }
      await sleep(200);
    }
    print(`reached ${(snap.altitudeRelM ?? 0).toFixed(1)} m`);
  } finally {
    snap.close();
  }
}

async function start(s: Session): Promise<void> {
  const snap = new Snapshot(s);
  try {
    await sleep(300);
    await ensureArmed(s, snap);
    check(await s.actions.startMission(), 'mission start');
    print('mission started');
  } finally {
    snap.close();
  }
}

async function watch(s: Session): Promise<void> {
  let lastMode: string | undefined;
  let lastSeq = -1;
  let flying = false;
  let lost = false;
  const offHealth = s.health.on((e) => {
    if (e.type === 'vehicle-lost' && e.systemId === s.target.systemId) {
      lost = true;
      print(`vehicle ${e.systemId} lost (silent ${e.silentForMs} ms)`);
    }
    if (e.type === 'vehicle-found' && e.systemId === s.target.systemId && lost) {
      lost = false;
      print(`vehicle ${e.systemId} back`);
    }
  });
  const snap = new Snapshot(s, (f) => {
    const m = f.message;
    if (m instanceof common.MissionItemReached) print(`reached item ${m.seq}`);
    else if (m instanceof common.StatusText) print(`vehicle: ${m.text}`);
  });
  try {
    await s.actions.requestStreams();
    let lastPrint = 0;
    let lostSinceMs: number | undefined;
    for (;;) {
      const mode = snap.mode;
      if (mode !== undefined && mode !== lastMode) {
        print(`mode ${mode}${snap.armed ? ' (armed)' : ''}`);
        lastMode = mode;
      }
      const mc = snap.missionCurrent;
      if (mc && mc.seq !== lastSeq) {
        print(`mission item ${mc.seq}${mc.total ? `/${mc.total}` : ''}`);
        lastSeq = mc.seq;
      }
      if (snap.armed) flying = true;
      if (Date.now() - lastPrint >= 2000) {
        const p = snap.lonLat;
        const where = p ? `${p[0].toFixed(6)},${p[1].toFixed(6)}` : 'position unknown (estimator)';
        print(
          `${where} alt ${(snap.altitudeRelM ?? 0).toFixed(1)} m battery ${snap.batteryPct ?? '?'} %`,
        );
        lastPrint = Date.now();
      }
      if (snap.heartbeat && snap.landed) {
        print(flying ? 'landed and disarmed' : 'on the ground, disarmed');
        return;
      }
      if (lost) {
        lostSinceMs ??= Date.now();
        if (Date.now() - lostSinceMs > 30_000) throw new CliError('watch: vehicle lost for 30 s');
      } else lostSinceMs = undefined;
      await sleep(200);
    }
  } finally {
    offHealth();
    snap.close();
  }
}

// ---- main -------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, sysid: { type: 'string' } },
      strict: true,
    });
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`, 2, {
      cause: err,
    });
  }
  const [url, command, arg] = parsed.positionals;
  if (!url || !command) throw new CliError(USAGE, 2);
  const sysid = parsed.values.sysid === undefined ? undefined : Number(parsed.values.sysid);
  if (sysid !== undefined && !(Number.isInteger(sysid) && sysid >= 1 && sysid <= 255)) {
    throw new CliError(`--sysid ${JSON.stringify(parsed.values.sysid)} is not 1..255`, 2);
  }
  const commands = [
    'status',
    'upload',
    'download',
    'mode',
    'arm',
    'takeoff',
    'start',
    'rtl',
    'watch',
  ];
  if (!commands.includes(command))
    throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`, 2);
  if ((command === 'upload' || command === 'mode' || command === 'takeoff') && !arg)
    throw new CliError(`${command} needs an argument\n${USAGE}`, 2);
  if (command === 'download' && !parsed.values.out)
    throw new CliError(`download needs --out FILE\n${USAGE}`, 2);
  const altM = command === 'takeoff' ? Number(arg) : 0;
  if (command === 'takeoff' && !(Number.isFinite(altM) && altM > 0 && altM <= 500)) {
    throw new CliError(
      `takeoff altitude ${JSON.stringify(arg)} is not a number of metres in (0, 500]`,
      2,
    );
  }

  const s = await connect(url, sysid);
  try {
    switch (command) {
      case 'status':
        return await status(s);
      case 'upload':
        return await upload(s, arg!);
      case 'download':
        return await download(s, parsed.values.out!);
      case 'mode':
        check(await s.actions.setMode(arg!), `mode ${arg}`);
        return print(`mode ${arg!.toUpperCase()}`);
      case 'arm': {
        const snap = new Snapshot(s);
        try {
          await sleep(300);
          return await ensureArmed(s, snap);
        } finally {
          snap.close();
        }
      }
      case 'takeoff':
        return await takeoff(s, altM);
      case 'start':
        return await start(s);
      case 'rtl':
        check(await s.actions.returnToLaunch(), 'return to launch');
        return print('returning to launch');
      case 'watch':
        return await watch(s);
    }
  } finally {
    s.health.stop();
    await s.link.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(
      `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
