import { ModelLoadError } from '../../errors/model-load.error.js';
import { crc32c, maskCrc } from './crc32c.js';
import { snappyDecompress } from './snappy.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * The uncompressed block, built from what it must hold rather than from the compressed bytes:
 * a LevelDB block (entries `shared, unshared, value length, key suffix, value`, then the restart
 * offsets and their count) keyed '' → BundleHeaderProto { num_shards: 1, version { producer: 1 } },
 * then one BundleEntryProto { dtype: DT_FLOAT, shape: {}, offset, size: 4, crc32c (masked) } per
 * scalar variable, in key order, as the checkpoint's data file holds their values.
 */
function halfPlusTwoIndexBlock(): Uint8Array {
  const variables: [key: string, value: number][] = [
    ['a', 0.5],
    ['a2', 0.5],
    ['b', 2],
    ['c', 3],
    ['c2', 3],
  ];
  const bytes: number[] = [];
  let previous = '';
  const entry = (key: string, value: number[]) => {
    let shared = 0;
    while (shared < key.length && key[shared] === previous[shared]) shared++;
    const suffix = [...key.slice(shared)].map((c) => c.charCodeAt(0));
    bytes.push(shared, suffix.length, value.length, ...suffix, ...value);
    previous = key;
  };
  const fixed32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  // BundleHeaderProto: field 1 num_shards = 1, field 3 version { field 1 producer = 1 }.
  entry('', [0x08, 1, 0x1a, 2, 0x08, 1]);
  variables.forEach(([key, value], i) => {
    const data = new Uint8Array(Float32Array.of(value).buffer);
    const offset = 4 * i;
    entry(key, [
      ...[0x08, 1], // dtype DT_FLOAT
      ...[0x12, 0], // shape {} (a scalar)
      ...(offset ? [0x20, offset] : []), // offset in the data file (0 is left out)
      ...[0x28, 4], // size in bytes
      ...[0x35, ...fixed32(maskCrc(crc32c(data)))], // crc32c of the value's bytes
    ]);
  });
  bytes.push(...fixed32(0), ...fixed32(1)); // one restart point, at offset 0
  return Uint8Array.from(bytes);
}

describe('snappyDecompress', () => {
  it('reads literals', () => {
    // length 5, literal of 5 bytes (tag (5-1)<<2)
    expect(text(snappyDecompress(Uint8Array.of(5, 4 << 2, 104, 101, 108, 108, 111)))).toBe('hello');
  });

  it('reads 1-, 2- and 4-byte-offset copies, overlapping ones included', () => {
    // "abcd" then copy len 8 offset 4 (1-byte offset form) -> "abcdabcdabcd"
    const one = Uint8Array.of(12, 3 << 2, 97, 98, 99, 100, 1 | ((8 - 4) << 2), 4);
    expect(text(snappyDecompress(one))).toBe('abcdabcdabcd');
    // "a" then copy len 5 offset 1 (2-byte offset form) -> "aaaaaa"
    const two = Uint8Array.of(6, 0, 97, 2 | ((5 - 1) << 2), 1, 0);
    expect(text(snappyDecompress(two))).toBe('aaaaaa');
    const four = Uint8Array.of(4, 1 << 2, 120, 121, 3 | (1 << 2), 2, 0, 0, 0);
    expect(text(snappyDecompress(four))).toBe('xyxy');
  });

  it('reads long literals with extra length bytes', () => {
    const body = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    // varint 300 = 0xac 0x02; tag 61<<2 = two length bytes (len-1 = 299 = 0x2b 0x01)
    const input = Uint8Array.of(0xac, 0x02, 61 << 2, 0x2b, 0x01, ...body);
    expect(snappyDecompress(input)).toEqual(body);
  });

  it('decodes a block TensorFlow wrote (the TF1 half_plus_two index) to the bytes its entries must be', () => {
    const block = Uint8Array.of(
      0x64,
      0x6c,
      0x00,
      0x00,
      0x06,
      0x08,
      0x01,
      0x1a,
      0x02,
      0x08,
      0x01,
      0x00,
      0x01,
      0x0b,
      0x61,
      0x08,
      0x01,
      0x12,
      0x00,
      0x28,
      0x04,
      0x35,
      0x06,
      0x38,
      0x27,
      0x1f,
      0x01,
      0x01,
      0x0d,
      0x32,
      0x01,
      0x0f,
      0x04,
      0x20,
      0x04,
      0x0d,
      0x11,
      0x0c,
      0x00,
      0x01,
      0x0d,
      0x62,
      0x05,
      0x11,
      0x2c,
      0x08,
      0x28,
      0x04,
      0x35,
      0x10,
      0xfd,
      0x78,
      0x4f,
      0x00,
      0x01,
      0x0d,
      0x63,
      0x05,
      0x11,
      0x1c,
      0x0c,
      0x28,
      0x04,
      0x35,
      0xef,
      0xd6,
      0x82,
      0xc3,
      0x15,
      0x33,
      0x3c,
      0x10,
      0x28,
      0x04,
      0x35,
      0xef,
      0xd6,
      0x82,
      0xc3,
      0x00,
      0x00,
      0x00,
      0x00,
      0x01,
      0x00,
      0x00,
      0x00,
    );
    expect(snappyDecompress(block)).toEqual(halfPlusTwoIndexBlock());
  });

  it('rejects corrupt input with a specific error', () => {
    expect(() => snappyDecompress(Uint8Array.of(5, 4 << 2, 104))).toThrow(ModelLoadError);
    expect(() => snappyDecompress(Uint8Array.of(4, 1 | (0 << 2), 9))).toThrow(/copy offset/);
    expect(() => snappyDecompress(Uint8Array.of(9, 0, 97))).toThrow(/declares 9/);
    expect(() => snappyDecompress(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toThrow(
      /length/,
    );
  });
});
