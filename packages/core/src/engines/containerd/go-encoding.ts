/** Go's encodings as containerd stores them in bbolt values (encoding/binary varints, time.MarshalBinary). Pure. */

/** binary.Uvarint. */
export function uvarint(buf: Buffer | undefined): bigint | undefined {
  if (buf === undefined) return undefined;
  let x = 0n;
  let shift = 0n;
  for (let i = 0; i < buf.length && i < 10; i++) {
    const b = buf[i]!;
    x |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return x;
    shift += 7n;
  }
  return undefined;
}

/** binary.Varint (zig-zag). */
export function varint(buf: Buffer | undefined): bigint | undefined {
  const u = uvarint(buf);
  if (u === undefined) return undefined;
  return u & 1n ? -(u >> 1n) - 1n : u >> 1n;
}

/** Seconds from 0001-01-01 to 1970-01-01 (Go's unixToInternal). */
const UNIX_TO_INTERNAL = 62_135_596_800n;

/** time.Time.MarshalBinary (version 1 or 2) as ISO 8601, or undefined when it is not one. */
export function goTime(buf: Buffer | undefined): string | undefined {
  if (buf === undefined || buf.length < 15 || (buf[0] !== 1 && buf[0] !== 2)) return undefined;
  const sec = buf.readBigInt64BE(1) - UNIX_TO_INTERNAL;
  const nsec = buf.readUInt32BE(9);
  const ms = Number(sec) * 1000 + Math.floor(nsec / 1e6);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
