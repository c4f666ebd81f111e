/**
 * UDP: `udpin` binds and replies to the last sender (MAVSDK's behaviour for one vehicle per port);
 * `udpout` sends to a fixed peer from an ephemeral port and accepts replies.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { systemClock } from '../link/types';
import { ConnectingTransport, TransportError, type TransportOptions } from './transport';

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
  #peer: { address: string; port: number } | undefined;
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

  /** Where writes go: the fixed peer (`udpout`) or the last sender (`udpin`). */
  get peer(): { address: string; port: number } | undefined {
    return this.#peer;
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
          if (this.mode === 'udpin') this.#peer = { address: rinfo.address, port: rinfo.port };
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

  protected writeRaw(data: Buffer): Promise<number> {
    const socket = this.#socket;
    if (!socket)
      return Promise.reject(new TransportError('TRANSPORT_NOT_OPEN', `${this.url} is not bound`));
    const peer = this.#peer;
    if (!peer) {
      // udpin before any peer spoke: nowhere to send. Counted, not an error (MAVSDK drops too).
      this.stats.writesWithoutPeer++;
      return Promise.resolve(0);
    }
    return new Promise((resolve, reject) => {
      socket.send(data, peer.port, peer.address, (err) =>
        err ? reject(err) : resolve(data.length),
      );
    });
  }
}
