/**
 * Which MAVLink messages a link understands, and how to (de)serialise their payloads.
 *
 * Definitions (ids, names, CRC_EXTRA, field layout) come from node-mavlink's bundled
 * mavlink-mappings; this module only turns each class's `FIELDS` table into a pair of
 * straight-line reader/writer closures once, so the hot path does no type dispatch.
 */
import {
  ardupilotmega,
  common,
  icarous,
  minimal,
  standard,
  storm32,
  uavionix,
  type MavLinkData,
  type MavLinkDataConstructor,
  type MavLinkPacketField,
} from 'node-mavlink';

/** A node-mavlink data class (e.g. `common.GlobalPositionInt`). */
export type MessageClass = MavLinkDataConstructor<MavLinkData>;

type Writer = (source: Record<string, unknown>, buf: Buffer, base: number) => void;

/** Everything the codec needs about one message id, resolved once. */
export interface MessageDefinition {
  readonly id: number;
  /** The spec's name, e.g. `GLOBAL_POSITION_INT`. */
  readonly name: string;
  readonly crcExtra: number;
  /** Full payload length in bytes, extensions included (the MAVLink 2 maximum). */
  readonly payloadLength: number;
  /** Payload length without extension fields (what MAVLink 1 carries). */
  readonly baseLength: number;
  readonly clazz: MessageClass;
  /** Reads a payload that is at least `payloadLength` bytes long starting at `base`. */
  decode(buf: Buffer, base: number): MavLinkData;
  /** Writes all fields (or only base fields when `baseOnly`) into a zeroed `buf` at `base`. */
  encode(message: MavLinkData, buf: Buffer, base: number, baseOnly: boolean): void;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

type ScalarWrite = (buf: Buffer, value: number | bigint, off: number) => void;

const SCALARS: Record<string, { write: ScalarWrite }> = {
  int8_t: {
    write: (b, v, o) => b.writeInt8(Number(v), o),
  },
  uint8_t: {
    write: (b, v, o) => b.writeUInt8(Number(v) & 0xff, o),
  },
  int16_t: {
    write: (b, v, o) => b.writeInt16LE(Number(v), o),
  },
  uint16_t: {
    write: (b, v, o) => b.writeUInt16LE(Number(v) & 0xffff, o),
  },
  int32_t: {
    write: (b, v, o) => b.writeInt32LE(Number(v), o),
  },
  uint32_t: {
    write: (b, v, o) => b.writeUInt32LE(Number(v) >>> 0, o),
  },
  int64_t: {
    write: (b, v, o) => b.writeBigInt64LE(BigInt(v), o),
  },
  uint64_t: {
    write: (b, v, o) => b.writeBigUInt64LE(BigInt(v), o),
  },
  float: {
    write: (b, v, o) => b.writeFloatLE(Number(v), o),
  },
  double: {
    write: (b, v, o) => b.writeDoubleLE(Number(v), o),
  },
};

/**
 * mavlink-mappings initialises enum fields as `Enum[Object.keys(Enum)[0]]`, which for a numeric
 * TS enum is the *name* of its smallest member (e.g. `'NAV_WAYPOINT'`), not the number. Map each
 * such default name back to its number when every enum that could have produced it agrees.
 */
function buildEnumDefaults(modules: readonly object[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const mod of modules) {
    for (const value of Object.values(mod)) {
      if (value === null || typeof value !== 'object') continue;
      const keys = Object.keys(value);
      const first = keys[0];
      if (first === undefined || !/^-?\d+$/.test(first)) continue;
      const name = (value as Record<string, unknown>)[first];
      if (typeof name !== 'string') continue;
      const num = Number(first);
      const prev = out.get(name);
      out.set(name, prev === undefined || prev === num ? num : null);
    }
  }
  return out;
}

const DIALECT_MODULES = [
  minimal,
  standard,
  common,
  ardupilotmega,
  uavionix,
  icarous,
  storm32,
] as const;
const ENUM_DEFAULTS = buildEnumDefaults(DIALECT_MODULES);

function numericValue(value: unknown, msg: string, field: string): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const mapped = ENUM_DEFAULTS.get(value);
    if (mapped !== undefined && mapped !== null) return mapped;
  }
  if (value === undefined || value === null) return 0;
  throw new TypeError(
    `${msg}.${field} is ${JSON.stringify(value)}: expected a number (set enum fields explicitly)`,
  );
}

function compileField(field: MavLinkPacketField, msgName: string): { write: Writer; end: number } {
  const name = field.name;
  if (!IDENT.test(name))
    throw new Error(`${msgName}: field name ${JSON.stringify(name)} is not an identifier`);
  const off = field.offset;
  const count = field.length;
  const baseType = field.type.endsWith('[]') ? field.type.slice(0, -2) : field.type;
  const end = off + field.size * Math.max(1, count);

  if (baseType === 'uint8_t_mavlink_version') {
    // The C library always writes MAVLINK_VERSION (3) here, whatever the caller set.
    return {
      write: (_s, b, base) => {
        b[base + off] = 3;
      },
      end,
    };
  }
  if (baseType === 'char') {
    return {
      write: (s, b, base) => {
        const v = s[name];
        if (count === 0) {
          b[base + off] = typeof v === 'string' ? v.charCodeAt(0) & 0xff : Number(v ?? 0) & 0xff;
          return;
        }
        const text = typeof v === 'string' ? v : '';
        const n = Math.min(count, text.length);
        for (let i = 0; i < n; i++) b[base + off + i] = text.charCodeAt(i) & 0xff;
      },
      end,
    };
  }
  const scalar = SCALARS[baseType];
  if (!scalar) throw new Error(`${msgName}.${name}: unsupported field type ${field.type}`);
  const { write } = scalar;
  if (count === 0) {
    return {
      write: (s, b, base) => {
        write(b, numericValue(s[name], msgName, name), base + off);
      },
      end,
    };
  }
  const size = field.size;
  return {
    write: (s, b, base) => {
      const v = s[name];
      if (!Array.isArray(v)) return;
      const n = Math.min(count, v.length);
      for (let i = 0; i < n; i++)
        write(b, numericValue(v[i], msgName, name), base + off + i * size);
    },
    end,
  };
}

/**
 * Readers the generated decoders call. Unchecked (the parser guarantees the bytes exist) and small
 * enough for V8 to inline; Buffer#readInt32LE and friends re-validate every offset.
 */
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const READERS = {
  I8: (b: Buffer, o: number): number => (b[o]! << 24) >> 24,
  U8: (b: Buffer, o: number): number => b[o]!,
  I16: (b: Buffer, o: number): number => ((b[o]! | (b[o + 1]! << 8)) << 16) >> 16,
  U16: (b: Buffer, o: number): number => b[o]! | (b[o + 1]! << 8),
  I32: (b: Buffer, o: number): number =>
    b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24),
  U32: (b: Buffer, o: number): number =>
    (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0,
  I64: (b: Buffer, o: number): bigint => b.readBigInt64LE(o),
  U64: (b: Buffer, o: number): bigint => b.readBigUInt64LE(o),
  F32: LITTLE_ENDIAN_HOST
    ? (b: Buffer, o: number): number => {
        F32_BYTES[0] = b[o]!;
        F32_BYTES[1] = b[o + 1]!;
        F32_BYTES[2] = b[o + 2]!;
        F32_BYTES[3] = b[o + 3]!;
        return F32[0]!;
      }
    : (b: Buffer, o: number): number => b.readFloatLE(o),
  F64: LITTLE_ENDIAN_HOST
    ? (b: Buffer, o: number): number => {
        for (let i = 0; i < 8; i++) F64_BYTES[i] = b[o + i]!;
        return F64[0]!;
      }
    : (b: Buffer, o: number): number => b.readDoubleLE(o),
};

const READER_FOR_TYPE: Record<string, keyof typeof READERS> = {
  int8_t: 'I8',
  uint8_t: 'U8',
  int16_t: 'I16',
  uint16_t: 'U16',
  int32_t: 'I32',
  uint32_t: 'U32',
  int64_t: 'I64',
  uint64_t: 'U64',
  float: 'F32',
  double: 'F64',
  uint8_t_mavlink_version: 'U8',
};

function readString(b: Buffer, start: number, count: number): string {
  let stop = start;
  const limit = start + count;
  while (stop < limit && b[stop] !== 0) stop++;
  return b.toString('latin1', start, stop);
}

/**
 * Generates one straight-line decoder per message (as protobuf.js does): about 5x faster than a
 * closure per field. Only identifiers checked against IDENT, integer offsets and expressions from
 * the names of the closed READERS table enter the generated source; nothing comes from the wire.
 */
function compileDecoder(
  clazz: MessageClass,
  msgName: string,
): (buf: Buffer, base: number) => MavLinkData {
  const lines: string[] = ['const t = Object.create(P);'];
  for (const field of clazz.FIELDS) {
    if (!IDENT.test(field.name))
      throw new Error(`${msgName}: field name ${JSON.stringify(field.name)} is not an identifier`);
    const off = field.offset;
    const count = field.length;
    if (!Number.isInteger(off) || !Number.isInteger(count) || !Number.isInteger(field.size)) {
      throw new Error(`${msgName}.${field.name}: non-integer layout`);
    }
    const baseType = field.type.endsWith('[]') ? field.type.slice(0, -2) : field.type;
    if (baseType === 'char') {
      lines.push(
        count === 0
          ? `t.${field.name} = String.fromCharCode(b[base + ${off}]);`
          : `t.${field.name} = S(b, base + ${off}, ${count});`,
      );
      continue;
    }
    const reader = READER_FOR_TYPE[baseType];
    if (!reader) throw new Error(`${msgName}.${field.name}: unsupported field type ${field.type}`);
    if (count === 0) {
      lines.push(`t.${field.name} = ${reader}(b, base + ${off});`);
    } else {
      const items: string[] = [];
      for (let i = 0; i < count; i++) items.push(`${reader}(b, base + ${off + i * field.size})`);
      lines.push(`t.${field.name} = [${items.join(', ')}];`);
    }
  }
  lines.push('return t;');
  const factory = new Function(
    'P',
    'S',
    'R',
    `const { ${Object.keys(READERS).join(', ')} } = R;\nreturn function decode(b, base) {\n${lines.join('\n')}\n};`,
  ) as (
    proto: object,
    readStr: typeof readString,
    readers: typeof READERS,
  ) => (buf: Buffer, base: number) => MavLinkData;
  return factory(clazz.prototype as object, readString, READERS);
}

/**
 * Compiles one node-mavlink class into a {@link MessageDefinition}.
 *
 * @example
 * const def = compileMessage(common.GlobalPositionInt);
 * def.crcExtra; // 104
 */
export function compileMessage(clazz: MessageClass): MessageDefinition {
  const {
    MSG_ID: id,
    MSG_NAME: name,
    MAGIC_NUMBER: crcExtra,
    PAYLOAD_LENGTH: payloadLength,
  } = clazz;
  if (!Number.isInteger(id) || id < 0 || id > 0xffffff)
    throw new RangeError(`${name}: MSG_ID ${id} is not 0..16777215`);
  if (!Number.isInteger(crcExtra) || crcExtra < 0 || crcExtra > 255) {
    throw new RangeError(`${name}: MAGIC_NUMBER (CRC_EXTRA) ${crcExtra} is not 0..255`);
  }
  const compiled = clazz.FIELDS.map((f) => ({ ...compileField(f, name), extension: f.extension }));
  const writers = compiled.map((c) => c.write);
  const baseWriters = compiled.filter((c) => !c.extension).map((c) => c.write);
  const baseLength = compiled.filter((c) => !c.extension).reduce((m, c) => Math.max(m, c.end), 0);
  const decode = compileDecoder(clazz, name);
  return {
    id,
    name,
    crcExtra,
    payloadLength,
    baseLength,
    clazz,
    decode,
    encode(message, buf, base, baseOnly) {
      const source = message as unknown as Record<string, unknown>;
      const list = baseOnly ? baseWriters : writers;
      for (let i = 0; i < list.length; i++) list[i]!(source, buf, base);
    },
  };
}

/**
 * The set of messages one parser/encoder understands. Start from {@link createMessageRegistry}
 * (ArduPilot's dialect set) and {@link MessageRegistry.register} extra classes, e.g. the dock
 * dialect. Registries are per link, never module-global, so tests and links stay independent.
 *
 * @example
 * const registry = createMessageRegistry();
 * registry.register(DockStatus); // a class generated for the dock dialect
 * registry.byName('HEARTBEAT')?.crcExtra; // 50
 */
export class MessageRegistry {
  readonly #byId = new Map<number, MessageDefinition>();
  readonly #byName = new Map<string, MessageDefinition>();
  /** Dense lookup for ids < 65536 (all standard messages), for the parser's hot path. */
  readonly #dense: (MessageDefinition | undefined)[] = [];

  /**
   * Adds (or replaces) message classes. Throws when a class reuses another message's id under a
   * different name, which would silently mis-decode frames.
   */
  register(...classes: MessageClass[]): this {
    for (const clazz of classes) {
      const def = compileMessage(clazz);
      const existing = this.#byId.get(def.id);
      if (existing && existing.name !== def.name) {
        throw new Error(
          `message id ${def.id} is already ${existing.name}; cannot register ${def.name}`,
        );
      }
      this.#byId.set(def.id, def);
      this.#byName.set(def.name, def);
      if (def.id < 65536) this.#dense[def.id] = def;
    }
    return this;
  }

  byId(id: number): MessageDefinition | undefined {
    return id < 65536 ? this.#dense[id] : this.#byId.get(id);
  }

  byName(name: string): MessageDefinition | undefined {
    return this.#byName.get(name);
  }

  /** The definition for an instance's class; throws if the class is not registered. */
  forMessage(message: MavLinkData): MessageDefinition {
    const clazz = message.constructor as MessageClass;
    const def = this.byId(clazz.MSG_ID);
    if (!def || def.clazz !== clazz) {
      if (def && def.name === clazz.MSG_NAME && def.crcExtra === clazz.MAGIC_NUMBER) return def;
      throw new Error(
        `message ${clazz.MSG_NAME ?? clazz.name} (id ${clazz.MSG_ID}) is not registered on this link`,
      );
    }
    return def;
  }

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * A registry holding node-mavlink's `minimal`, `standard`, `common`, `ardupilotmega`,
 * `uavionix`, `icarous` and `storm32` messages (ArduPilot's `all.xml` set, 336 messages), plus
 * any `extra` classes.
 *
 * @example
 * const registry = createMessageRegistry({ extra: [DockStatus, DockCommandAck] });
 */
export function createMessageRegistry(
  options: { extra?: readonly MessageClass[] } = {},
): MessageRegistry {
  const registry = new MessageRegistry();
  for (const mod of DIALECT_MODULES) {
    registry.register(...(Object.values(mod.REGISTRY) as MessageClass[]));
  }
  if (options.extra) registry.register(...options.extra);
  return registry;
}
