/**
 * CRC-16/MCRF4XX ("X.25" in the MAVLink docs), the checksum every MAVLink frame ends with.
 * Inlined here rather than calling node-mavlink's `x25crc` because the parser runs it on every
 * candidate frame and the call shape there (buffer + trim + magic) costs an allocation-free but
 * slower loop; the result is identical (checked in the tests against node-mavlink).
 */

/**
 * Accumulates bytes `[start, end)` of `buf` into `crc` (start value 0xffff).
 *
 * @example
 * let crc = crcAccumulate(frame, 1, 10 + payloadLength, 0xffff);
 * crc = crcAccumulateByte(crcExtra, crc);
 */
export function crcAccumulate(buf: Uint8Array, start: number, end: number, crc: number): number {
  let c = crc;
  for (let i = start; i < end; i++) {
    let tmp = buf[i]! ^ (c & 0xff);
    tmp = (tmp ^ (tmp << 4)) & 0xff;
    c = ((c >>> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >>> 4)) & 0xffff;
  }
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
