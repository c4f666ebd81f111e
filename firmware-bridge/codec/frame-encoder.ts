/**
 * Serialises messages into MAVLink frames for one local identity (system id, component id).
 * MAVLink 2 by default (node-mavlink's `send()` defaults to v1), with the spec's payload
 * zero-trimming, and a sequence counter that belongs to this encoder, never to the module.
 */
import type { MavLinkData } from 'node-mavlink';
import { frameCrc } from './crc';
import {
  HEADER_LENGTH_V1,
  HEADER_LENGTH_V2,
  IFLAG_SIGNED,
  MAGIC_V1,
  MAGIC_V2,
  SIGNATURE_LENGTH,
} from './frame-parser';
import type { MessageRegistry } from './message-registry';

/** Fills the 13 signature bytes of an outgoing MAVLink 2 frame (see `signing/`). */
export interface FrameSigner {
  /** `frame[0, signatureOffset)` is header + payload + CRC; write 13 bytes at `signatureOffset`. */
  signInto(frame: Buffer, signatureOffset: number): void;
}

/** The local identity and wire format of a {@link FrameEncoder}. */
export interface FrameEncoderOptions {
  registry: MessageRegistry;
  /** 1..255; 255 is the usual ground-station id. */
  systemId: number;
  /** 0..255; 190 is MAV_COMP_ID_MISSIONPLANNER, the usual ground-station component. */
  componentId: number;
  /** Wire protocol, 2 unless the peer only speaks MAVLink 1. */
  protocol?: 1 | 2;
  /** When set, every frame is signed (MAVLink 2 only). */
  signer?: FrameSigner;
}

function checkId(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 255) {
    throw new RangeError(`${what} ${value} is not an integer in ${min}..255`);
  }
}

/**
 * @example
 * const encoder = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
 * socket.send(encoder.encode(heartbeat));
 */
export class FrameEncoder {
  readonly systemId: number;
  readonly componentId: number;
  readonly protocol: 1 | 2;
  readonly #registry: MessageRegistry;
  readonly #signer: FrameSigner | undefined;
  #seq = 0;

  constructor(options: FrameEncoderOptions) {
    checkId(options.systemId, 'systemId', 1);
    checkId(options.componentId, 'componentId', 0);
    this.systemId = options.systemId;
    this.componentId = options.componentId;
    this.protocol = options.protocol ?? 2;
    this.#registry = options.registry;
    this.#signer = options.signer;
    if (this.#signer && this.protocol !== 2)
      throw new Error('signing needs MAVLink 2 (protocol: 2)');
  }

  /** The sequence number the next frame will carry (0..255, wrapping). */
  get nextSeq(): number {
    return this.#seq;
  }

  /** Serialises one message into a complete frame (signed when a signer is configured). */
  encode(message: MavLinkData): Buffer {
    const def = this.#registry.forMessage(message);
    const seq = this.#seq;
    this.#seq = (seq + 1) & 0xff;
    if (this.protocol === 1) {
      if (def.id > 255)
        throw new RangeError(`${def.name} (id ${def.id}) cannot be sent as MAVLink 1`);
      const len = def.baseLength;
      const frame = Buffer.alloc(HEADER_LENGTH_V1 + len + 2);
      frame[0] = MAGIC_V1;
      frame[1] = len;
      frame[2] = seq;
      frame[3] = this.systemId;
      frame[4] = this.componentId;
      frame[5] = def.id;
      def.encode(message, frame, HEADER_LENGTH_V1, true);
      frame.writeUInt16LE(
        frameCrc(frame, 1, HEADER_LENGTH_V1 + len, def.crcExtra),
        HEADER_LENGTH_V1 + len,
      );
      return frame;
    }
    const signer = this.#signer;
    const work = Buffer.alloc(HEADER_LENGTH_V2 + def.payloadLength + 2 + SIGNATURE_LENGTH);
    def.encode(message, work, HEADER_LENGTH_V2, false);
    // MAVLink 2 drops trailing zero bytes of the payload, but always keeps the first byte.
    let len = def.payloadLength;
    while (len > 1 && work[HEADER_LENGTH_V2 + len - 1] === 0) len--;
    const crcAt = HEADER_LENGTH_V2 + len;
    const total = crcAt + 2 + (signer ? SIGNATURE_LENGTH : 0);
    const frame = work.subarray(0, total);
    frame[0] = MAGIC_V2;
    frame[1] = len;
    frame[2] = signer ? IFLAG_SIGNED : 0;
    frame[3] = 0;
    frame[4] = seq;
    frame[5] = this.systemId;
    frame[6] = this.componentId;
    frame[7] = def.id & 0xff;
    frame[8] = (def.id >>> 8) & 0xff;
    frame[9] = (def.id >>> 16) & 0xff;
    frame.writeUInt16LE(frameCrc(frame, 1, crcAt, def.crcExtra), crcAt);
    if (signer) signer.signInto(frame, crcAt + 2);
    return frame;
  }
}
