/** containerd's encodings and config, pure: Go varints and times as containerd stores them in bbolt, config.toml's root and state. */
import { describe, expect, it } from 'vitest';
import { goTime, uvarint, varint } from '../src/engines/containerd/go-encoding.js';
import { topLevelTomlString } from '../src/engines/containerd/places.js';

describe('containerd encodings and config (pure)', () => {
  it('uvarint and zig-zag varint as Go encoding/binary writes them', () => {
    expect(uvarint(Buffer.from([0x01]))).toBe(1n);
    expect(uvarint(Buffer.from([0xac, 0x02]))).toBe(300n);
    expect(uvarint(Buffer.from([0x80]))).toBeUndefined();
    expect(uvarint(undefined)).toBeUndefined();
    // containerd's usage of a 274-inode layer, as found in a real snapshotter db: 0xa4 0x04
    expect(varint(Buffer.from([0xa4, 0x04]))).toBe(274n);
    expect(varint(Buffer.from([0x03]))).toBe(-2n);
  });

  it('time.MarshalBinary (version 1) as ISO 8601', () => {
    const b = Buffer.alloc(15);
    b[0] = 1;
    b.writeBigInt64BE(62_135_596_800n + 1_700_000_000n, 1);
    b.writeUInt32BE(123_000_000, 9);
    b.writeInt16BE(-1, 13);
    expect(goTime(b)).toBe('2023-11-14T22:13:20.123Z');
    expect(goTime(Buffer.from([9]))).toBeUndefined();
  });

  it("config.toml: top-level root and state only, not a table's keys of the same name", () => {
    const toml = 'version = 2\nroot = "/data/containerd" # moved\nstate = \'/run/ctrd\'\n[plugins."x"]\n  root = "/elsewhere"\n';
    expect(topLevelTomlString(toml, 'root')).toBe('/data/containerd');
    expect(topLevelTomlString(toml, 'state')).toBe('/run/ctrd');
    expect(topLevelTomlString('[plugins]\nroot = "/x"\n', 'root')).toBeUndefined();
  });
});
