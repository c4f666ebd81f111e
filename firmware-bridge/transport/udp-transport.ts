/**
 * UDP: `udpin` binds and answers every vehicle at its own address — it learns which address each
 * MAVLink system id speaks from (the sender id sits at a fixed offset of a frame's header), sends
 * a frame addressed to one system there, and a broadcast frame (HEARTBEAT, or target 0) to every
 * address heard; `udpout` sends to a fixed peer from an ephemeral port and accepts replies.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { systemClock } from '../link/types';
import {
  ConnectingTransport,
  TransportError,
  type TransportOptions,
  type WriteOptions,
} from './transport';

/** An address a peer speaks from. */
export interface UdpPeer {
  address: string;
  port: number;
}

const MAGIC_V2 = 0xfd;
const MAGIC_V1 = 0xfe;

/**
 * The sender's system id of the first MAVLink frame in a datagram, if it starts with one
 * (MAVLink 2: byte 5; MAVLink 1: byte 3).
 *
 * @example
 * senderSystemId(Buffer.from([0xfd, 9, 0, 0, 0, 42, 1, 0, 0, 0])); // 42
 */
export function senderSystemId(datagram: Buffer): number | undefined {
  if (datagram[0] === MAGIC_V2 && datagram.length >= 10) return datagram[5];
  if (datagram[0] === MAGIC_V1 && datagram.length >= 6) return datagram[3];
  return undefined;
}

const sameAddress = (a: UdpPeer, b: UdpPeer): boolean =>
  a.port === b.port && a.address === b.address;

/**
 * @example
 * const listen = new UdpTransport('udpin://0.0.0.0:0', 'udpin', '0.0.0.0', 0);
 * await listen.open();
 * listen.localAddress?.port; // the port the OS picked
 */
export class UdpTransport extends ConnectingTransport {
  readonly mode: 'udpin' | 'udpout';
  readonly host: string;
  readonly port: number;
  #socket: Socket | undefined;
  #peer: UdpPeer | undefined;
  /** udpin: where each system id was last heard from. */
  readonly #bySystem = new Map<number, UdpPeer>();
  /** Settles a bind that `disconnect()` interrupts. */
  #abortBind: (() => void) | undefined;

  constructor(
    url: string,
    mode: 'udpin' | 'udpout',
    host: string,
    port: number,
    options: TransportOptions = {},
  ) {
    super(url, options.clock ?? systemClock, options);
    this.mode = mode;
    this.host = host;
    this.port = port;
    if (mode === 'udpout') this.#peer = { address: host, port };
  }

  /** The bound local address (useful with port 0), once open. */
  get localAddress(): { address: string; port: number } | undefined {
    const s = this.#socket;
    if (!s || this.state !== 'open') return undefined;
    const a = s.address();
    return { address: a.address, port: a.port };
  }

  /** The fixed peer (`udpout`) or the last sender (`udpin`). */
  get peer(): UdpPeer | undefined {
    return this.#peer;
  }

  /** udpin: the address each MAVLink system id was last heard from. */
  get peersBySystem(): ReadonlyMap<number, UdpPeer> {
    return this.#bySystem;
  }

  /** Where one write goes: the addressed system's own address, else every address heard. */
  #destinations(options: WriteOptions | undefined): UdpPeer[] {
    if (this.mode === 'udpout') return this.#peer ? [this.#peer] : [];
    const to = options?.toSystemId;
    if (to) {
      const known = this.#bySystem.get(to);
      if (known) return [known];
    }
    const all: UdpPeer[] = [];
    for (const p of this.#bySystem.values()) if (!all.some((a) => sameAddress(a, p))) all.push(p);
    // Senders whose datagrams did not start with a frame (a router batching bytes, noise) are
    // still answered: the last one is kept as before.
    if (this.#peer && !all.some((a) => sameAddress(a, this.#peer!))) all.push(this.#peer);
    return all;
  }

  protected connectOnce(): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new TransportError('TRANSPORT_NOT_OPEN', `cannot bind ${this.url}: ${err.message}`, {
            cause: err,
          }),
        );
      };
      socket.once('error', onError);
      this.#abortBind = () =>
        reject(new TransportError('TRANSPORT_CLOSED', `${this.url} was closed while binding`));
      const onBound = (): void => {
        this.#abortBind = undefined;
        socket.off('error', onError);
        socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
          if (this.mode === 'udpin') {
            const from = { address: rinfo.address, port: rinfo.port };
            this.#peer = from;
            const systemId = senderSystemId(msg);
            if (systemId !== undefined) this.#bySystem.set(systemId, from);
          }
          this.emitData(msg);
        });
        socket.on('error', (err) => this.connectionLost(err));
        resolve();
      };
      if (this.mode === 'udpin') socket.bind(this.port, this.host, onBound);
      else socket.bind(0, onBound);
    });
  }

  protected disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#abortBind?.();
    this.#abortBind = undefined;
    if (!socket) return Promise.resolve();
    socket.removeAllListeners('message');
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    return new Promise((resolve) => {
      try {
        socket.close(() => resolve());
      } catch (err) {
        // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
        if ((err as NodeJS.ErrnoException).code !== 'ERR_SOCKET_DGRAM_NOT_RUNNING') throw err;
        resolve();
      }
    });
  }

  protected async writeRaw(data: Buffer, options?: WriteOptions): Promise<number> {
    const socket = this.#socket;
    if (!socket) throw new TransportError('TRANSPORT_NOT_OPEN', `${this.url} is not bound`);
    const peers = this.#destinations(options);
    if (peers.length === 0) {
      // udpin before any peer spoke: nowhere to send. Counted, not an error (MAVSDK drops too).
      this.stats.writesWithoutPeer++;
      return 0;
    }
    let bytes = 0;
    for (const peer of peers) {
      bytes += await new Promise<number>((resolve, reject) => {
        socket.send(data, peer.port, peer.address, (err) =>
          err ? reject(err) : resolve(data.length),
        );
      });
    }
    return bytes;
  }
}
