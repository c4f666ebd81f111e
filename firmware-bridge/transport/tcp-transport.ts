/** TCP client (ArduPilot SITL on 5760, mavlink-router, a dock gateway), reconnecting on drop. */
import { Socket } from 'node:net';
import { systemClock } from '../link/types';
import { ConnectingTransport, TransportError, type TransportOptions } from './transport';

/**
 * @example
 * const sitl = new TcpTransport('tcp://127.0.0.1:5760', '127.0.0.1', 5760, { openTimeoutMs: 10_000 });
 */
export class TcpTransport extends ConnectingTransport {
  readonly host: string;
  readonly port: number;
  #socket: Socket | undefined;
  /** Settles a connect attempt that `disconnect()` interrupts. */
  #abortConnect: (() => void) | undefined;

  constructor(url: string, host: string, port: number, options: TransportOptions = {}) {
    super(url, options.clock ?? systemClock, options);
    this.host = host;
    this.port = port;
  }

  protected connectOnce(): Promise<void> {
    const socket = new Socket();
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new TransportError(
            'TRANSPORT_NOT_OPEN',
            `cannot connect to ${this.host}:${this.port}: ${err.message}`,
            { cause: err },
          ),
        );
      };
      socket.once('error', onError);
      this.#abortConnect = () =>
        reject(new TransportError('TRANSPORT_CLOSED', `${this.url} was closed while connecting`));
      socket.connect(this.port, this.host, () => {
        this.#abortConnect = undefined;
        socket.off('error', onError);
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => this.emitData(chunk));
        let lastError: Error | undefined;
        socket.on('error', (err) => {
          lastError = err;
        });
        socket.on('close', () => {
          if (this.#socket === socket) {
            this.connectionLost(
              lastError ?? new Error(`${this.host}:${this.port} closed the connection`),
            );
          }
        });
        resolve();
      });
    });
  }

  protected disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#abortConnect?.();
    this.#abortConnect = undefined;
    if (socket) {
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.on('error', () => undefined);
      socket.destroy();
    }
    return Promise.resolve();
  }

  protected writeRaw(data: Buffer): Promise<number> {
    const socket = this.#socket;
    if (!socket)
      return Promise.reject(
        new TransportError('TRANSPORT_NOT_OPEN', `${this.url} is not connected`),
      );
    return new Promise((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve(data.length)));
    });
  }
}
