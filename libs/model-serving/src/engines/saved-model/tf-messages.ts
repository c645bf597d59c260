/**
 * TensorFlow's messages as protobufjs decodes them here (`toObject` with camelCase names,
 * enums as names, 64-bit integers as decimal strings, bytes as `Uint8Array`, unset fields
 * absent). Only the fields this loader reads are listed.
 */

export interface TensorShapeMsg {
  dim?: { size?: string; name?: string }[];
  unknownRank?: boolean;
}

export interface TensorProtoMsg {
  dtype?: string;
  tensorShape?: TensorShapeMsg;
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  stringVal?: Uint8Array[];
  int64Val?: string[];
  boolVal?: boolean[];
  uint32Val?: number[];
  uint64Val?: string[];
}

export interface NameAttrListMsg {
  name?: string;
  attr?: Record<string, AttrValueMsg>;
}

export interface AttrListMsg {
  s?: Uint8Array[];
  i?: string[];
  f?: number[];
  b?: boolean[];
  type?: string[];
  shape?: TensorShapeMsg[];
  tensor?: TensorProtoMsg[];
  func?: NameAttrListMsg[];
}

export interface AttrValueMsg {
  s?: Uint8Array;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TensorShapeMsg;
  tensor?: TensorProtoMsg;
  list?: AttrListMsg;
  func?: NameAttrListMsg;
  placeholder?: string;
}

export interface NodeDefMsg {
  name?: string;
  op?: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValueMsg>;
}

export interface ArgDefMsg {
  name?: string;
  type?: string;
  typeAttr?: string;
  numberAttr?: string;
  typeListAttr?: string;
}

export interface OpDefMsg {
  name?: string;
  inputArg?: ArgDefMsg[];
  outputArg?: ArgDefMsg[];
  attr?: { name?: string; type?: string; defaultValue?: AttrValueMsg }[];
}

export interface FunctionDefMsg {
  signature?: OpDefMsg;
  attr?: Record<string, AttrValueMsg>;
  nodeDef?: NodeDefMsg[];
  ret?: Record<string, string>;
}

export interface GraphDefMsg {
  node?: NodeDefMsg[];
  versions?: { producer?: number; minConsumer?: number };
  library?: { function?: FunctionDefMsg[] };
}

export interface TensorInfoMsg {
  name?: string;
  cooSparse?: { valuesTensorName?: string };
  compositeTensor?: unknown;
  dtype?: string;
  tensorShape?: TensorShapeMsg;
}

export interface SignatureDefMsg {
  inputs?: Record<string, TensorInfoMsg>;
  outputs?: Record<string, TensorInfoMsg>;
  methodName?: string;
}

export interface SaverDefMsg {
  filenameTensorName?: string;
  restoreOpName?: string;
  version?: string;
}

export interface MetaGraphDefMsg {
  metaInfoDef?: { tags?: string[]; strippedOpList?: { op?: OpDefMsg[] } };
  graphDef?: GraphDefMsg;
  saverDef?: SaverDefMsg;
  signatureDef?: Record<string, SignatureDefMsg>;
  collectionDef?: Record<string, { nodeList?: { value?: string[] } }>;
}

export interface SavedModelMsg {
  savedModelSchemaVersion?: string;
  metaGraphs?: MetaGraphDefMsg[];
}

export interface BundleHeaderMsg {
  numShards?: number;
  endianness?: string;
  version?: { producer?: number; minConsumer?: number };
}

export interface BundleEntryMsg {
  dtype?: string;
  shape?: TensorShapeMsg;
  shardId?: number;
  offset?: string;
  size?: string;
  crc32c?: number;
  slices?: unknown[];
}
