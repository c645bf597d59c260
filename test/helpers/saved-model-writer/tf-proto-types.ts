import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTOS_DIR } from '../../../libs/model-serving/src/protos/proto-path.js';

let root: protobuf.Root | undefined;

/** A TensorFlow message type from the project's protos (camelCase fields), for writing. */
export function tfProtoType(name: string): protobuf.Type {
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    root.loadSync([
      'tensorflow/core/protobuf/saved_model.proto',
      'tensorflow/core/protobuf/tensor_bundle.proto',
    ]);
  }
  return root.lookupType(name);
}
