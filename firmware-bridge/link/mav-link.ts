/**
 * A MAVLink link: one transport, one parser, any number of local identities (endpoints), routing
 * of received frames by remote system id, an optional allow-list, optional signing and recording.
 *
 * One link may carry several remote systems: a dock controller on a serial line is its own system
 * and forwards its drone's frames on the same line; subscribers pick them apart by system id.
 */
import type { MavLinkData } from 'node-mavlink';
import { FrameEncoder } from '../codec/frame-encoder';
import { FrameParser, type ParserStats } from '../codec/frame-parser';
import { createMessageRegistry, type MessageRegistry } from '../codec/message-registry';
import type { LinkSigning, SignatureCheck } from '../signing/link-signing';
import { createTransport } from '../transport/create-transport';
import type {
  Transport,
  TransportOptions,
  TransportStats,
  WriteOptions,
} from '../transport/transport';
import { systemClock, type Clock, type MavEndpoint, type ReceivedFrame } from './types';

/** Ground-station defaults: system 255, component 190 (MAV_COMP_ID_MISSIONPLANNER). */
export const GCS_SYSTEM_ID = 255;
export const GCS_COMPONENT_ID = 190;

/** Anything that records raw frames with a time (a {@link TlogWriter} does). */
export interface FrameRecorder {
  record(raw: Buffer, atMs: number): void;
}

/** How a {@link MavLink} is built; only `transport` is required. */
export interface MavLinkOptions {
  /** A transport, or a MAVSDK-style URL to create one from. */
  transport: Transport | string;
  /** Options for the transport created from a URL. */
  transportOptions?: TransportOptions;
  /** Messages this link understands (default: {@link createMessageRegistry}). */
  registry?: MessageRegistry;
  clock?: Clock;
  /** Remote system ids accepted; frames from any other are counted and dropped. Default: all. */
  allowSystemIds?: readonly number[];
  /** MAVLink 2 signing; when set, unsigned and badly signed frames are dropped. */
  signing?: LinkSigning;
  /** Records every accepted frame in both directions (e.g. a {@link TlogWriter}). */
  recorder?: FrameRecorder;
  /** Outgoing wire protocol (default 2). */
  protocol?: 1 | 2;
  /**
   * Where exceptions thrown by subscribers or by the recorder go (default: `process.emitWarning`).
   * Delivery continues either way.
   */
  onListenerError?: (error: Error, frame: ReceivedFrame | undefined) => void;
}

/** A local identity (defaults: the ground station 255/190) and an optional remote filter. */
export interface EndpointOptions {
  /** Our system id on this link (default 255). */
  systemId?: number;
  /** Our component id (default 190). */
  componentId?: number;
  /** Only deliver frames from this remote system to `subscribe` listeners. */
  remoteSystemId?: number;
}

/** Link-level counters (a snapshot). */
export interface LinkStats {
  framesIn: number;
  framesOut: number;
  /** Frames from a system outside `allowSystemIds`. */
  droppedNotAllowed: number;
  /** Frames the signing check refused, by reason. */
  droppedSigning: Record<Exclude<SignatureCheck, 'ok' | 'unsigned-accepted'>, number>;
  /** Sequence gaps seen per remote component (an estimate of frames lost on the way in). */
  lostFramesEstimate: number;
  sendErrors: number;
  listenerErrors: number;
  /** Frames the recorder failed to take (e.g. the tlog's disk is full). */
  recorderErrors: number;
  /** Writes handed to the transport that have not completed yet. */
  pendingWrites: number;
  parser: ParserStats;
  transport: TransportStats;
}

/** Per remote system counters, for fleet views and link-quality displays. */
export interface RemoteSystemStats {
  systemId: number;
  framesIn: number;
  /** Sequence gaps summed over the system's components. */
  lostFramesEstimate: number;
  lastFrameAtMs: number;
}

type Listener = (frame: ReceivedFrame) => void;

/**
 * @example
 * const link = new MavLink({ transport: 'udpin://0.0.0.0:14550', allowSystemIds: [1, 10] });
 * await link.open();
 * const gcs = link.endpoint({ remoteSystemId: 1 });
 * gcs.subscribe((f) => f.name === 'HEARTBEAT' && console.log('drone alive'));
 * await gcs.send(heartbeat);
 */
export class MavLink {
  readonly transport: Transport;
  readonly registry: MessageRegistry;
  readonly clock: Clock;
  readonly signing: LinkSigning | undefined;
  readonly #parser: FrameParser;
  readonly #allow: ReadonlySet<number> | undefined;
  readonly #recorder: FrameRecorder | undefined;
  readonly #protocol: 1 | 2;
  readonly #onListenerError: (error: Error, frame: ReceivedFrame | undefined) => void;
  readonly #all = new Set<Listener>();
  readonly #bySystem = new Map<number, Set<Listener>>();
  readonly #lastSeq = new Map<number, number>();
  readonly #systems = new Map<number, RemoteSystemStats>();
  /** Start time of every write handed to the transport and not finished yet, by write id. */
  readonly #pendingSince = new Map<number, number>();
  #writeId = 0;
  readonly #counters = {
    framesIn: 0,
    framesOut: 0,
    droppedNotAllowed: 0,
    lostFramesEstimate: 0,
    sendErrors: 0,
    listenerErrors: 0,
    recorderErrors: 0,
  };
  readonly #droppedSigning = { unsigned: 0, 'bad-signature': 0, replay: 0, stale: 0 };
  readonly #offData: () => void;

  constructor(options: MavLinkOptions) {
    this.clock = options.clock ?? systemClock;
    this.transport =
      typeof options.transport === 'string'
        ? createTransport(options.transport, { clock: this.clock, ...options.transportOptions })
        : options.transport;
    this.registry = options.registry ?? createMessageRegistry();
    this.signing = options.signing;
    this.#allow = options.allowSystemIds ? new Set(options.allowSystemIds) : undefined;
    this.#recorder = options.recorder;
    this.#protocol = options.protocol ?? 2;
    this.#onListenerError =
      options.onListenerError ??
      ((error, frame) =>
        process.emitWarning(error, {
          code: 'MAVLINK_LISTENER_ERROR',
          detail: frame ? `while handling ${frame.name}` : 'while sending',
        }));
    this.#parser = new FrameParser({ registry: this.registry, onFrame: (f) => this.#receive(f) });
    this.#offData = this.transport.onData((chunk) => this.#parser.push(chunk, this.clock.now()));
    // A partial frame from before a reconnect can never complete: drop it.
    this.transport.onStateChange((c) => c.state === 'open' && this.#parser.reset());
  }

  open(): Promise<void> {
    return this.transport.open();
  }

  async close(): Promise<void> {
    this.#offData();
    await this.transport.close();
  }

  /** A local identity on this link (its own sequence numbers). */
  endpoint(options: EndpointOptions = {}): LinkEndpoint {
    return new LinkEndpoint(this, options, this.#protocol);
  }

  /** All accepted frames, or only those from `filter.systemId`. Returns the unsubscribe function. */
  subscribe(listener: Listener, filter: { systemId?: number } = {}): () => void {
    if (filter.systemId === undefined) {
      this.#all.add(listener);
      return () => this.#all.delete(listener);
    }
    const id = filter.systemId;
    let set = this.#bySystem.get(id);
    if (!set) this.#bySystem.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#bySystem.delete(id);
    };
  }

  /**
   * Sends an already-encoded frame unchanged (a dock forwarding its drone's traffic, a replay).
   * Resolves when the transport took it.
   */
  async sendRaw(frame: Buffer, options?: WriteOptions): Promise<void> {
    const now = this.clock.now();
    if (this.#recorder) this.#record(frame, now, undefined);
    const id = this.#writeId++;
    this.#pendingSince.set(id, now);
    try {
      await this.transport.write(frame, options);
      this.#counters.framesOut++;
    } catch (err) {
      this.#counters.sendErrors++;
      throw err;
    } finally {
      this.#pendingSince.delete(id);
    }
  }

  /** Counters per remote system heard on this link (accepted frames only). */
  systems(): RemoteSystemStats[] {
    return [...this.#systems.values()].map((s) => ({ ...s }));
  }

  /** How long the oldest unfinished write has been waiting (0 when none): a wedged-path signal. */
  oldestPendingWriteAgeMs(): number {
    // Map iteration follows insertion order, so the first entry is the oldest unfinished write.
    const first = this.#pendingSince.values().next();
    return first.done ? 0 : this.clock.now() - first.value;
  }

  get stats(): LinkStats {
    return {
      ...this.#counters,
      droppedSigning: { ...this.#droppedSigning },
      pendingWrites: this.#pendingSince.size,
      parser: this.#parser.stats,
      transport: { ...this.transport.stats },
    };
  }

  #receive(frame: ReceivedFrame): void {
    if (this.#allow && !this.#allow.has(frame.systemId)) {
      this.#counters.droppedNotAllowed++;
      return;
    }
    if (this.signing) {
      const check = this.signing.verify(frame);
      if (check !== 'ok' && check !== 'unsigned-accepted') {
        this.#droppedSigning[check]++;
        return;
      }
    }
    this.#counters.framesIn++;
    const streamKey = (frame.systemId << 8) | frame.componentId;
    const last = this.#lastSeq.get(streamKey);
    const lost = last === undefined ? 0 : (frame.seq - last - 1 + 256) & 0xff;
    this.#counters.lostFramesEstimate += lost;
    this.#lastSeq.set(streamKey, frame.seq);
    let system = this.#systems.get(frame.systemId);
    if (!system) {
      system = { systemId: frame.systemId, framesIn: 0, lostFramesEstimate: 0, lastFrameAtMs: 0 };
      this.#systems.set(frame.systemId, system);
    }
    system.framesIn++;
    system.lostFramesEstimate += lost;
    system.lastFrameAtMs = frame.receivedAtMs;
    if (this.#recorder) this.#record(frame.raw, frame.receivedAtMs, frame);
    for (const l of this.#all) this.#deliver(l, frame);
    const set = this.#bySystem.get(frame.systemId);
    if (set) for (const l of set) this.#deliver(l, frame);
  }

  #record(raw: Buffer, atMs: number, frame: ReceivedFrame | undefined): void {
    try {
      this.#recorder!.record(raw, atMs);
    } catch (err) {
      // A failing recorder must not take the link down: count it, report it, keep flying.
      this.#counters.recorderErrors++;
      const error = new Error('recording a frame failed', { cause: err });
      this.#onListenerError(error, frame);
    }
  }

  #deliver(listener: Listener, frame: ReceivedFrame): void {
    try {
      listener(frame);
    } catch (err) {
      this.#counters.listenerErrors++;
      this.#onListenerError(err instanceof Error ? err : new Error(String(err)), frame);
    }
  }
}

/** One local MAVLink identity on a {@link MavLink}: what protocols and the simulator use. */
export class LinkEndpoint implements MavEndpoint {
  readonly systemId: number;
  readonly componentId: number;
  readonly remoteSystemId: number | undefined;
  readonly link: MavLink;
  readonly #encoder: FrameEncoder;

  constructor(link: MavLink, options: EndpointOptions, protocol: 1 | 2) {
    this.link = link;
    this.systemId = options.systemId ?? GCS_SYSTEM_ID;
    this.componentId = options.componentId ?? GCS_COMPONENT_ID;
    this.remoteSystemId = options.remoteSystemId;
    this.#encoder = new FrameEncoder({
      registry: link.registry,
      systemId: this.systemId,
      componentId: this.componentId,
      protocol,
      ...(link.signing ? { signer: link.signing } : {}),
    });
  }

  /**
   * Encodes (and signs) the message and writes it; resolves when the transport took it. The
   * message's `targetSystem` (when it has one) tells a `udpin://` transport whom to send it to.
   */
  send(message: MavLinkData): Promise<void> {
    const target = (message as { targetSystem?: unknown }).targetSystem;
    return this.link.sendRaw(
      this.#encoder.encode(message),
      typeof target === 'number' && target > 0 ? { toSystemId: target } : undefined,
    );
  }

  /** Frames from `remoteSystemId` (or all, when unset), except our own echoes. */
  subscribe(listener: (frame: ReceivedFrame) => void): () => void {
    const filtered = (f: ReceivedFrame): void => {
      if (f.systemId === this.systemId && f.componentId === this.componentId) return;
      listener(f);
    };
    return this.link.subscribe(
      filtered,
      this.remoteSystemId === undefined ? {} : { systemId: this.remoteSystemId },
    );
  }
}
