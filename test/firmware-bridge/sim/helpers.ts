import { minimal } from 'node-mavlink';
import { DOCK_MESSAGES, MavLink, createMessageRegistry } from '../../../firmware-bridge/index';
import type { Clock, LinkEndpoint } from '../../../firmware-bridge/index';

/** The service side of a real link to a simulated vehicle, announcing itself as a GCS at 1 Hz. */
export async function connectService(
  url: string,
  clock: Clock,
): Promise<{ link: MavLink; gcs: LinkEndpoint; close: () => Promise<void> }> {
  const link = new MavLink({
    transport: url,
    registry: createMessageRegistry({ extra: DOCK_MESSAGES }),
    clock,
  });
  await link.open();
  const gcs = link.endpoint();
  const beat = (): void => {
    const h = new minimal.Heartbeat();
    h.type = 6; // MAV_TYPE_GCS
    h.autopilot = 8;
    h.baseMode = 0 as minimal.MavModeFlag;
    h.customMode = 0;
    h.systemStatus = 4;
    h.mavlinkVersion = 3;
    gcs.send(h).catch((err: unknown) => process.emitWarning(`test GCS heartbeat: ${String(err)}`));
  };
  beat();
  const timer = setInterval(beat, 100);
  return {
    link,
    gcs,
    close: async () => {
      clearInterval(timer);
      await link.close();
    },
  };
}
