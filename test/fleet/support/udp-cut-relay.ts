import { createSocket, type RemoteInfo } from 'node:dgram';

/**
 * A loopback UDP relay between the service and a simulated vehicle that can cut the link (drop
 * every datagram both ways) and restore it: real link loss on real sockets.
 */
export interface UdpCutRelay {
  /** What the service connects to instead of the vehicle's own URL. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startUdpCutRelay(vehicleUrl: string): Promise<UdpCutRelay> {
  const m = /^udpout:\/\/([^:]+):(\d+)$/.exec(vehicleUrl);
  if (!m) throw new Error(`relay needs a udpout:// vehicle URL, got ${vehicleUrl}`);
  const vehicle = { host: m[1]!, port: Number(m[2]) };
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  let service: RemoteInfo | null = null;
  let open = true;
  front.on('message', (msg, from) => {
    service = from;
    if (open) back.send(msg, vehicle.port, vehicle.host);
  });
  back.on('message', (msg) => {
    if (open && service) front.send(msg, service.port, service.address);
  });
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', r));
  return {
    url: `udpout://127.0.0.1:${front.address().port}`,
    cut: () => {
      open = false;
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      await Promise.all([
        new Promise<void>((r) => front.close(() => r())),
        new Promise<void>((r) => back.close(() => r())),
      ]);
    },
  };
}
