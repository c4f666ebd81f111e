import { SerialTransport } from './serial-transport';
import { TcpTransport } from './tcp-transport';
import type { Transport, TransportOptions } from './transport';
import { parseTransportUrl } from './transport-url';
import { UdpTransport } from './udp-transport';

/**
 * Builds the transport a MAVSDK-style URL names (not yet opened).
 *
 * @example
 * const t = createTransport('serial:///dev/ttyUSB0:57600');
 * await t.open();
 */
export function createTransport(url: string, options: TransportOptions = {}): Transport {
  const parsed = parseTransportUrl(url);
  switch (parsed.kind) {
    case 'serial':
      return new SerialTransport(url, parsed.path, parsed.baudRate, options);
    case 'udpin':
    case 'udpout':
      return new UdpTransport(url, parsed.kind, parsed.host, parsed.port, options);
    case 'tcp':
      return new TcpTransport(url, parsed.host, parsed.port, options);
  }
}
