import { decodeRawContents, encodeRawContents } from './raw-tensor-contents.js';

const where = "input 'x'";
/** The little-endian bytes of typed values, as a client on any machine sends them. */
const le = (type: 'Float32' | 'Int32' | 'BigInt64' | 'Float64', values: (number | bigint)[]) => {
  const size = type === 'BigInt64' || type === 'Float64' ? 8 : 4;
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => {
    if (type === 'BigInt64') view.setBigInt64(i * size, BigInt(v), true);
    else if (type === 'Float64') view.setFloat64(i * size, Number(v), true);
    else if (type === 'Int32') view.setInt32(i * size, Number(v), true);
    else view.setFloat32(i * size, Number(v), true);
  });
  return new Uint8Array(view.buffer);
};

describe('decodeRawContents', () => {
  it('reads little-endian numbers of each width', () => {
    expect(decodeRawContents(le('Float32', [1.5, -2]), 'FP32', [2], where)).toEqual(
      Float32Array.from([1.5, -2]),
    );
    expect(decodeRawContents(le('Int32', [7, -7]), 'INT32', [2], where)).toEqual(
      Int32Array.from([7, -7]),
    );
    expect(decodeRawContents(le('BigInt64', [5n, -(2n ** 63n)]), 'INT64', [2], where)).toEqual(
      BigInt64Array.of(5n, -(2n ** 63n)),
    );
    expect(decodeRawContents(le('Float64', [0.1 + 0.2]), 'FP64', [1], where)).toEqual(
      Float64Array.of(0.30000000000000004),
    );
    expect(decodeRawContents(Uint8Array.from([0x00, 0x3c]), 'FP16', [1], where)).toEqual(
      Uint16Array.of(0x3c00),
    );
    expect(decodeRawContents(Uint8Array.from([0xff, 0x80]), 'INT8', [2], where)).toEqual(
      Int8Array.of(-1, -128),
    );
    expect(decodeRawContents(Uint8Array.from([0xff, 0x80]), 'UINT8', [2], where)).toEqual(
      Uint8Array.of(255, 128),
    );
    expect(decodeRawContents(Uint8Array.from([2, 0]), 'BOOL', [2], where)).toEqual(
      Uint8Array.of(1, 0),
    );
  });

  it('reads from a view into a larger buffer', () => {
    const outer = new Uint8Array(12);
    outer.set(le('Float32', [3]), 5);
    expect(decodeRawContents(outer.subarray(5, 9), 'FP32', [1], where)).toEqual(
      Float32Array.from([3]),
    );
  });

  it('reads length-prefixed byte strings', () => {
    const raw = Uint8Array.from([2, 0, 0, 0, 104, 105, 0, 0, 0, 0]);
    expect(decodeRawContents(raw, 'BYTES', [2], where)).toEqual([
      Uint8Array.from([104, 105]),
      new Uint8Array(0),
    ]);
    expect(() => decodeRawContents(raw.subarray(0, 5), 'BYTES', [1], where)).toThrow(
      /truncated at byte 0/,
    );
  });

  it('needs exactly the bytes the shape holds', () => {
    expect(() => decodeRawContents(new Uint8Array(6), 'FP32', [2], where)).toThrow(
      "input 'x': raw content holds 6 bytes; shape [2] of FP32 needs 8",
    );
  });
});

describe('encodeRawContents', () => {
  it('writes each datatype in its own layout', () => {
    const floats = { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, -2]) } as const;
    expect(new Uint8Array(encodeRawContents(floats, 'FP32'))).toEqual(le('Float32', [1.5, -2]));
    expect(new Uint8Array(encodeRawContents(floats, 'FP64'))).toEqual(le('Float64', [1.5, -2]));
    expect([...encodeRawContents(floats, 'FP16')]).toEqual([0x00, 0x3e, 0x00, 0xc0]);
    const ints = { dtype: 'int32', shape: [1], data: Int32Array.from([-3]) } as const;
    expect(new Uint8Array(encodeRawContents(ints, 'INT64'))).toEqual(le('BigInt64', [-3n]));
    const bools = { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) } as const;
    expect([...encodeRawContents(bools, 'BOOL')]).toEqual([1, 0]);
    const strings = { dtype: 'string', shape: [1], data: [Uint8Array.from([104, 105])] } as const;
    expect([...encodeRawContents(strings, 'BYTES')]).toEqual([2, 0, 0, 0, 104, 105]);
  });
});
