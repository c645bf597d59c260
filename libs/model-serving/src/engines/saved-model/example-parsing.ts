import { type TensorData } from '../../tensor/tensor-data.js';
import { dataInputs, type GraphNode, type NodeMap, traceIdentity } from './graph-node.js';
import { tensorValue } from './tensor-values.js';
import { dtypeMapping } from './tf-dtypes.js';

/**
 * How a signature's graph parses serialized `tf.Example`s (`ParseExample` / `ParseExampleV2`),
 * so the examples can be parsed outside the graph and the dense features fed where the parse
 * op's outputs were: one entry per dense feature, in the op's order.
 */
export interface ExampleParsingSpec {
  /** The parse node, e.g. `ParseExample/ParseExampleV2`. */
  readonly node: string;
  readonly op: string;
  readonly dense: readonly {
    /** The feature's key in `tf.Example.features`. */
    readonly key: string;
    /** TensorFlow's dtype (`DT_FLOAT`, `DT_INT64`, `DT_STRING`). */
    readonly tfDtype: string;
    /** Shape of one example's value (the batch dimension comes first when fed). */
    readonly shape: readonly number[];
    /** The value of a missing feature; undefined when the feature is required. */
    readonly defaultValue?: TensorData;
    /** The graph tensor to feed the batch of values to (a placeholder the loader adds). */
    readonly tensor: string;
  }[];
  /** Keys of sparse and ragged features, which are not supported. */
  readonly sparseKeys: readonly string[];
}

const decoder = new TextDecoder();

/** The strings of the `Const` behind `ref`. */
function constStrings(nodes: NodeMap, ref: string | undefined): string[] | undefined {
  const node = ref === undefined ? undefined : traceIdentity(nodes, ref)?.node;
  if (node?.op !== 'Const') return undefined;
  return (node.attr['value']?.tensor?.stringVal ?? []).map((b) => decoder.decode(b));
}

/** A `Const`, or a `Reshape` of one (how TF1 writes a scalar default), as a value. */
function constDefault(nodes: NodeMap, ref: string | undefined): TensorData | undefined {
  const found = ref === undefined ? undefined : traceIdentity(nodes, ref)?.node;
  const reshape = found?.op === 'Reshape' ? found : undefined;
  const source = reshape ? traceIdentity(nodes, dataInputs(reshape)[0] ?? '')?.node : found;
  const tensor = source?.op === 'Const' ? source.attr['value']?.tensor : undefined;
  if (!source || !tensor) return undefined;
  const value = tensorValue(source.name, tensor);
  if (value.shape.reduce((a, b) => a * b, 1) === 0) return undefined;
  // The parse op checks the default against the feature's shape; the flat values are what count.
  return {
    dtype: value.dtype,
    shape: reshape ? [value.values.length] : value.shape,
    data: value.values,
  };
}

/** A parse op described, with the graph outputs its dense features replace. */
export interface DescribedParsing {
  readonly spec: ExampleParsingSpec;
  /** `node:index` of each dense output, in the spec's order. */
  readonly outputs: readonly string[];
}

/** A node name for the placeholder of dense feature `k`, free in the graph. */
function freeName(nodes: NodeMap, parse: string, k: number): string {
  for (let n = 0; ; n++) {
    const name = `${parse}/dense_values_${k}${n ? `_${n}` : ''}`;
    if (!nodes.has(name)) return name;
  }
}

/** Reads a parse node's keys, shapes and defaults, or says why it cannot be described. */
export function describeExampleParsing(
  nodes: NodeMap,
  parse: GraphNode,
): DescribedParsing | string {
  const inputs = dataInputs(parse);
  const types = parse.attr['Tdense']?.list?.type ?? [];
  const shapes = parse.attr['dense_shapes']?.list?.shape ?? [];
  let denseKeys: string[] | undefined;
  let sparseKeys: string[] | undefined;
  let numSparse: number;
  let defaultsAt: number;
  if (parse.op === 'ParseExample') {
    numSparse = Number(parse.attr['Nsparse']?.i ?? 0);
    const numDense = Number(parse.attr['Ndense']?.i ?? types.length);
    sparseKeys = inputs.slice(2, 2 + numSparse).flatMap((ref) => constStrings(nodes, ref) ?? []);
    denseKeys = inputs
      .slice(2 + numSparse, 2 + numSparse + numDense)
      .flatMap((ref) => constStrings(nodes, ref) ?? []);
    defaultsAt = 2 + numSparse + numDense;
  } else {
    numSparse = Number(parse.attr['num_sparse']?.i ?? 0);
    sparseKeys = [
      ...(constStrings(nodes, inputs[2]) ?? []),
      ...(constStrings(nodes, inputs[4]) ?? []),
    ];
    denseKeys = constStrings(nodes, inputs[3]);
    defaultsAt = 5;
  }
  if (!denseKeys || denseKeys.length !== types.length) {
    return `the dense feature keys of ${parse.op} '${parse.name}' are not constants`;
  }
  const dense = denseKeys.map((key, k) => {
    const defaultValue = constDefault(nodes, inputs[defaultsAt + k]);
    return {
      key,
      tfDtype: types[k] ?? 'DT_INVALID',
      shape: (shapes[k]?.dim ?? []).map((d) => Number(d.size ?? -1)),
      ...(defaultValue ? { defaultValue } : {}),
      tensor: freeName(nodes, parse.name, k),
    };
  });
  const unsupported = dense.find((d) => !dtypeMapping(d.tfDtype));
  if (unsupported) return `feature '${unsupported.key}' has dtype ${unsupported.tfDtype}`;
  return {
    spec: { node: parse.name, op: parse.op, dense, sparseKeys },
    outputs: dense.map((_, k) => `${parse.name}:${3 * numSparse + k}`),
  };
}
