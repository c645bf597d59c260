import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { floatToHalf } from '../../tensor/float16.js';
import { fromOrtTensor, toOrtTensor } from './onnx-dtypes.js';
import { loadOnnxRuntime, type OnnxRuntime } from './onnx-runtime.js';

let ort: OnnxRuntime;
beforeAll(async () => {
  const loaded = await loadOnnxRuntime();
  if (typeof loaded === 'string') throw new Error(`onnxruntime-node is not usable: ${loaded}`);
  ort = loaded;
});

describe('toOrtTensor', () => {
  it("hands over the request's own array when the graph's type is its dtype", () => {
    const data = Float32Array.of(1.5, -2);
    const tensor = toOrtTensor(ort, 'float32', { dtype: 'float32', shape: [2], data }, 'x');
    expect(tensor.data).toBe(data);
    expect(tensor.dims).toEqual([2]);
  });

  it('decodes float16 bits for a float graph input, and keeps int64 exact', () => {
    const half = Uint16Array.from([0.5, -3, 65504], floatToHalf);
    const floats = toOrtTensor(ort, 'float32', { dtype: 'float16', shape: [3], data: half }, 'x');
    expect(Array.from(floats.data as Float32Array)).toEqual([0.5, -3, 65504]);
    const big = BigInt64Array.of(2n ** 62n + 1n);
    const ints = toOrtTensor(ort, 'int64', { dtype: 'int64', shape: [1], data: big }, 'x');
    expect(ints.data).toEqual(big);
  });

  it('refuses a value the graph type cannot hold, naming the input', () => {
    const data = BigInt64Array.of(2n ** 40n);
    expect(() =>
      toOrtTensor(ort, 'int32', { dtype: 'int64', shape: [1], data }, "input 'x'"),
    ).toThrow(
      new InvalidInputError(
        "input 'x': 1099511627776 cannot be represented as int32 (an integer from -2147483648 to 2147483647)",
      ),
    );
  });
});

describe('fromOrtTensor', () => {
  it("casts the graph's answer to the signature's dtype", () => {
    const answered = new ort.Tensor('float32', Float32Array.of(0.25, 2), [2]);
    const out = fromOrtTensor('float16', answered, "output 'y'");
    expect(out).toEqual({
      dtype: 'float16',
      shape: [2],
      data: Uint16Array.from([0.25, 2], floatToHalf),
    });
  });

  it('answers UNIMPLEMENTED when the model answers a value the signature cannot hold', () => {
    const answered = new ort.Tensor('int64', BigInt64Array.of(2n ** 40n), [1]);
    expect(() => fromOrtTensor('int32', answered, "output 'y'")).toThrow(UnimplementedError);
  });
});
