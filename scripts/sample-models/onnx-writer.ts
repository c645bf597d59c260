// Writes ONNX models for tests and the sample app with the library's own ModelProto writer:
// no converter, nothing downloaded.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeOnnxModel,
  type OnnxModel,
} from '../../libs/model-serving/src/engines/onnx/onnx-model-writer.js';

export {
  encodeOnnxModel,
  ONNX_TYPE,
  type OnnxDim,
  type OnnxInitializer,
  type OnnxModel as OnnxGraph,
  type OnnxNode,
  type OnnxValue,
} from '../../libs/model-serving/src/engines/onnx/onnx-model-writer.js';

/** Writes `<dir>/model.onnx`. */
export async function writeOnnxModel(dir: string, graph: OnnxModel): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), encodeOnnxModel(graph));
}
