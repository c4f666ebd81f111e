/**
 * Test-side addition to the simulator's mission server: what real ArduPilot answers to a mission
 * item that arrives when it is not receiving an upload — MISSION_ACK with MAV_MISSION_ERROR
 * (GCS_MAVLINK::handle_mission_item, libraries/GCS_MAVLink/GCS_Common.cpp: `if
 * (!prot->receiving) send_mission_ack(msg, type, MAV_MISSION_ERROR)`). The simulator's ArduPilot
 * profile stays silent there instead; with this attached, a vehicle behaves like the real one.
 */
import { common } from 'node-mavlink';
import type { MavEndpoint, MissionServer } from '../../../firmware-bridge/index';

/**
 * Attach BEFORE creating the server: listeners run in subscription order, so this one sees the
 * server's state before the item (an item that completes an upload is not a late one).
 *
 * @example
 * let server: MissionServer | undefined;
 * answerLateItemsWithError(vehicleEndpoint, () => server);
 * server = new MissionServer({ endpoint: vehicleEndpoint, clock, requestNotInt: true });
 */
export function answerLateItemsWithError(
  vehicle: MavEndpoint,
  server: () => MissionServer | undefined,
): () => void {
  return vehicle.subscribe((f) => {
    const m = f.message;
    if (!(m instanceof common.MissionItemInt) || m.targetSystem !== vehicle.systemId) return;
    if (server()?.transferInProgress !== false) return;
    const ack = new common.MissionAck();
    ack.targetSystem = f.systemId;
    ack.targetComponent = f.componentId;
    ack.type = common.MavMissionResult.ERROR;
    ack.missionType = m.missionType ?? 0;
    void vehicle.send(ack).catch((err: unknown) => process.emitWarning(String(err)));
  });
}
