import { signatureDebugString } from './signature-debug-string.js';

describe('signatureDebugString', () => {
  it("prints half_plus_two's classify_x_to_y as TensorFlow's DebugString does", () => {
    expect(
      signatureDebugString({
        methodName: 'tensorflow/serving/classify',
        inputs: { inputs: { name: 'tf_example:0', dtype: 'string' } },
        outputs: { scores: { name: 'y:0', dtype: 'float32', shape: [-1, 1] } },
      }),
    ).toBe(
      [
        'inputs {',
        '  key: "inputs"',
        '  value {',
        '    name: "tf_example:0"',
        '    dtype: DT_STRING',
        '    tensor_shape {',
        '      unknown_rank: true',
        '    }',
        '  }',
        '}',
        'outputs {',
        '  key: "scores"',
        '  value {',
        '    name: "y:0"',
        '    dtype: DT_FLOAT',
        '    tensor_shape {',
        '      dim {',
        '        size: -1',
        '      }',
        '      dim {',
        '        size: 1',
        '      }',
        '    }',
        '  }',
        '}',
        'method_name: "tensorflow/serving/classify"',
        '',
      ].join('\n'),
    );
  });

  it('sorts map keys, prints scalars, declared TF dtypes and C-escaped strings', () => {
    const text = signatureDebugString({
      methodName: '',
      inputs: {
        b: { name: 'b:0', dtype: 'int32', tfDtype: 'DT_INT64', shape: [] },
        a: { name: 'a"\\\n\u00e9:0', dtype: 'bool', shape: [] },
      },
      outputs: {},
    });
    expect(text).toBe(
      'inputs {\n  key: "a"\n  value {\n    name: "a\\"\\\\\\n\\303\\251:0"\n    dtype: DT_BOOL\n' +
        '    tensor_shape {\n    }\n  }\n}\n' +
        'inputs {\n  key: "b"\n  value {\n    name: "b:0"\n    dtype: DT_INT64\n' +
        '    tensor_shape {\n    }\n  }\n}\n',
    );
  });
});
