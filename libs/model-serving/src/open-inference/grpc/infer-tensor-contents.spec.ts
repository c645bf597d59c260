import {
  decodeTensorContents,
  encodeTensorContents,
  hasTensorContents,
  needsRawContents,
} from './infer-tensor-contents.js';

const where = "input 'x'";
/** What proto-loader hands over with `defaults: true`: every repeated field, empty or not. */
const contents = (fields: object) => ({
  bool_contents: [],
  int_contents: [],
  int64_contents: [],
  uint_contents: [],
  uint64_contents: [],
  fp32_contents: [],
  fp64_contents: [],
  bytes_contents: [],
  ...fields,
});

describe('decodeTensorContents', () => {
  it('reads the field of each datatype', () => {
    expect(decodeTensorContents(contents({ fp32_contents: [1] }), 'FP32', where)).toEqual([1]);
    expect(decodeTensorContents(contents({ int_contents: [2] }), 'INT16', where)).toEqual([2]);
    expect(decodeTensorContents(contents({ uint_contents: [3] }), 'UINT8', where)).toEqual([3]);
    expect(decodeTensorContents(contents({ int64_contents: ['4'] }), 'INT64', where)).toEqual([
      '4',
    ]);
    expect(decodeTensorContents(contents({ bool_contents: [true] }), 'BOOL', where)).toEqual([
      true,
    ]);
    expect(decodeTensorContents(null, 'FP32', where)).toEqual([]);
  });

  it('points at the right field when values sit in another', () => {
    expect(() => decodeTensorContents(contents({ fp64_contents: [1] }), 'FP32', where)).toThrow(
      "input 'x': a FP32 tensor carries its values in fp32_contents, not fp64_contents",
    );
  });

  it('sends FP16 to raw contents', () => {
    expect(() => decodeTensorContents(contents({}), 'FP16', where)).toThrow(/raw_input_contents/);
    expect(needsRawContents('FP16')).toBe(true);
    expect(needsRawContents('FP32')).toBe(false);
  });

  it('tells empty contents from filled ones', () => {
    expect(hasTensorContents(contents({}))).toBe(false);
    expect(hasTensorContents(undefined)).toBe(false);
    expect(hasTensorContents(contents({ bytes_contents: [Buffer.from('a')] }))).toBe(true);
  });
});

describe('encodeTensorContents', () => {
  it('writes the field of the declared datatype', () => {
    const ints = { dtype: 'int32', shape: [2], data: Int32Array.from([1, -2]) } as const;
    expect(encodeTensorContents(ints, 'INT32')).toEqual({ int_contents: [1, -2] });
    expect(encodeTensorContents(ints, 'UINT16')).toEqual({ uint_contents: [1, -2] });
    expect(encodeTensorContents(ints, 'INT64')).toEqual({ int64_contents: ['1', '-2'] });
    const floats = { dtype: 'float32', shape: [1], data: Float32Array.from([0.5]) } as const;
    expect(encodeTensorContents(floats, 'FP64')).toEqual({ fp64_contents: [0.5] });
    const bools = { dtype: 'bool', shape: [1], data: Uint8Array.from([1]) } as const;
    expect(encodeTensorContents(bools, 'BOOL')).toEqual({ bool_contents: [true] });
    const strings = { dtype: 'string', shape: [1], data: [Uint8Array.from([97])] } as const;
    expect(encodeTensorContents(strings, 'BYTES')).toEqual({
      bytes_contents: [Uint8Array.from([97])],
    });
  });
});
