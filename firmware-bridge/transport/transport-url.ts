/**
 * MAVSDK-style connection URLs.
 *
 * | URL | meaning |
 * | --- | --- |
 * | `serial:///dev/ttyUSB0:57600` | serial device at any baud (default 57600) |
 * | `udpin://0.0.0.0:14550` | listen; reply to each system at its own address (`udp://` alias) |
 * | `udpout://10.0.0.5:14550` | send to a fixed peer; accept replies |
 * | `tcp://127.0.0.1:5760` | TCP client (ArduPilot SITL's port), reconnecting |
 */
import { TransportError } from './transport';

/** A parsed transport URL. */
export type TransportUrl =
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'udpin'; host: string; port: number }
  | { kind: 'udpout'; host: string; port: number }
  | { kind: 'tcp'; host: string; port: number };

/** Baud rate when a serial URL names none (SiK radio default). */
export const DEFAULT_SERIAL_BAUD = 57_600;

function invalid(url: string, expected: string): TransportError {
  return new TransportError(
    'TRANSPORT_URL_INVALID',
    `${JSON.stringify(url)} is not a valid URL: expected ${expected}`,
  );
}

function hostPort(url: string, rest: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:/]*):(\d{1,5})$/.exec(rest);
  if (!m) throw invalid(url, 'HOST:PORT');
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw invalid(url, 'a port in 0..65535');
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/**
 * @example
 * parseTransportUrl('serial:///dev/ttyUSB0:921600'); // { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 921600 }
 * parseTransportUrl('udpin://0.0.0.0:14550'); // { kind: 'udpin', host: '0.0.0.0', port: 14550 }
 */
export function parseTransportUrl(url: string): TransportUrl {
  const m = /^([a-z]+):\/\/(.*)$/.exec(url);
  if (!m)
    throw invalid(
      url,
      'serial://PATH[:BAUD], udpin://HOST:PORT, udpout://HOST:PORT or tcp://HOST:PORT',
    );
  const scheme = m[1]!;
  const rest = m[2]!;
  switch (scheme) {
    case 'serial': {
      const sm = /^(.+?)(?::(\d+))?$/.exec(rest);
      if (!sm || sm[1] === undefined) throw invalid(url, 'serial://PATH[:BAUD]');
      const baudRate = sm[2] === undefined ? DEFAULT_SERIAL_BAUD : Number(sm[2]);
      if (!Number.isInteger(baudRate) || baudRate <= 0) throw invalid(url, 'a positive baud rate');
      return { kind: 'serial', path: sm[1], baudRate };
    }
    case 'udp':
    case 'udpin':
      return { kind: 'udpin', ...hostPort(url, rest) };
    case 'udpout':
      return { kind: 'udpout', ...hostPort(url, rest) };
    case 'tcp':
    case 'tcpout':
      return { kind: 'tcp', ...hostPort(url, rest) };
    default:
      throw invalid(url, 'scheme serial, udpin, udpout or tcp');
  }
}
