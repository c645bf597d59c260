import { ModelLoadError } from '../../errors/model-load.error.js';
import { type TensorDType } from '../../tensor/tensor-data.js';
import { bfloat16ToFloat, convertRaw, dtypeMapping, halfToFloat } from './tf-dtypes.js';
import { type TensorProtoMsg, type TensorShapeMsg } from './tf-messages.js';

/** A constant's value in the form tfjs weights take. */
export interface WeightValue {
  readonly dtype: TensorDType;
  readonly shape: number[];
  readonly values: Float32Array | Int32Array | Uint8Array | Uint8Array[];
}

/** A fully known shape, or undefined when the rank or a dimension is unknown. */
export function knownShape(shape: TensorShapeMsg | undefined): number[] | undefined {
  if (!shape) return [];
  if (shape.unknownRank) return undefined;
  const dims = (shape.dim ?? []).map((d) => Number(d.size ?? 0));
  return dims.every((d) => Number.isInteger(d) && d >= 0) ? dims : undefined;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Typed values of a TensorProto when it does not use `tensor_content`. */
function typedValues(
  tensor: TensorProtoMsg,
  dtype: string,
): (number | string | boolean)[] | undefined {
  switch (dtype) {
    case 'DT_FLOAT':
      return tensor.floatVal;
    case 'DT_DOUBLE':
      return tensor.doubleVal;
    case 'DT_INT32':
    case 'DT_INT16':
    case 'DT_INT8':
    case 'DT_UINT8':
    case 'DT_UINT16':
      return tensor.intVal;
    case 'DT_INT64':
      return tensor.int64Val;
    case 'DT_UINT32':
      return tensor.uint32Val;
    case 'DT_UINT64':
      return tensor.uint64Val;
    case 'DT_BOOL':
      return tensor.boolVal;
    case 'DT_HALF':
      return tensor.halfVal?.map(halfToFloat);
    case 'DT_BFLOAT16':
      return tensor.halfVal?.map(bfloat16ToFloat);
    default:
      return undefined;
  }
}

/**
 * The value of a `Const` node's TensorProto, converted to what tfjs computes in. A typed
 * field shorter than the shape repeats its last value (TensorFlow's rule); integers outside
 * int32 and unsupported dtypes are load errors naming the node.
 */
export function tensorValue(node: string, tensor: TensorProtoMsg): WeightValue {
  const dtype = tensor.dtype ?? 'DT_INVALID';
  const mapping = dtypeMapping(dtype);
  const shape = knownShape(tensor.tensorShape ?? {});
  if (!mapping) throw new ModelLoadError(`constant '${node}' has unsupported dtype ${dtype}`);
  if (!shape) throw new ModelLoadError(`constant '${node}' has no fully known shape`);
  const n = count(shape);
  if (mapping.tfjs === 'string') {
    const strings = tensor.stringVal ?? [];
    if (strings.length > n) throw new ModelLoadError(`constant '${node}' holds too many strings`);
    const last = strings[strings.length - 1] ?? new Uint8Array(0);
    return {
      dtype: 'string',
      shape,
      values: Array.from({ length: n }, (_, i) => strings[i] ?? last),
    };
  }
  const overflow = { index: -1, value: '' };
  let values: Float32Array | Int32Array | Uint8Array | undefined;
  if (tensor.tensorContent && tensor.tensorContent.length > 0) {
    if (tensor.tensorContent.length !== n * mapping.bytes) {
      throw new ModelLoadError(
        `constant '${node}' holds ${tensor.tensorContent.length} bytes, its shape [${shape.join(', ')}] needs ${n * mapping.bytes}`,
      );
    }
    values = convertRaw(dtype, tensor.tensorContent, n, overflow);
  } else {
    const given = typedValues(tensor, dtype) ?? [];
    if (given.length > n) throw new ModelLoadError(`constant '${node}' holds too many values`);
    values =
      mapping.tfjs === 'float32'
        ? new Float32Array(n)
        : mapping.tfjs === 'bool'
          ? new Uint8Array(n)
          : new Int32Array(n);
    const last = given[given.length - 1] ?? 0;
    for (let i = 0; i < n; i++) {
      const v = Number(given[i] ?? last);
      if (mapping.tfjs === 'int32' && (v < -(2 ** 31) || v > 2 ** 31 - 1)) {
        overflow.index = i;
        overflow.value = String(given[i] ?? last);
        values = undefined;
        break;
      }
      values[i] = v;
    }
  }
  if (!values) {
    throw new ModelLoadError(
      `constant '${node}' (${dtype}) holds ${overflow.value} at index ${overflow.index}, which does not fit the int32 that TensorFlow.js computes in`,
    );
  }
  return { dtype: mapping.tfjs, shape, values };
}
