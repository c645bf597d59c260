/** Plain NodeDef / AttrValue objects (protobufjs `fromObject` form) for synthetic graphs. */

export type AttrObject = Record<string, unknown>;

export interface NodeObject {
  name: string;
  op: string;
  input: string[];
  attr: AttrObject;
}

export function node(
  name: string,
  op: string,
  input: string[] = [],
  attr: AttrObject = {},
): NodeObject {
  return { name, op, input, attr };
}

export const type = (dtype = 'DT_FLOAT') => ({ type: dtype });
export const typeList = (dtypes: string[]) => ({ list: { type: dtypes } });
export const shape = (dims: readonly number[]) => ({
  shape: { dim: dims.map((size) => ({ size })) },
});
export const func = (name: string) => ({ func: { name } });

/** A `Const` of strings (checkpoint key lists, file names). */
export function stringConst(name: string, strings: readonly string[], scalar = false): NodeObject {
  return node(name, 'Const', [], {
    dtype: type('DT_STRING'),
    value: {
      tensor: {
        dtype: 'DT_STRING',
        tensorShape: scalar ? {} : { dim: [{ size: strings.length }] },
        stringVal: strings.map((s) => Buffer.from(s)),
      },
    },
  });
}

/** A `Placeholder`. */
export function placeholder(name: string, dims: readonly number[], dtype = 'DT_FLOAT'): NodeObject {
  return node(name, 'Placeholder', [], {
    dtype: type(dtype),
    shape: shape(dims).shape && shape(dims),
  });
}

/** A TensorInfo of a SignatureDef. */
export function tensorInfo(name: string, dims: readonly number[], dtype = 'DT_FLOAT'): object {
  return { name, dtype, tensorShape: { dim: dims.map((size) => ({ size })) } };
}

/** A `tensorflow/serving/predict` SignatureDef of one input `x` and one output. */
export function predictSignature(
  input: string,
  inputDims: readonly number[],
  [outputKey, output]: readonly [string, string],
  outputDims: readonly number[],
): object {
  return {
    inputs: { x: tensorInfo(input, inputDims) },
    outputs: { [outputKey]: tensorInfo(output, outputDims) },
    methodName: 'tensorflow/serving/predict',
  };
}

/**
 * A `RestoreV2` of checkpoint `keys` (all of `dtype`) from `file`, after its tensor-name and
 * shape-and-slice `Const`s; `out` names a node's output (a GraphDef's or a function body's form).
 */
export function restoreV2(
  scope: string,
  file: string,
  keys: readonly string[],
  dtype: string,
  out: (name: string) => string,
): NodeObject[] {
  const [names, slices] = [`${scope}RestoreV2/tensor_names`, `${scope}RestoreV2/shape_and_slices`];
  return [
    stringConst(names, keys),
    stringConst(
      slices,
      keys.map(() => ''),
    ),
    node(`${scope}RestoreV2`, 'RestoreV2', [file, out(names), out(slices)], {
      dtypes: typeList(keys.map(() => dtype)),
    }),
  ];
}
