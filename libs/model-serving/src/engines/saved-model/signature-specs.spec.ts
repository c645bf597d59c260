import { INIT_OP_SIGNATURE, signatureSpecs } from './signature-specs.js';

describe('signatureSpecs', () => {
  it('keeps every signature with TensorFlow dtypes, -1 dims and unknown ranks, shapes relaxed', () => {
    const { signatures, unavailable } = signatureSpecs({
      serving_default: {
        methodName: 'tensorflow/serving/predict',
        inputs: {
          ids: {
            name: 'ids:0',
            dtype: 'DT_INT64',
            tensorShape: { dim: [{ size: '-1' }, { size: '3' }] },
          },
          raw: { name: 'raw:0', dtype: 'DT_STRING', tensorShape: { unknownRank: true } },
        },
        outputs: { p: { name: 'p:0', dtype: 'DT_FLOAT', tensorShape: {} } },
      },
      [INIT_OP_SIGNATURE]: {
        outputs: { [INIT_OP_SIGNATURE]: { name: 'NoOp', tensorShape: { unknownRank: true } } },
      },
      sparse: {
        inputs: { s: { cooSparse: { valuesTensorName: 'v:0' }, dtype: 'DT_FLOAT' } },
        outputs: { c: { name: 'c:0', dtype: 'DT_COMPLEX64' } },
      },
    });
    expect(signatures['serving_default']).toEqual({
      methodName: 'tensorflow/serving/predict',
      inputs: {
        ids: {
          name: 'ids:0',
          dtype: 'int64',
          shape: [-1, 3],
          relaxedShape: true,
        },
        raw: { name: 'raw:0', dtype: 'string', relaxedShape: true },
      },
      outputs: { p: { name: 'p:0', dtype: 'float32', shape: [], relaxedShape: true } },
    });
    expect(signatures[INIT_OP_SIGNATURE]).toEqual({
      methodName: '',
      inputs: {},
      outputs: {
        [INIT_OP_SIGNATURE]: {
          name: 'NoOp',
          dtype: 'float32',
          tfDtype: 'DT_INVALID',
          relaxedShape: true,
        },
      },
    });
    expect(unavailable.get(INIT_OP_SIGNATURE)).toMatch(/initialises the SavedModel/);
    expect(unavailable.get('sparse')).toMatch(/'s' is sparse.*'c' has dtype DT_COMPLEX64/);
    expect(unavailable.has('serving_default')).toBe(false);
  });
});
