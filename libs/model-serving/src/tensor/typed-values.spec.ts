import { InvalidInputError } from '../errors/invalid-input.error.js';
import {
  castValues,
  fromRawBytes,
  numberAt,
  rawBytes,
  storedElement,
  typedValues,
} from './typed-values.js';

describe('storedElement', () => {
  it.each([
    [9007199254740993n, 'int64', 9007199254740993n],
    ['-9223372036854775808', 'int64', -(2n ** 63n)],
    ['18446744073709551615', 'uint64', 2n ** 64n - 1n],
    [255, 'uint8', 255],
    [-128, 'int8', -128],
    [-32768, 'int16', -32768],
    [0.1 + 0.2, 'float64', 0.30000000000000004],
    [1, 'float16', 0x3c00],
    [true, 'bool', 1],
  ] as const)('keeps %p as %s exactly', (value, dtype, stored) => {
    expect(storedElement(value, dtype)).toBe(stored);
  });

  it.each([
    [256, 'uint8'],
    [-1, 'uint32'],
    [1.5, 'int32'],
    [2n ** 63n, 'int64'],
    ['9223372036854775808', 'int64'],
    ['1e3', 'int64'],
    [1, 'bool'],
    [true, 'float32'],
    ['0.5', 'float64'],
  ] as const)('refuses %p as %s', (value, dtype) => {
    expect(storedElement(value, dtype)).toBeUndefined();
  });
});

describe('typedValues', () => {
  it('builds the exact typed array of the dtype', () => {
    expect(typedValues('int64', [1, '9007199254740993', -(2n ** 63n)], 'x')).toEqual(
      BigInt64Array.of(1n, 9007199254740993n, -(2n ** 63n)),
    );
    expect(typedValues('uint8', [0, 255], 'x')).toEqual(Uint8Array.of(0, 255));
    expect(typedValues('float64', [0.1 + 0.2], 'x')[0]).toBe(0.30000000000000004);
  });

  it('names the input, the value and the range of what does not fit', () => {
    expect(() => typedValues('uint8', [1, 256], "input 'x'")).toThrow(
      new InvalidInputError(
        "input 'x': 256 cannot be represented as uint8 (an integer from 0 to 255)",
      ),
    );
    expect(() => typedValues('int64', [2n ** 63n], 'x')).toThrow(
      'x: 9223372036854775808 cannot be represented as int64 (an integer from -9223372036854775808 to 9223372036854775807)',
    );
    expect(() => typedValues('int32', [1.5], 'x')).toThrow('x: 1.5 cannot be represented as int32');
  });
});

describe('castValues', () => {
  it('widens exactly and narrows integers only when they fit', () => {
    expect(castValues(Int32Array.of(-5, 7), 'int32', 'int64', 'x')).toEqual(
      BigInt64Array.of(-5n, 7n),
    );
    expect(castValues(BigInt64Array.of(-5n, 2n ** 31n - 1n), 'int64', 'int32', 'x')).toEqual(
      Int32Array.of(-5, 2 ** 31 - 1),
    );
    expect(() => castValues(BigInt64Array.of(2n ** 32n), 'int64', 'int32', 'x')).toThrow(
      'x: 4294967296 cannot be represented as int32',
    );
    expect(castValues(Uint16Array.of(0x3c00, 0xc000), 'float16', 'float32', 'x')).toEqual(
      Float32Array.of(1, -2),
    );
    expect(castValues(Float32Array.of(1, -2), 'float32', 'float16', 'x')).toEqual(
      Uint16Array.of(0x3c00, 0xc000),
    );
    expect(castValues(Float64Array.of(0.1), 'float64', 'float32', 'x')).toEqual(
      Float32Array.of(0.1),
    );
    expect(castValues(Uint8Array.of(0, 1), 'bool', 'int32', 'x')).toEqual(Int32Array.of(0, 1));
  });
});

describe('raw bytes', () => {
  it('reads and writes little-endian elements, bool as 0/1', () => {
    const raw = Uint8Array.of(
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0x80,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0x7f,
    );
    const ints = fromRawBytes('int64', raw.subarray(0), 2);
    expect(ints).toEqual(BigInt64Array.of(-(2n ** 63n) + 1n, 2n ** 63n - 1n));
    expect(rawBytes(ints)).toEqual(raw);
    expect(fromRawBytes('bool', Uint8Array.of(0, 7), 2)).toEqual(Uint8Array.of(0, 1));
    // An odd offset into a larger buffer: copied out, aligned.
    const shifted = Uint8Array.of(9, 0, 0x3c);
    expect(fromRawBytes('float16', shifted.subarray(1), 1)).toEqual(Uint16Array.of(0x3c00));
  });

  it('reads float16 bits as numbers', () => {
    expect(numberAt(Uint16Array.of(0x3555), 'float16', 0)).toBe(0.333251953125);
    expect(numberAt(BigInt64Array.of(5n), 'int64', 0)).toBe(5);
  });
});
