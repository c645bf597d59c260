import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTOS_DIR } from './proto-path.js';

let root: protobuf.Root | undefined;

/**
 * The project's own protos, loaded once with protobufjs for messages that travel inside
 * others (`Any`) or are read from files. Imports resolve inside the protos folder.
 */
export function protoRoot(): protobuf.Root {
  if (!root) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    loaded.loadSync(
      [
        'tensorflow_serving/apis/get_model_metadata.proto',
        'tensorflow_serving/apis/prediction_log.proto',
      ],
      { keepCase: true },
    );
    root = loaded;
  }
  return root;
}
