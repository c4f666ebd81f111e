/**
 * CRC_EXTRA ("magic number") of a MAVLink message, computed as the spec's generator does: X.25
 * over `NAME ` then, for each non-extension field in wire order, `type name ` (base type, e.g.
 * `uint8_t` for `uint8_t_mavlink_version`) and, for arrays, the length byte; then the two CRC
 * bytes XORed.
 */
import { crcAccumulate } from '../codec/crc';

export interface DialectField {
  /** Base type without array suffix, e.g. `float`, `uint8_t`, `char`. */
  type: string;
  /** Spec name, snake_case. */
  name: string;
  /** Array length, 0 for scalars. */
  arrayLength: number;
  extension: boolean;
}

const SIZES: Record<string, number> = {
  char: 1,
  int8_t: 1,
  uint8_t: 1,
  uint8_t_mavlink_version: 1,
  int16_t: 2,
  uint16_t: 2,
  int32_t: 4,
  uint32_t: 4,
  float: 4,
  int64_t: 8,
  uint64_t: 8,
  double: 8,
};

/**
 * Size in bytes of one element of `type`.
 *
 * @example
 * typeSize('float'); // 4
 */
export function typeSize(type: string): number {
  const s = SIZES[type];
  if (s === undefined) throw new Error(`unknown MAVLink field type ${JSON.stringify(type)}`);
  return s;
}

/**
 * Fields in wire order: non-extension fields sorted by element size, largest first (stable),
 * then extension fields in declaration order.
 *
 * @example
 * wireOrder(fields).map((f) => f.name);
 */
export function wireOrder(fields: readonly DialectField[]): DialectField[] {
  const base = fields.filter((f) => !f.extension);
  const ext = fields.filter((f) => f.extension);
  const sorted = base
    .map((f, i) => ({ f, i }))
    .sort((a, b) => typeSize(b.f.type) - typeSize(a.f.type) || a.i - b.i)
    .map((x) => x.f);
  return [...sorted, ...ext];
}

/**
 * @example
 * crcExtra('HEARTBEAT', heartbeatFields); // 50
 */
export function crcExtra(messageName: string, fields: readonly DialectField[]): number {
  const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
  let crc = 0xffff;
  const add = (b: Buffer): void => {
    crc = crcAccumulate(b, 0, b.length, crc);
  };
  add(bytes(`${messageName} `));
  for (const f of wireOrder(fields)) {
    if (f.extension) continue;
    const type = f.type === 'uint8_t_mavlink_version' ? 'uint8_t' : f.type;
    add(bytes(`${type} `));
    add(bytes(`${f.name} `));
    if (f.arrayLength > 0) add(Buffer.from([f.arrayLength]));
  }
  return ((crc & 0xff) ^ (crc >> 8)) & 0xff;
}
