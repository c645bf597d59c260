import { setImmediate } from 'node:timers/promises';
import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorData } from '../../../tensor/tensor-data.js';
import { compareUtf8 } from './json-value.js';
import { type PredictFormat } from './predict-request.js';
import { PrettyWriter } from './pretty-writer.js';
import { TensorJsonWriter } from './tensor-json-writer.js';

/** Keys go through `name.c_str()` in TF Serving, so a NUL ends them. */
function cString(name: string): string {
  return name.split('\0', 1)[0] ?? '';
}

/** Values written between two yields of {@link encodePredictResponseAsync}: a few ms of work. */
const YIELD_VALUES = 64 * 1024;

/** The values {@link encodePredictResponseAsync} may still write before it yields. */
interface Budget {
  left: number;
}

/**
 * Starts writing `tensor` with `out` (a single value, or none, is written at once) and
 * charges what was written to `budget`.
 */
function startTensor(
  out: TensorJsonWriter,
  budget: Budget,
  name: string,
  tensor: TensorData,
  dim: number,
  offset: number,
): void {
  out.start(name, tensor, dim, offset);
  budget.left -= out.offset - offset;
}

/** Writes on until the tensor is done or `budget` is spent; true when a yield is due. */
function writeSome(out: TensorJsonWriter, budget: Budget): boolean {
  while (!out.done && budget.left > 0) budget.left -= out.write(budget.left);
  if (budget.left > 0) return false;
  budget.left = YIELD_VALUES;
  return true;
}

function* encodeRow(
  names: readonly string[],
  outputs: Readonly<Record<string, TensorData>>,
): Generator<void, string> {
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
  const out = new TensorJsonWriter(writer);
  const budget: Budget = { left: YIELD_VALUES };
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
    for (let i = 0; i < tensors.length; i++) {
      const [name, tensor] = tensors[i] ?? ['', undefined];
      if (tensor === undefined) continue;
      if (asObjects) writer.key(cString(name));
      startTensor(out, budget, name, tensor, 1, offsets[i] ?? 0);
      while (writeSome(out, budget)) yield;
      offsets[i] = out.offset;
    }
    writer.setSingleLineArrays(false);
    if (asObjects) writer.endObject();
  }
  writer.endArray();
  writer.endObject();
  return writer.toString();
}

function* encodeColumnar(
  names: readonly string[],
  outputs: Readonly<Record<string, TensorData>>,
): Generator<void, string> {
  const writer = new PrettyWriter();
  const out = new TensorJsonWriter(writer);
  const budget: Budget = { left: YIELD_VALUES };
  writer.startObject();
  writer.key('outputs');
  const asObject = names.length > 1;
  if (asObject) writer.startObject();
  for (const name of names) {
    const tensor = outputs[name];
    if (tensor === undefined) continue;
    if (asObject) writer.key(cString(name));
    startTensor(out, budget, name, tensor, 0, 0);
    while (writeSome(out, budget)) yield;
  }
  if (asObject) writer.endObject();
  writer.endObject();
  return writer.toString();
}

/** The encoding as steps: each `next()` writes up to {@link YIELD_VALUES} values. */
function encodeSteps(
  format: PredictFormat,
  outputs: Readonly<Record<string, TensorData>>,
): Generator<void, string> {
  const names = Object.keys(outputs).sort(compareUtf8);
  if (names.length === 0) throw new InvalidInputError('Cannot convert empty tensor map to JSON');
  return format === 'row' ? encodeRow(names, outputs) : encodeColumnar(names, outputs);
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
  const steps = encodeSteps(format, outputs);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * {@link encodePredictResponse}, yielding to the event loop after every 64 Ki values so that
 * a large response (millions of values take seconds to format) does not hold up other
 * requests; a smaller one is encoded at once. The same bytes and errors.
 * @throws InvalidInputError as {@link encodePredictResponse} (as a rejection).
 */
export async function encodePredictResponseAsync(
  format: PredictFormat,
  outputs: Readonly<Record<string, TensorData>>,
): Promise<string> {
  const steps = encodeSteps(format, outputs);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await setImmediate();
  }
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
