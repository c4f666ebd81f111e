/**
 * A test peer: two in-memory MavEndpoints joined through the real codec (encoder → bytes →
 * resynchronising parser), with optional seeded frame loss and latency on an injected clock.
 * Not a substitute for the real link: sockets tests use that.
 */
import type { MavLinkData } from 'node-mavlink';
import { FrameEncoder, FrameParser, createMessageRegistry } from '../../../firmware-bridge/index';
import type { Clock, MavEndpoint, ReceivedFrame } from '../../../firmware-bridge/index';
import type { MessageClass } from '../../../firmware-bridge/index';
import { seededRandom as mulberry32 } from '../../../missions/index';

export interface MemoryLinkOptions {
  clock: Clock;
  latencyMs?: number;
  /** Probability a frame is lost, each direction. */
  dropRate?: number;
  seed?: number;
  extra?: readonly MessageClass[];
  /** Loses the frames this returns true for (`from`: index of the sending side, 0 or 1). */
  drop?: (message: MavLinkData, from: 0 | 1) => boolean;
}

export interface MemoryEndpoint extends MavEndpoint {
  /** Frames this side sent, by message name. */
  sent: string[];
  sentMessages: MavLinkData[];
  /** Frames this side sent, encoded. */
  sentBytes: number;
}

export function createMemoryLink(
  a: { systemId: number; componentId: number },
  b: { systemId: number; componentId: number },
  options: MemoryLinkOptions,
): [MemoryEndpoint, MemoryEndpoint] {
  const registry = createMessageRegistry({ extra: options.extra ?? [] });
  const random = mulberry32(options.seed ?? 1);
  const make = (id: { systemId: number; componentId: number }) => {
    const listeners = new Set<(f: ReceivedFrame) => void>();
    const parser = new FrameParser({
      registry,
      onFrame: (f) => {
        for (const l of [...listeners]) l(f);
      },
    });
    const encoder = new FrameEncoder({
      registry,
      systemId: id.systemId,
      componentId: id.componentId,
    });
    return { id, listeners, parser, encoder };
  };
  const sides = [make(a), make(b)] as const;
  const endpoints = sides.map((side, i) => {
    const other = sides[1 - i]!;
    const ep: MemoryEndpoint = {
      systemId: side.id.systemId,
      componentId: side.id.componentId,
      sent: [],
      sentMessages: [],
      sentBytes: 0,
      send: (message) => {
        const bytes = side.encoder.encode(message);
        ep.sent.push((message.constructor as MessageClass).MSG_NAME);
        ep.sentMessages.push(message);
        ep.sentBytes += bytes.length;
        if ((options.dropRate ?? 0) > 0 && random() < (options.dropRate ?? 0))
          return Promise.resolve();
        if (options.drop?.(message, i as 0 | 1)) return Promise.resolve();
        options.clock.setTimeout(
          () => other.parser.push(bytes, options.clock.now()),
          options.latencyMs ?? 1,
        );
        return Promise.resolve();
      },
      subscribe: (listener) => {
        side.listeners.add(listener);
        return () => side.listeners.delete(listener);
      },
    };
    return ep;
  });
  return [endpoints[0]!, endpoints[1]!];
}
