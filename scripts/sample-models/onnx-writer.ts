// Writes ONNX models (the ModelProto protobuf) from the subset of ONNX's schema below, so that
// tests and the sample app build their own ONNX files: no converter, nothing downloaded.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';

// Field numbers as in ONNX's onnx.proto (IR version 8); only what the writers here use.
const SCHEMA = `
syntax = "proto3";
package onnx;
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
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
  repeated float floats = 7;
  repeated int64 ints = 8;
  int32 type = 20;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
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

/** ONNX's TensorProto.DataType numbers of the element types used here. */
export const ONNX_TYPE = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  double: 11,
} as const;

/** A dimension: a size, or a symbolic name (`'batch'`) for a dynamic one. */
export type OnnxDim = number | string;

export interface OnnxValue {
  name: string;
  type: number;
  shape: readonly OnnxDim[];
}

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, number | readonly number[]>>;
}

export interface OnnxInitializer {
  name: string;
  type: number;
  dims: readonly number[];
  /** Little-endian element bytes (a typed array's buffer). */
  data: ArrayBufferView;
}

export interface OnnxGraph {
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  nodes: readonly OnnxNode[];
  initializers?: readonly OnnxInitializer[];
  opset?: number;
}

const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

function valueInfo({ name, type, shape }: OnnxValue) {
  return {
    name,
    type: {
      tensorType: {
        elemType: type,
        shape: {
          dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

/** Encodes a graph as an ONNX ModelProto (IR version 8, default opset 17). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const message = ModelProto.create({
    irVersion: 8,
    producerName: 'nest-model-serving',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: graph.opset ?? 17 }],
    graph: {
      name: 'graph',
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: (graph.initializers ?? []).map(({ name, type, dims, data }) => ({
        name,
        dataType: type,
        dims: [...dims],
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      })),
      node: graph.nodes.map((node, i) => ({
        name: `${node.op.toLowerCase()}_${i}`,
        opType: node.op,
        input: [...node.inputs],
        output: [...node.outputs],
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) =>
          typeof value === 'number'
            ? { name, i: value, type: ATTRIBUTE_INT }
            : { name, ints: [...value], type: ATTRIBUTE_INTS },
        ),
      })),
    },
  });
  return ModelProto.encode(message).finish();
}

/** Writes `<dir>/model.onnx`. */
export async function writeOnnxModel(dir: string, graph: OnnxGraph): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), encodeOnnxModel(graph));
}
