/**
 * Two in-process {@link Transport}s joined back to back: what one writes, the other receives.
 * The simulator uses it for the radio between a drone and its dock inside one process.
 */
import type {
  StateChange,
  Transport,
  TransportState,
  TransportStats,
} from '../transport/transport';
import { TransportError } from '../transport/transport';

class PipeEnd implements Transport {
  readonly url: string;
  state: TransportState = 'idle';
  readonly stats: TransportStats = {
    bytesIn: 0,
    bytesOut: 0,
    chunksIn: 0,
    writes: 0,
    writeErrors: 0,
    writesWithoutPeer: 0,
    peersForgotten: 0,
    connects: 0,
    disconnects: 0,
  };
  peer: PipeEnd | undefined;
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly stateListeners = new Set<(c: StateChange) => void>();

  constructor(url: string) {
    this.url = url;
  }

  open(): Promise<void> {
    if (this.state === 'closed')
      return Promise.reject(new TransportError('TRANSPORT_CLOSED', `${this.url} is closed`));
    this.setState('open');
    this.stats.connects++;
    return Promise.resolve();
  }

  write(data: Buffer): Promise<void> {
    if (this.state !== 'open') {
      this.stats.writeErrors++;
      return Promise.reject(
        new TransportError('TRANSPORT_NOT_OPEN', `${this.url} is ${this.state}`),
      );
    }
    this.stats.writes++;
    this.stats.bytesOut += data.length;
    const peer = this.peer;
    const copy = Buffer.from(data);
    setImmediate(() => peer?.receive(copy));
    return Promise.resolve();
  }

  receive(chunk: Buffer): void {
    if (this.state !== 'open') return;
    this.stats.bytesIn += chunk.length;
    this.stats.chunksIn++;
    for (const l of this.dataListeners) l(chunk);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onStateChange(listener: (c: StateChange) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): Promise<void> {
    this.setState('closed');
    return Promise.resolve();
  }

  private setState(state: TransportState): void {
    this.state = state;
    for (const l of this.stateListeners) l({ state });
  }
}

/**
 * @example
 * const [droneSide, dockSide] = createPipePair('drone-1');
 */
export function createPipePair(name = 'pipe'): [Transport, Transport] {
  const a = new PipeEnd(`pipe://${name}/a`);
  const b = new PipeEnd(`pipe://${name}/b`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
