import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorData, isStringData } from '../../../tensor/tensor-data.js';
import { base64Escape } from './base64.js';
import { formatFloat } from './float-format.js';
import { dataTypeString } from './json-tensor-fill.js';
import { compareUtf8 } from './json-value.js';
import { type PredictFormat } from './predict-request.js';
import { PrettyWriter } from './pretty-writer.js';

/** Keys go through `name.c_str()` in TF Serving, so a NUL ends them. */
function cString(name: string): string {
  return name.split('\0', 1)[0] ?? '';
}

function missingValues(name: string, tensor: TensorData): InvalidInputError {
  return new InvalidInputError(
    `Tensor name: ${name} has fewer values than its shape [${tensor.shape.join(',')}]`,
  );
}

/** TF Serving's `AddSingleValueAndAdvance`. */
function writeValue(writer: PrettyWriter, name: string, tensor: TensorData, offset: number): void {
  const { data } = tensor;
  if (isStringData(data)) {
    const bytes = data[offset];
    if (bytes === undefined) throw missingValues(name, tensor);
    if (!name.endsWith('_bytes')) {
      writer.string(bytes);
      return;
    }
    writer.startObject();
    writer.key('b64');
    writer.string(base64Escape(bytes));
    writer.endObject();
    return;
  }
  const number = data[offset];
  if (number === undefined) throw missingValues(name, tensor);
  switch (tensor.dtype) {
    case 'float32':
      writer.raw(formatFloat(number, 'float32'));
      return;
    case 'int32':
      writer.raw(String(number));
      return;
    case 'bool':
      writer.bool(number !== 0);
      return;
    case 'string': // string data never reaches here; other dtypes fail as in TF Serving
    default:
      throw new InvalidInputError(
        `Failed to write JSON value for tensor type: ${dataTypeString(tensor.dtype)}`,
      );
  }
}

/** TF Serving's `AddTensorValues`: dimensions from `dim` on; returns the next offset. */
function writeValues(
  writer: PrettyWriter,
  name: string,
  tensor: TensorData,
  dim: number,
  offset: number,
): number {
  const { shape } = tensor;
  if (dim > shape.length - 1) {
    writeValue(writer, name, tensor, offset);
    return offset + 1;
  }
  writer.startArray();
  const size = shape[dim] ?? 0;
  for (let i = 0; i < size; i++) {
    if (dim === shape.length - 1) writeValue(writer, name, tensor, offset++);
    else offset = writeValues(writer, name, tensor, dim + 1, offset);
  }
  writer.endArray();
  return offset;
}

function encodeRow(
  names: readonly string[],
  outputs: Readonly<Record<string, TensorData>>,
): string {
  const tensors = names.map((name) => [name, outputs[name]] as const);
  let batch = -1;
  for (const [name, tensor] of tensors) {
    const size = tensor?.shape[0];
    if (size === undefined) {
      throw new InvalidInputError(`Tensor name: ${name} has no shape information `);
    }
    if (batch >= 0 && batch !== size) {
      throw new InvalidInputError(
        `Tensor name: ${name} has inconsistent batch size: ${size} expecting: ${batch}`,
      );
    }
    batch = size;
  }
  const writer = new PrettyWriter();
  writer.startObject();
  writer.key('predictions');
  writer.startArray();
  const asObjects = tensors.length > 1;
  const offsets = tensors.map(() => 0);
  for (let item = 0; item < batch; item++) {
    // Each item opens in the multi-line format, its contents are single-line: hence `[1.0, 2.0`
    // followed by `\n    ]`, exactly TF Serving's sequence of format switches.
    if (asObjects) writer.startObject();
    writer.setSingleLineArrays(true);
    tensors.forEach(([name, tensor], i) => {
      if (tensor === undefined) return;
      if (asObjects) writer.key(cString(name));
      offsets[i] = writeValues(writer, name, tensor, 1, offsets[i] ?? 0);
    });
    writer.setSingleLineArrays(false);
    if (asObjects) writer.endObject();
  }
  writer.endArray();
  writer.endObject();
  return writer.toString();
}

function encodeColumnar(
  names: readonly string[],
  outputs: Readonly<Record<string, TensorData>>,
): string {
  const writer = new PrettyWriter();
  writer.startObject();
  writer.key('outputs');
  const asObject = names.length > 1;
  if (asObject) writer.startObject();
  for (const name of names) {
    const tensor = outputs[name];
    if (tensor === undefined) continue;
    if (asObject) writer.key(cString(name));
    writeValues(writer, name, tensor, 0, 0);
  }
  if (asObject) writer.endObject();
  writer.endObject();
  return writer.toString();
}

/**
 * TF Serving's `MakeJsonFromTensors`, byte for byte: `{"predictions": [...]}` (one entry per
 * batch item, an object per item when there are several outputs) for row-format requests,
 * `{"outputs": ...}` (the tensor as nested lists, an object by alias when there are several)
 * for columnar ones, in rapidjson's PrettyWriter layout with no trailing newline. float32 is
 * written by {@link formatFloat} (NaN/Infinity raw), int32 plainly, bool as true/false, strings
 * as JSON strings of their bytes, or `{"b64": ...}` when the alias ends in `_bytes`. Outputs
 * are taken in sorted alias order (TF Serving's protobuf map order is unspecified).
 * @throws InvalidInputError `Cannot convert empty tensor map to JSON`; in row format
 *   `Tensor name: <n> has no shape information ` for a scalar output and
 *   `Tensor name: <n> has inconsistent batch size: <a> expecting: <b>`.
 */
export function encodePredictResponse(
  format: PredictFormat,
  outputs: Readonly<Record<string, TensorData>>,
): string {
  const names = Object.keys(outputs).sort(compareUtf8);
  if (names.length === 0) throw new InvalidInputError('Cannot convert empty tensor map to JSON');
  return format === 'row' ? encodeRow(names, outputs) : encodeColumnar(names, outputs);
}

/**
 * TF Serving's `MakeJsonFromStatus`: `{\n    "error": "<message>"\n}` with rapidjson escaping
 * (only `"`, `\` and control characters) and no trailing newline.
 */
export function encodeErrorBody(message: string): string {
  const writer = new PrettyWriter();
  writer.startObject();
  writer.key('error');
  writer.string(message);
  writer.endObject();
  return writer.toString();
}
