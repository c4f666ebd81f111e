/**
 * `npm run bench -- --filter bridge`: mission upload over a simulated 57600-baud radio with
 * latency, on real loopback UDP in real time. The radio model (both directions): 5760 B/s
 * (57600 baud, 8N1), frames queue behind each other, plus a fixed one-way latency.
 *
 * Stop-and-wait floor: the upload is COUNT → REQUEST(0) → ITEM(0) → … → ITEM(n-1) → ACK, i.e.
 * 2n + 2 one-way trips, each costing its frame's air time (encoded size, MAVLink 2 with payload
 * trimming, / 5760 B/s) plus the latency. The ratio measured / floor shows the protocol's own
 * overhead (timers, retries, duplicate sends); the vehicle's 1 Hz HEARTBEAT shares the air.
 */
import { common } from 'node-mavlink';
import {
  DOCK_MESSAGES,
  FrameEncoder,
  MavLink,
  MissionUpload,
  SimDrone,
  UdpTransport,
  createMessageRegistry,
  lossyTransport,
  radioBytesPerSecond,
  toMissionItemInt,
} from '../../firmware-bridge/index';
import type { MissionItem } from '../../firmware-bridge/index';
import type { Benchmark, BenchResult } from './harness';

const BAUD = 57600;
const LATENCY_MS = 20;
const TARGET = { systemId: 1, componentId: 1 };

function missionOf(n: number): MissionItem[] {
  const items: MissionItem[] = [];
  for (let i = 0; i < n; i++) {
    items.push({
      command: 16,
      frame: 3,
      param1: 0,
      param2: 2,
      param3: 0,
      param4: Number.NaN,
      position: [119.9 + (i % 50) * 0.0003, 30.3 + Math.floor(i / 50) * 0.0003],
      altM: 40 + (i % 7),
      autocontinue: true,
    });
  }
  return items;
}

/** Air time + latency of every frame of a stop-and-wait upload, in ms. */
function stopAndWaitFloorMs(items: readonly MissionItem[], bytesPerS: number): number {
  const registry = createMessageRegistry({ extra: DOCK_MESSAGES });
  const gcs = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
  const vehicle = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
  const trip = (bytes: number): number => (bytes * 1000) / bytesPerS + LATENCY_MS;
  const count = new common.MissionCount();
  Object.assign(count, {
    targetSystem: 1,
    targetComponent: 1,
    count: items.length,
    missionType: 0,
    opaqueId: 0,
  });
  let total = trip(gcs.encode(count).length);
  items.forEach((item, seq) => {
    const req = new common.MissionRequestInt();
    Object.assign(req, { targetSystem: 255, targetComponent: 190, seq, missionType: 0 });
    total += trip(vehicle.encode(req).length);
    total += trip(gcs.encode(toMissionItemInt(item, seq, 'mission', TARGET)).length);
  });
  const ack = new common.MissionAck();
  Object.assign(ack, {
    targetSystem: 255,
    targetComponent: 190,
    type: 0,
    missionType: 0,
    opaqueId: 1,
  });
  return total + trip(vehicle.encode(ack).length);
}

async function uploadOverRadio(n: number): Promise<BenchResult> {
  const bytesPerSecond = radioBytesPerSecond(BAUD);
  const registry = createMessageRegistry({ extra: DOCK_MESSAGES });
  const udp = new UdpTransport('udpin://127.0.0.1:0', 'udpin', '127.0.0.1', 0);
  await udp.open();
  const port = udp.localAddress!.port;
  const radio = { bytesPerSecond, latencyMs: LATENCY_MS };
  const vehicleLink = new MavLink({
    transport: lossyTransport(udp, { outbound: radio, inbound: radio, seed: 1 }),
    registry,
  });
  await vehicleLink.open();
  const drone = new SimDrone({
    endpoint: vehicleLink.endpoint({ systemId: 1, componentId: 1 }),
    clock: vehicleLink.clock,
    home: [119.9, 30.3],
    silentUntilAsked: true,
  });
  const gcsLink = new MavLink({ transport: `udpout://127.0.0.1:${port}`, registry });
  await gcsLink.open();
  const gcs = gcsLink.endpoint();
  try {
    const items = missionOf(n);
    // udpin answers a system where it was heard: say hello once so the vehicle's side knows where we are.
    await gcs.send(
      Object.assign(new common.MissionRequestList(), {
        targetSystem: 99,
        targetComponent: 1,
        missionType: 0,
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const startedAt = performance.now();
    const o = await new MissionUpload({
      endpoint: gcs,
      clock: gcsLink.clock,
      target: TARGET,
      missionType: 'mission',
      items,
    }).run();
    const elapsedMs = performance.now() - startedAt;
    if (!o.ok) throw new Error(`upload of ${n} items failed: ${o.reason}`);
    const floorMs = stopAndWaitFloorMs(items, bytesPerSecond);
    const received = drone.missions.itemFramesReceived;
    return {
      figures: {
        items: n,
        elapsedMs: Math.round(elapsedMs),
        floorMs: Math.round(floorMs),
        ratioToFloor: elapsedMs / floorMs,
        duplicateItemSends: o.value.duplicateItemSends,
        itemFramesAtVehicle: received,
        retries: o.value.retries,
      },
      notes: [
        `${n} items, radio ${BAUD} baud (${bytesPerSecond} B/s each way), ${LATENCY_MS} ms one-way latency, real UDP, real time; goal ratio ≤ 1.10, 0 duplicate item sends`,
      ],
    };
  } finally {
    drone.close();
    await gcsLink.close();
    await vehicleLink.close();
  }
}

const benchmarks: Benchmark[] = [
  { group: 'bridge', name: 'mission-upload-100', run: () => uploadOverRadio(100) },
  { group: 'bridge', name: 'mission-upload-500', run: () => uploadOverRadio(500) },
];

export default benchmarks;
