import { join } from 'node:path';
import protobuf from 'protobufjs';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { PROTOS_DIR } from '../../protos/proto-path.js';
import { elementCount, isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { type ExampleParsingSpec } from './example-parsing.js';

interface FeatureMsg {
  bytesList?: { value?: Uint8Array[] };
  floatList?: { value?: number[] };
  int64List?: { value?: (number | protobuf.Long)[] };
}

let exampleType: protobuf.Type | undefined;

function example(): protobuf.Type {
  if (!exampleType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    root.loadSync('tensorflow/core/example/example.proto', { keepCase: false });
    exampleType = root.lookupType('tensorflow.Example');
  }
  return exampleType;
}

const KIND: Readonly<Record<string, 'floatList' | 'int64List' | 'bytesList'>> = {
  DT_FLOAT: 'floatList',
  DT_INT64: 'int64List',
  DT_STRING: 'bytesList',
};
const KIND_NAME = { floatList: 'float', int64List: 'int64', bytesList: 'bytes' } as const;

function kindOf(feature: FeatureMsg): keyof typeof KIND_NAME | undefined {
  if (feature.floatList) return 'floatList';
  if (feature.int64List) return 'int64List';
  if (feature.bytesList) return 'bytesList';
  return undefined;
}

function toInt32(value: number | protobuf.Long, where: string): number {
  const n = typeof value === 'number' ? value : protobuf.util.LongBits.from(value).toNumber();
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
    throw new InvalidInputError(
      `${where}: value ${n} does not fit int32, the type the engine computes int64 in`,
    );
  }
  return n;
}

/**
 * TensorFlow's `ParseExample` for dense features, in TypeScript: one tensor per dense feature
 * of `spec`, batch first. A missing feature takes its default (or is an error when required); a
 * value of the wrong kind or count is an error naming the example and the feature.
 */
export function parseExamples(
  serialized: readonly Uint8Array[],
  spec: ExampleParsingSpec,
): TensorData[] {
  if (spec.sparseKeys.length) {
    throw new UnimplementedError(
      `sparse and ragged features are not supported (${spec.sparseKeys.join(', ')})`,
    );
  }
  const decoded = serialized.map((bytes, i) => {
    try {
      return (
        (
          example().decode(bytes) as unknown as {
            features?: { feature?: Record<string, FeatureMsg> };
          }
        ).features?.feature ?? {}
      );
    } catch (error) {
      throw new InvalidInputError(
        `example ${i} is not a serialized tf.Example: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
  return spec.dense.map((dense) => {
    const kind = KIND[dense.tfDtype];
    if (!kind)
      throw new UnimplementedError(
        `feature '${dense.key}' has dtype ${dense.tfDtype}, which ParseExample does not take`,
      );
    const size = elementCount(dense.shape);
    const shape = [serialized.length, ...dense.shape];
    const values: (number | Uint8Array)[] = [];
    decoded.forEach((features, i) => {
      const where = `example ${i} feature '${dense.key}'`;
      const feature = features[dense.key];
      const found = feature ? kindOf(feature) : undefined;
      if (!feature || !found) {
        if (!dense.defaultValue)
          throw new InvalidInputError(
            `${where} (data type: ${KIND_NAME[kind]}) is required but could not be found`,
          );
        const fill = dense.defaultValue.data;
        for (let k = 0; k < size; k++)
          // Defaults are graph constants, already in their tfjs form (never 64-bit).
          values.push(isStringData(fill) ? fill[k % fill.length]! : Number(fill[k % fill.length]!));
        return;
      }
      if (found !== kind) {
        throw new InvalidInputError(
          `${where}: data types don't match; expected ${KIND_NAME[kind]}, got ${KIND_NAME[found]}`,
        );
      }
      const list = (feature[kind]?.value ?? []) as (number | protobuf.Long | Uint8Array)[];
      if (list.length !== size) {
        throw new InvalidInputError(
          `${where}: expected ${size} values for shape [${dense.shape.join(',')}], got ${list.length}`,
        );
      }
      for (const v of list)
        values.push(
          kind === 'int64List'
            ? toInt32(v as number | protobuf.Long, where)
            : (v as number | Uint8Array),
        );
    });
    if (kind === 'bytesList') return { dtype: 'string', shape, data: values as Uint8Array[] };
    if (kind === 'int64List')
      return { dtype: 'int32', shape, data: Int32Array.from(values as number[]) };
    return { dtype: 'float32', shape, data: Float32Array.from(values as number[]) };
  });
}
