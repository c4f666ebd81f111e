/**
 * The client half of the optional ArduPilot SITL test, run by `ardupilot-sitl.test.ts` inside the
 * SITL's own network namespace: `tsx ardupilot-sitl-flight.ts URL PLAN.json OUT.tlog`. Connects
 * over TCP (recording a tlog), asks for streams, uploads the plan (fence, rally, mission), waits
 * until the vehicle can be armed, flies the mission in AUTO and waits until it has landed and
 * disarmed. Prints one JSON line per step and a last line `{"summary": …}` with the figures.
 */
import { readFile } from 'node:fs/promises';
import { common, minimal } from 'node-mavlink';
import {
  ActionClient,
  LinkHealth,
  MavLink,
  MissionClient,
  TlogWriter,
  firstMismatch,
  systemClock,
  waitForMessage,
} from '../../../firmware-bridge/index';
import type {
  MavEndpoint,
  MissionItem,
  MissionPlan,
  ReceivedFrame,
} from '../../../firmware-bridge/index';

/** An endpoint that loses the first ACCEPTED MISSION_ACK it would deliver (a lost final ACK). */
function losingFirstAccept(endpoint: MavEndpoint): { endpoint: MavEndpoint; lost: () => number } {
  let lost = 0;
  return {
    lost: () => lost,
    endpoint: {
      systemId: endpoint.systemId,
      componentId: endpoint.componentId,
      send: (m) => endpoint.send(m),
      subscribe: (listener) =>
        endpoint.subscribe((f: ReceivedFrame) => {
          const m = f.message;
          if (m instanceof common.MissionAck && m.type === 0 && lost === 0) {
            lost++;
            return;
          }
          listener(f);
        }),
    },
  };
}

const [url, planFile, tlogPath] = process.argv.slice(2);

function say(step: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ step, atS: Number(process.uptime().toFixed(1)), ...data })}\n`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Mission JSON with `null` for NaN params, as `npm run link -- download` writes it. */
function readPlan(text: string): MissionPlan {
  const raw = JSON.parse(text, (_k, v: unknown) => (v === null ? Number.NaN : v)) as Record<
    string,
    (Omit<MissionItem, 'position'> & { position: [number, number] | number })[]
  >;
  const items = (list: (typeof raw)[string] | undefined): MissionItem[] | undefined =>
    list?.map((i) => ({ ...i, position: Array.isArray(i.position) ? i.position : null }));
  const plan: MissionPlan = {};
  for (const k of ['mission', 'fence', 'rally'] as const) {
    const got = items(raw[k]);
    if (got) plan[k] = got;
  }
  return plan;
}

async function main(): Promise<void> {
  if (!url || !planFile || !tlogPath) throw new Error('usage: URL PLAN.json OUT.tlog');
  const plan = readPlan(await readFile(planFile, 'utf8'));
  const tlog = new TlogWriter(tlogPath, { append: false });
  const link = new MavLink({
    transport: url,
    transportOptions: { openTimeoutMs: 60_000, reconnect: true },
    recorder: tlog,
  });
  const t0 = Date.now();
  await link.open();
  say('connected', { url });
  const gcs = link.endpoint();
  const health = new LinkHealth({
    endpoint: gcs,
    pendingWriteAgeMs: () => link.oldestPendingWriteAgeMs(),
  });
  health.start();
  try {
    const hb = await waitForMessage({
      endpoint: gcs,
      clock: systemClock,
      what: 'autopilot HEARTBEAT',
      timeoutMs: 120_000,
      match: (f) =>
        f.message instanceof minimal.Heartbeat && f.message.autopilot === 3 ? f : undefined,
    });
    if (!hb.ok) throw new Error(hb.reason);
    const firstHeartbeatAt = Date.now();
    const target = { systemId: hb.value.systemId, componentId: hb.value.componentId };
    say('heartbeat', { ...target, afterConnectMs: firstHeartbeatAt - t0 });

    let armed = false;
    let mode = -1;
    let landedState = -1;
    let positions = 0;
    let bootMs = 0;
    let zeroPositions = 0;
    const reached: number[] = [];
    const texts: string[] = [];
    gcs.subscribe((f) => {
      if (f.systemId !== target.systemId) return;
      const m = f.message;
      if (m instanceof minimal.Heartbeat && f.componentId === target.componentId) {
        armed = (m.baseMode & 128) !== 0;
        if (m.customMode !== mode) say('mode', { customMode: m.customMode, armed });
        mode = m.customMode;
      } else if (m instanceof common.GlobalPositionInt) {
        positions++;
        bootMs = m.timeBootMs;
        if (m.lat === 0 && m.lon === 0) zeroPositions++;
      } else if (m instanceof common.ExtendedSysState) landedState = m.landedState;
      else if (m instanceof common.MissionItemReached) {
        reached.push(m.seq);
        say('reached', { seq: m.seq });
      } else if (m instanceof common.StatusText) texts.push(m.text);
    });

    const actions = new ActionClient({ endpoint: gcs, target, autopilot: 'ardupilot' });
    const missions = new MissionClient({ endpoint: gcs, target, autopilot: 'ardupilot' });
    const refused = await actions.requestStreams();
    say('streams', { refused });

    const upStart = Date.now();
    const up = await missions.uploadPlan(plan);
    const uploadMs = Date.now() - upStart;
    if (!up.ok) throw new Error(`upload: ${up.kind}: ${up.reason}`);
    // What ArduPilot keeps of the mission, compared exactly and as ArduPilot stores items.
    const back = await missions.download('mission');
    if (!back.ok) throw new Error(`download: ${back.reason}`);
    const strictMismatchAt = firstMismatch(plan.mission ?? [], back.value.items);
    say('downloaded', {
      strictMismatchAt,
      sent: plan.mission?.[strictMismatchAt],
      stored: back.value.items[strictMismatchAt],
    });

    // The same mission again, with its final ACK lost on the way in: real ArduPilot's answer to
    // the resent last item, and the read-back, decide.
    const lossy = losingFirstAccept(gcs);
    const again = new MissionClient({ endpoint: lossy.endpoint, target, autopilot: 'ardupilot' });
    const lostStart = Date.now();
    const up2 = await again.upload('mission', plan.mission ?? []);
    const lostAckUploadMs = Date.now() - lostStart;
    if (!up2.ok) throw new Error(`upload with a lost final ACK: ${up2.kind}: ${up2.reason}`);
    say('uploaded with a lost final ACK', {
      lostAckUploadMs,
      acksLost: lossy.lost(),
      acceptedBy: up2.value.acceptedBy,
      verifiedBy: up2.value.verifiedBy,
      retries: up2.value.retries,
      restarts: up2.value.restarts,
      itemSends: up2.value.itemSends,
    });

    say('uploaded', {
      uploadMs,
      parts: up.value.map((r) => ({
        type: r.missionType,
        count: r.count,
        acceptedBy: r.acceptedBy,
        verifiedBy: r.verifiedBy,
        retries: r.retries,
        restarts: r.restarts,
      })),
    });

    // GUIDED needs a position: ArduPilot refuses it until the EKF has converged.
    for (;;) {
      const m = await actions.setMode('GUIDED');
      if (m.ok) break;
      if (Date.now() - firstHeartbeatAt > 180_000) throw new Error(`mode GUIDED: ${m.reason}`);
      await sleep(2000);
    }
    const waits: string[] = [];
    const arm = await actions.arm({
      waitReadyMs: 240_000,
      onWaiting: (r) => {
        if (waits.at(-1) !== r) say('waiting to arm', { reason: r });
        waits.push(r);
      },
    });
    if (!arm.ok) throw new Error(`arm: ${arm.reason}`);
    const armableAfterMs = Date.now() - firstHeartbeatAt;
    const armedAtBootMs = bootMs;
    say('armed', { armableAfterMs, armedAtBootMs });

    const flightStart = Date.now();
    const start = await actions.startMission();
    if (!start.ok) throw new Error(`mission start: ${start.reason}`);
    say('mission started');
    let wasAirborne = false;
    for (;;) {
      if (landedState === 2) wasAirborne = true; // MAV_LANDED_STATE_IN_AIR
      if (wasAirborne && !armed) break;
      if (Date.now() - flightStart > 600_000) throw new Error('no landing within 600 s');
      await sleep(200);
    }
    const flightMs = Date.now() - flightStart;
    const flightVehicleMs = bootMs - armedAtBootMs;
    say('landed', { flightMs, flightVehicleMs });
    const s = link.stats;
    process.stdout.write(
      `${JSON.stringify({
        summary: {
          uploadMs,
          lostAckUploadMs,
          lostAckAcceptedBy: up2.value.acceptedBy,
          lostAckRestarts: up2.value.restarts,
          strictMismatchAt,
          armableAfterMs,
          armedAtBootMs,
          flightMs,
          flightVehicleMs,
          reached,
          framesIn: s.framesIn,
          framesOut: s.framesOut,
          lostFramesEstimate: s.lostFramesEstimate,
          badCrc: s.parser.badCrc,
          unknownId: s.parser.unknownId,
          bytesSkipped: s.parser.bytesSkipped,
          positions,
          zeroPositions,
          preArmReasons: [...new Set(waits)].slice(0, 5),
          textsSample: texts.slice(0, 8),
        },
      })}\n`,
    );
  } finally {
    health.stop();
    await link.close();
    await tlog.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
