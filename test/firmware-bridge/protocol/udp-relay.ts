/**
 * A UDP relay between the service and a vehicle that drops chosen frames on the wire: the lossy
 * radio of the failure-matrix tests, but deterministic (a predicate decides, not a random draw).
 * Datagrams are parsed with the bridge's parser; kept frames are forwarded byte for byte.
 */
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { parseFrames } from '../../../firmware-bridge/index';
import type { MessageRegistry, ReceivedFrame } from '../../../firmware-bridge/index';

export interface UdpRelayOptions {
  /** The vehicle's UDP port on 127.0.0.1. */
  vehiclePort: number;
  registry: MessageRegistry;
  /** Return true to drop a frame going from the vehicle to the service. */
  dropToService?: (frame: ReceivedFrame) => boolean;
  /** Return true to drop a frame going from the service to the vehicle. */
  dropToVehicle?: (frame: ReceivedFrame) => boolean;
}

export interface UdpRelay {
  /** What the service connects to. */
  url: string;
  /** Names of the frames dropped, in order, prefixed with their direction (`→service` / `→vehicle`). */
  dropped: string[];
  close(): Promise<void>;
}

function bind(): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

/**
 * @example
 * const relay = await startUdpRelay({ vehiclePort, registry, dropToService: (f) => f.name === 'MISSION_ACK' });
 * const link = new MavLink({ transport: relay.url });
 */
export async function startUdpRelay(options: UdpRelayOptions): Promise<UdpRelay> {
  const serviceSide = await bind();
  const vehicleSide = await bind();
  const dropped: string[] = [];
  let service: RemoteInfo | undefined;
  const filter = (
    datagram: Buffer,
    drop: ((f: ReceivedFrame) => boolean) | undefined,
    tag: string,
  ): Buffer | undefined => {
    if (!drop) return datagram;
    const { frames } = parseFrames(datagram, options.registry, Date.now());
    const kept = frames.filter((f) => {
      if (!drop(f)) return true;
      dropped.push(`${tag}${f.name}`);
      return false;
    });
    if (kept.length === frames.length) return datagram;
    return kept.length ? Buffer.concat(kept.map((f) => Buffer.from(f.raw))) : undefined;
  };
  serviceSide.on('message', (msg, rinfo) => {
    service = rinfo;
    const out = filter(msg, options.dropToVehicle, '→vehicle ');
    if (out) vehicleSide.send(out, options.vehiclePort, '127.0.0.1');
  });
  vehicleSide.on('message', (msg) => {
    const out = filter(msg, options.dropToService, '→service ');
    if (out && service) serviceSide.send(out, service.port, service.address);
  });
  const close = (s: Socket): Promise<void> => new Promise((r) => s.close(() => r()));
  return {
    url: `udpout://127.0.0.1:${serviceSide.address().port}`,
    dropped,
    close: async () => {
      await Promise.all([close(serviceSide), close(vehicleSide)]);
    },
  };
}
