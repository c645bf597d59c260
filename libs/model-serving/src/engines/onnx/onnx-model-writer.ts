import protobuf from 'protobufjs';

// Field numbers as in ONNX's onnx.proto (IR version 8): only the messages and fields the
// library writes.
const SCHEMA = `
syntax = "proto3";
package onnx;
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}
message AttributeProto {
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated GraphProto graphs = 11;
  int32 type = 20;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated bytes string_data = 6;
  string name = 8;
  bytes raw_data = 9;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  Tensor tensor_type = 1;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
`;

const ModelProto = protobuf.parse(SCHEMA, { keepCase: false }).root.lookupType('onnx.ModelProto');

/** ONNX's `TensorProto.DataType` numbers. */
export const ONNX_TYPE = {
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;

/** A dimension: a size, or a symbolic name (`'batch'`) for a dynamic one. */
export type OnnxDim = number | string;

/** A graph input or output; without `shape` its rank is unknown too. */
export interface OnnxValue {
  readonly name: string;
  readonly type: number;
  readonly shape?: readonly OnnxDim[];
}

/** A constant tensor: raw little-endian element bytes, or strings. */
export interface OnnxInitializer {
  readonly name: string;
  readonly type: number;
  readonly dims: readonly number[];
  /** Little-endian element bytes (a typed array), for every type but strings. */
  readonly data?: ArrayBufferView;
  /** The elements of a string tensor. */
  readonly strings?: readonly Uint8Array[];
}

/**
 * A node attribute: a number is an int, an array of numbers ints, a string a string; floats,
 * tensors and subgraphs (`Loop`/`If` bodies) are tagged.
 */
export type OnnxAttribute =
  | number
  | readonly number[]
  | string
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly tensor: OnnxInitializer }
  | { readonly graph: OnnxGraph };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
  /** The operator set's domain, e.g. `ai.onnx.ml`; the default one when absent. */
  readonly domain?: string;
}

/** A graph; a subgraph (a `Loop` body) may name values of the graphs around it. */
export interface OnnxGraph {
  readonly name?: string;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers?: readonly OnnxInitializer[];
}

/** A model: its graph and the operator sets it imports. */
export interface OnnxModel extends OnnxGraph {
  /** The default domain's opset. @defaultValue 17 */
  readonly opset?: number;
  /** Other domains' opsets, e.g. `{ 'ai.onnx.ml': 3 }`. */
  readonly domains?: Readonly<Record<string, number>>;
  readonly docString?: string;
}

// AttributeProto.AttributeType
const FLOAT = 1;
const INT = 2;
const STRING = 3;
const TENSOR = 4;
const GRAPH = 5;
const FLOATS = 6;
const INTS = 7;
const STRINGS = 8;

const utf8 = new TextEncoder();

function valueInfo({ name, type, shape }: OnnxValue) {
  return {
    name,
    type: {
      tensorType: {
        elemType: type,
        ...(shape
          ? {
              shape: {
                dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
              },
            }
          : {}),
      },
    },
  };
}

function tensorMessage({ name, type, dims, data, strings }: OnnxInitializer) {
  return {
    name,
    dataType: type,
    dims: [...dims],
    ...(strings
      ? { stringData: [...strings] }
      : data
        ? { rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
        : {}),
  };
}

function attributeMessage(name: string, value: OnnxAttribute) {
  if (typeof value === 'number') return { name, i: value, type: INT };
  if (typeof value === 'string') return { name, s: utf8.encode(value), type: STRING };
  if (Array.isArray(value)) return { name, ints: [...(value as number[])], type: INTS };
  const tagged = value as Exclude<OnnxAttribute, number | string | readonly number[]>;
  if ('float' in tagged) return { name, f: tagged.float, type: FLOAT };
  if ('floats' in tagged) return { name, floats: [...tagged.floats], type: FLOATS };
  if ('strings' in tagged)
    return { name, strings: tagged.strings.map((s) => utf8.encode(s)), type: STRINGS };
  if ('tensor' in tagged) return { name, t: tensorMessage(tagged.tensor), type: TENSOR };
  return { name, g: graphMessage(tagged.graph), type: GRAPH };
}

function graphMessage(graph: OnnxGraph): object {
  return {
    name: graph.name ?? 'graph',
    input: graph.inputs.map(valueInfo),
    output: graph.outputs.map(valueInfo),
    initializer: (graph.initializers ?? []).map(tensorMessage),
    node: graph.nodes.map((node, i) => ({
      name: `${node.op.toLowerCase()}_${i}`,
      opType: node.op,
      ...(node.domain ? { domain: node.domain } : {}),
      input: [...node.inputs],
      output: [...node.outputs],
      attribute: Object.entries(node.attributes ?? {}).map(([name, value]) =>
        attributeMessage(name, value),
      ),
    })),
  };
}

/** Encodes a model as an ONNX `ModelProto` (IR version 8, default opset 17). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const message = ModelProto.create({
    irVersion: 8,
    producerName: 'nest-model-serving',
    producerVersion: '1',
    ...(model.docString ? { docString: model.docString } : {}),
    opsetImport: [
      { domain: '', version: model.opset ?? 17 },
      ...Object.entries(model.domains ?? {}).map(([domain, version]) => ({ domain, version })),
    ],
    graph: graphMessage(model),
  });
  return ModelProto.encode(message).finish();
}
