import { join } from 'node:path';
import protobuf from 'protobufjs';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { PROTOS_DIR } from '../../protos/proto-path.js';
import {
  type BundleEntryMsg,
  type BundleHeaderMsg,
  type SavedModelMsg,
  type TensorProtoMsg,
} from './tf-messages.js';

interface Types {
  savedModel: protobuf.Type;
  bundleEntry: protobuf.Type;
  bundleHeader: protobuf.Type;
  tensorProto: protobuf.Type;
}

let types: Types | undefined;

/** The project's TensorFlow protos, loaded once, with camelCase field names. */
function load(): Types {
  if (!types) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    root.loadSync(
      [
        'tensorflow/core/protobuf/saved_model.proto',
        'tensorflow/core/protobuf/tensor_bundle.proto',
      ],
      { keepCase: false },
    );
    types = {
      savedModel: root.lookupType('tensorflow.SavedModel'),
      bundleEntry: root.lookupType('tensorflow.BundleEntryProto'),
      bundleHeader: root.lookupType('tensorflow.BundleHeaderProto'),
      tensorProto: root.lookupType('tensorflow.TensorProto'),
    };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: false };

function decode<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  try {
    return type.toObject(type.decode(bytes), TO_OBJECT) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(
      `${what} is not a valid ${type.name} protobuf (${reason})`,
      GrpcStatusCode.DATA_LOSS,
    );
  }
}

/** Decodes `saved_model.pb`. A truncated file may still decode: callers check structure. */
export function decodeSavedModel(bytes: Uint8Array): SavedModelMsg {
  return decode(load().savedModel, bytes, 'saved_model.pb');
}

export function decodeBundleHeader(bytes: Uint8Array): BundleHeaderMsg {
  return decode(load().bundleHeader, bytes, 'the checkpoint header');
}

export function decodeBundleEntry(bytes: Uint8Array, key: string): BundleEntryMsg {
  return decode(load().bundleEntry, bytes, `the checkpoint entry of '${key}'`);
}

/** Decodes a serialized TensorProto (used by tests and by `tensor` attributes read raw). */
export function decodeTensorProto(bytes: Uint8Array): TensorProtoMsg {
  return decode(load().tensorProto, bytes, 'a TensorProto');
}
