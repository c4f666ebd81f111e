/**
 * CRC-16/MCRF4XX ("X.25" in the MAVLink docs), the checksum every MAVLink frame ends with.
 * Table-driven here rather than calling node-mavlink's bit-twiddling `x25crc`, because the parser
 * runs it on every candidate frame; the result is identical (checked in the tests).
 */

/** CRC-16/MCRF4XX: reflected polynomial 0x1021 (0x8408), one entry per byte value. */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/**
 * Accumulates bytes `[start, end)` of `buf` into `crc` (start value 0xffff).
 *
 * @example
 * let crc = crcAccumulate(frame, 1, 10 + payloadLength, 0xffff);
 * crc = crcAccumulateByte(crcExtra, crc);
 */
export function crcAccumulate(buf: Uint8Array, start: number, end: number, crc: number): number {
  let c = crc;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ TABLE[(c ^ buf[i]!) & 0xff]!;
  return c;
}

/** Accumulates one byte (e.g. CRC_EXTRA) into `crc`. */
export function crcAccumulateByte(byte: number, crc: number): number {
  let tmp = (byte ^ (crc & 0xff)) & 0xff;
  tmp = (tmp ^ (tmp << 4)) & 0xff;
  return ((crc >>> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >>> 4)) & 0xffff;
}

/**
 * The MAVLink frame checksum over `[start, end)` followed by the message's CRC_EXTRA byte.
 *
 * @example
 * const crc = frameCrc(frame, 1, 10 + len, 50); // HEARTBEAT's CRC_EXTRA is 50
 */
export function frameCrc(buf: Uint8Array, start: number, end: number, crcExtra: number): number {
  return crcAccumulateByte(crcExtra, crcAccumulate(buf, start, end, 0xffff));
}
