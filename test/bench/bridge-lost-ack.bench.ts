/**
 * `npm run bench -- --filter lost-final-ack`: what a lost final MISSION_ACK costs, in virtual
 * time (ManualClock, in-memory link through the real codec, 20 ms one-way latency), for the three
 * ways a vehicle answers the resent last item: a textbook ACK, ArduPilot's MAV_MISSION_ERROR
 * ("not receiving") and silence (the simulator's ArduPilot profile). Before the read-back, the
 * lost ACK cost 5 ack timeouts (7.5 s) and a restarted transfer; the figures are exact (virtual
 * time), so they are compared with the clean upload of the same mission in the same run.
 */
import { common } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import { ManualClock, MissionServer, MissionUpload } from '../../firmware-bridge/index';
import type { MissionItem } from '../../firmware-bridge/index';
import { sampleMission } from '../firmware-bridge/protocol/fixtures';
import { createMemoryLink } from '../firmware-bridge/protocol/memory-link';
import type { Benchmark, BenchResult } from './harness';

type Vehicle = 'textbook' | 'ardupilot' | 'ardupilot-silent';

async function upload(
  vehicle: Vehicle,
  items: readonly MissionItem[],
  loseFirstAck: boolean,
): Promise<{ elapsedMs: number; restarts: number; itemSends: number; acceptedBy: string }> {
  const clock = new ManualClock();
  let lost = 0;
  const drop = (m: MavLinkData, from: 0 | 1): boolean =>
    loseFirstAck &&
    from === 1 &&
    m instanceof common.MissionAck &&
    m.type === common.MavMissionResult.ACCEPTED &&
    lost++ === 0;
  const [gcs, ep] = createMemoryLink(
    { systemId: 255, componentId: 190 },
    { systemId: 1, componentId: 1 },
    { clock, latencyMs: 20, drop },
  );
  const server = new MissionServer({
    endpoint: ep,
    clock,
    requestNotInt: vehicle !== 'textbook',
    lateItemError: vehicle === 'ardupilot',
    planIds: vehicle === 'textbook',
  });
  const o = await clock.run(
    new MissionUpload({
      endpoint: gcs,
      clock,
      target: { systemId: 1, componentId: 1 },
      missionType: 'mission',
      items,
    }).run(),
  );
  server.close();
  if (!o.ok) throw new Error(`${vehicle}: ${o.reason}`);
  return {
    elapsedMs: o.value.elapsedMs,
    restarts: o.value.restarts,
    itemSends: o.value.itemSends,
    acceptedBy: o.value.acceptedBy,
  };
}

async function lostFinalAck(): Promise<BenchResult> {
  const items = sampleMission(48); // 50 items
  const clean = await upload('ardupilot', items, false);
  const figures: BenchResult['figures'] = { items: items.length, cleanMs: clean.elapsedMs };
  const notes: string[] = [];
  for (const v of ['textbook', 'ardupilot', 'ardupilot-silent'] as const) {
    const r = await upload(v, items, true);
    figures[`${v}LostAckMs`] = r.elapsedMs;
    figures[`${v}ExtraMs`] = r.elapsedMs - clean.elapsedMs;
    notes.push(
      `${v}: accepted by ${r.acceptedBy}, ${r.restarts} restarts, ${r.itemSends} item sends for ${items.length} items`,
    );
  }
  // The cost before the read-back: 5 ack timeouts, then the whole transfer again.
  figures.beforeEstimateMs = clean.elapsedMs + 5 * 1500 + clean.elapsedMs;
  return { figures, notes };
}

const benchmarks: Benchmark[] = [{ group: 'bridge', name: 'lost-final-ack', run: lostFinalAck }];
export default benchmarks;
