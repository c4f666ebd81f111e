/**
 * UDP: `udpin` binds and answers every vehicle at its own address — it learns which address each
 * MAVLink system id speaks from (the sender id sits at a fixed offset of a frame's header), sends
 * a frame addressed to one system there, and a broadcast frame (HEARTBEAT, or target 0) to every
 * address heard; `udpout` sends to a fixed peer from an ephemeral port and accepts replies.
 *
 * Vehicles come and go (a drone powered off, a companion computer restarting on a new port), so
 * `udpin` forgets an address not heard for `peerTimeoutMs` on the injected clock, and keeps at
 * most `maxPeers` systems, forgetting the one heard least recently. Forgetting is done when the
 * table is read (on each write), so no timer runs.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { VEHICLE_LOST_AFTER_MS } from '../health/link-health';
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

/**
 * How long `udpin` keeps the address of a system it no longer hears: 4 × the silence after which
 * a vehicle counts as lost, so a vehicle that is merely lost (and may come back on the same port)
 * still gets our heartbeat for a while.
 */
export const UDP_PEER_TIMEOUT_MS = 4 * VEHICLE_LOST_AFTER_MS;
/** How many systems' addresses `udpin` keeps by default: every MAVLink system id (0–255). */
export const UDP_MAX_PEERS = 256;

/** An address and when it was last heard from (clock ms). */
interface Heard {
  peer: UdpPeer;
  heardAtMs: number;
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
  /** udpout: the fixed peer. */
  readonly #fixedPeer: UdpPeer | undefined;
  /** udpin: the last sender, framed or not. */
  #lastSender: Heard | undefined;
  /**
   * udpin: where each system id was last heard from, in the order last heard (each datagram moves
   * its system to the end), so the least recently heard come first.
   */
  readonly #bySystem = new Map<number, Heard>();
  readonly #peerTimeoutMs: number;
  readonly #maxPeers: number;
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
    if (mode === 'udpout') this.#fixedPeer = { address: host, port };
    const peerTimeoutMs = options.peerTimeoutMs ?? UDP_PEER_TIMEOUT_MS;
    if (!(peerTimeoutMs > 0))
      throw new RangeError(
        `peerTimeoutMs must be a positive number of milliseconds, got ${peerTimeoutMs}`,
      );
    const maxPeers = options.maxPeers ?? UDP_MAX_PEERS;
    if (!Number.isInteger(maxPeers) || maxPeers < 1)
      throw new RangeError(`maxPeers must be a positive integer, got ${maxPeers}`);
    this.#peerTimeoutMs = peerTimeoutMs;
    this.#maxPeers = maxPeers;
  }

  /** The bound local address (useful with port 0), once open. */
  get localAddress(): { address: string; port: number } | undefined {
    const s = this.#socket;
    if (!s || this.state !== 'open') return undefined;
    const a = s.address();
    return { address: a.address, port: a.port };
  }

  /** The fixed peer (`udpout`) or the last sender (`udpin`, until forgotten). */
  get peer(): UdpPeer | undefined {
    if (this.mode === 'udpout') return this.#fixedPeer;
    this.#forgetSilent();
    return this.#lastSender?.peer;
  }

  /**
   * udpin: the address each MAVLink system id was last heard from (not yet forgotten), least
   * recently heard first. A snapshot: it does not change as datagrams arrive.
   */
  get peersBySystem(): ReadonlyMap<number, UdpPeer> {
    this.#forgetSilent();
    return new Map([...this.#bySystem].map(([id, h]) => [id, h.peer]));
  }

  /** udpin: remembers where `systemId` (if the datagram had a frame header) speaks from. */
  #heard(from: UdpPeer, systemId: number | undefined): void {
    const heardAtMs = this.clock.now();
    this.#lastSender = { peer: from, heardAtMs };
    if (systemId === undefined) return;
    this.#bySystem.delete(systemId);
    this.#bySystem.set(systemId, { peer: from, heardAtMs });
    for (const id of this.#bySystem.keys()) {
      if (this.#bySystem.size <= this.#maxPeers) break;
      this.#bySystem.delete(id);
      this.stats.peersForgotten++;
    }
  }

  /** udpin: forgets every address not heard for longer than `peerTimeoutMs`. */
  #forgetSilent(): void {
    const oldestKeptMs = this.clock.now() - this.#peerTimeoutMs;
    // Least recently heard first: stop at the first one still fresh. (A wall clock stepped back
    // can leave a silent one behind a fresher one for a while; it goes once the order catches up.)
    for (const [id, h] of this.#bySystem) {
      if (h.heardAtMs >= oldestKeptMs) break;
      this.#bySystem.delete(id);
      this.stats.peersForgotten++;
    }
    if (this.#lastSender && this.#lastSender.heardAtMs < oldestKeptMs) this.#lastSender = undefined;
  }

  /** Where one write goes: the addressed system's own address, else every address heard. */
  #destinations(options: WriteOptions | undefined): UdpPeer[] {
    if (this.mode === 'udpout') return this.#fixedPeer ? [this.#fixedPeer] : [];
    this.#forgetSilent();
    const to = options?.toSystemId;
    if (to) {
      const known = this.#bySystem.get(to);
      if (known) return [known.peer];
    }
    const all: UdpPeer[] = [];
    for (const { peer } of this.#bySystem.values())
      if (!all.some((a) => sameAddress(a, peer))) all.push(peer);
    // Senders whose datagrams did not start with a frame (a router batching bytes, noise) are
    // still answered: the last one is kept until it too falls silent.
    const last = this.#lastSender?.peer;
    if (last && !all.some((a) => sameAddress(a, last))) all.push(last);
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
          if (this.mode === 'udpin')
            this.#heard({ address: rinfo.address, port: rinfo.port }, senderSystemId(msg));
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
      // udpin before any peer spoke (or after all were forgotten): nowhere to send. Counted, not
      // an error (MAVSDK drops too).
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
