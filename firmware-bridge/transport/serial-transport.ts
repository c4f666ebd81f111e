/**
 * Serial lines (dock controllers, telemetry radios) via serialport, any baud. When the device
 * vanishes (USB adapter unplugged, pty closed) the port reports a read error; we close it and
 * reopen the same path with backoff until it returns.
 */
import { SerialPort } from 'serialport';
import { systemClock } from '../link/types';
import { ConnectingTransport, TransportError, type TransportOptions } from './transport';

/**
 * @example
 * const dock = new SerialTransport('serial:///dev/ttyUSB0:57600', '/dev/ttyUSB0', 57600);
 */
export class SerialTransport extends ConnectingTransport {
  readonly path: string;
  readonly baudRate: number;
  #port: SerialPort | undefined;

  constructor(url: string, path: string, baudRate: number, options: TransportOptions = {}) {
    super(url, options.clock ?? systemClock, options);
    this.path = path;
    this.baudRate = baudRate;
  }

  protected connectOnce(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    this.#port = port;
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(
            new TransportError('TRANSPORT_NOT_OPEN', `cannot open ${this.path}: ${err.message}`, {
              cause: err,
            }),
          );
          return;
        }
        if (this.#port !== port) {
          // close() ran while the device was opening: release it instead of leaking the fd.
          port.close(() =>
            reject(new TransportError('TRANSPORT_CLOSED', `${this.url} was closed while opening`)),
          );
          return;
        }
        port.on('data', (chunk: Buffer) => this.emitData(chunk));
        port.on('close', (cause: Error | null) => {
          if (this.#port === port) this.connectionLost(cause ?? new Error(`${this.path} closed`));
        });
        port.on('error', (cause: Error) => {
          if (this.#port === port) this.connectionLost(cause);
        });
        // Some drivers report a hang-up as end-of-file rather than an error.
        port.on('end', () => {
          if (this.#port === port)
            this.connectionLost(new Error(`${this.path} reached end of file`));
        });
        resolve();
      });
    });
  }

  protected disconnect(): Promise<void> {
    const port = this.#port;
    this.#port = undefined;
    if (!port) return Promise.resolve();
    port.removeAllListeners('data');
    port.removeAllListeners('close');
    port.removeAllListeners('end');
    // A late error on a port being dropped is expected (e.g. EIO after hang-up); keep a listener
    // so it is not thrown as an unhandled 'error' event.
    port.removeAllListeners('error');
    port.on('error', () => undefined);
    if (!port.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      port.close(() => resolve());
    });
  }

  protected writeRaw(data: Buffer): Promise<number> {
    const port = this.#port;
    if (!port)
      return Promise.reject(new TransportError('TRANSPORT_NOT_OPEN', `${this.path} is not open`));
    return new Promise((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : resolve(data.length)));
    });
  }
}
