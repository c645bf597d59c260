import { InvalidInputError } from '../errors/invalid-input.error.js';
import { isV2Datatype, parseV2Datatype, v2DatatypeOf } from './v2-datatype.js';

describe('v2DatatypeOf', () => {
  it.each([
    ['float32', 'FP32'],
    ['int32', 'INT32'],
    ['bool', 'BOOL'],
    ['string', 'BYTES'],
  ] as const)('maps the engine dtype %s to %s', (dtype, datatype) => {
    expect(v2DatatypeOf({ dtype })).toBe(datatype);
  });

  it.each([
    ['DT_INT64', 'int32', 'INT64'],
    ['DT_UINT8', 'int32', 'UINT8'],
    ['DT_INT16', 'int32', 'INT16'],
    ['DT_DOUBLE', 'float32', 'FP64'],
    ['DT_HALF', 'float32', 'FP16'],
  ] as const)('prefers the declared TensorFlow dtype %s', (tfDtype, dtype, datatype) => {
    expect(v2DatatypeOf({ dtype, tfDtype })).toBe(datatype);
  });

  it('falls back to the engine dtype for a TensorFlow dtype it does not know', () => {
    expect(v2DatatypeOf({ dtype: 'float32', tfDtype: 'DT_BFLOAT16' })).toBe('FP32');
  });
});

describe('parseV2Datatype', () => {
  it('accepts the protocol datatypes only', () => {
    expect(parseV2Datatype('UINT64', 'input')).toBe('UINT64');
    expect(isV2Datatype('toString')).toBe(false);
    expect(() => parseV2Datatype('fp32', "input 'x'")).toThrow(InvalidInputError);
    expect(() => parseV2Datatype(undefined, "input 'x'")).toThrow(
      /input 'x': unsupported datatype undefined/,
    );
  });
});
