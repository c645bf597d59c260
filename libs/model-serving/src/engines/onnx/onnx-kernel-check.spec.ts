/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node takes and makes arrays of the main realm (see that environment's comment).
import { ensureKernels } from '../../models/kernel-check.js';
import { encodeOnnxModel, ONNX_TYPE } from './onnx-model-writer.js';
import { createOnnxExecutor } from './onnx.loader.js';

/** Every element type ONNX Runtime takes natively and the library serves exactly. */
const TYPES = ['int64', 'uint64', 'float16', 'double', 'int8', 'uint16', 'bool'] as const;

describe('the kernel check on ONNX Runtime', () => {
  it("feeds each input zeros in its own dtype's array, so exact-dtype models load", async () => {
    // One Identity per type: ORT refuses an input whose array is not its element type's
    // (zeros as a Float32Array for an int64 input failed the load of such a model).
    const model = encodeOnnxModel({
      inputs: TYPES.map((t) => ({ name: `x_${t}`, type: ONNX_TYPE[t], shape: [2, 3] })),
      outputs: TYPES.map((t) => ({ name: `y_${t}`, type: ONNX_TYPE[t], shape: [2, 3] })),
      nodes: TYPES.map((t) => ({ op: 'Identity', inputs: [`x_${t}`], outputs: [`y_${t}`] })),
    });
    const executor = await createOnnxExecutor(model, {}, { modelName: 'm', version: 1 });
    try {
      const dtypes = Object.values(executor.signatures['serving_default']!.inputs).map(
        (spec) => spec.dtype,
      );
      expect(dtypes).toEqual(['int64', 'uint64', 'float16', 'float64', 'int8', 'uint16', 'bool']);
      await expect(ensureKernels(executor, 'auto', 'm')).resolves.toBeUndefined();
    } finally {
      await executor.dispose();
    }
  });
});
