import { GrpcStatusCode } from '../../../errors/grpc-status-code.js';
import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { ModelServingError } from '../../../errors/model-serving.error.js';
import { DEFAULT_SIGNATURE, type SignatureDef } from '../../../models/signature.js';
import { type TensorData } from '../../../tensor/tensor-data.js';
import { debugString } from './json-debug-string.js';
import { parseJson } from './json-reader.js';
import { PackedJsonArray } from './json-packed-array.js';
import {
  TensorValues,
  denseShape,
  fillTensor,
  isBase64Object,
  takesWholeBlocks,
} from './json-tensor-fill.js';
import {
  type JsonArray,
  type JsonObject,
  type JsonValue,
  compareUtf8,
  getMember,
} from './json-value.js';
import { parsedBodyFor } from './parsed-body.js';

/** A parsed predict body whose root is an object. */
export interface PredictRequestJson {
  readonly doc: JsonObject;
  /** The signature to run: `signature_name`, or `serving_default` when absent or empty. */
  readonly signatureName: string;
  /** `signature_name` as sent (`''` when absent), for {@link decodePredictInputs}'s messages. */
  readonly requestedSignatureName: string;
}

/** `instances` (row format) or `inputs` (columnar); the response mirrors it. */
export type PredictFormat = 'row' | 'columnar';

export interface PredictInputs {
  readonly format: PredictFormat;
  /** One tensor per input alias, with the dtype the signature declares. */
  readonly inputs: Record<string, TensorData>;
}

function formatError(value: JsonValue, text: string): InvalidInputError {
  return new InvalidInputError(`JSON Value: ${debugString(value)} ${text}`);
}

/** `Status::ToString()` of an inner error, as TF Serving nests it: `INVALID_ARGUMENT: <msg>`. */
function statusText(error: unknown): string {
  if (!(error instanceof ModelServingError)) throw error;
  return `${GrpcStatusCode[error.code]}: ${error.message}`;
}

/**
 * Parses a predict body and reads its signature, the first two steps of TF Serving's
 * `FillPredictRequestFromJson` (the servable and signature lookup come next, then
 * {@link decodePredictInputs}).
 * @throws InvalidInputError `JSON Parse error: ...`, `JSON Value: <dbg> Is not object`, or
 *   `JSON Value: <dbg> not formatted correctly. 'signature_name' key must be a string value.`
 */
export function readPredictRequest(body: string | Uint8Array): PredictRequestJson {
  const doc = (typeof body === 'string' ? parsedBodyFor(body) : undefined) ?? parseJson(body);
  if (doc.kind !== 'object') throw formatError(doc, 'Is not object');
  const signature = getMember(doc, 'signature_name');
  if (signature !== undefined && signature.kind !== 'string') {
    throw formatError(doc, "not formatted correctly. 'signature_name' key must be a string value.");
  }
  const requested = signature?.value ?? '';
  return {
    doc,
    signatureName: requested === '' ? DEFAULT_SIGNATURE : requested,
    requestedSignatureName: requested,
  };
}

/**
 * Builds the input tensors from `instances` or `inputs`, with TF Serving's checks and messages
 * in its order. Input shapes are inferred from the JSON (the first element at each level);
 * the signature's declared shapes are not enforced here, as TF Serving leaves that to the run.
 * Where TF Serving walks inputs in protobuf map order, this uses sorted alias order.
 * @param signatureKey the request's `signature_name` as sent (`requestedSignatureName`): only
 *   used in `Failed to get input map for signature: <key or DEFAULT>`.
 * @throws InvalidInputError with TF Serving's message (UnimplementedError for dtypes it
 *   cannot fill from JSON).
 */
export function decodePredictInputs(
  doc: JsonObject,
  signatureKey: string,
  signature: SignatureDef,
): PredictInputs {
  const names = Object.keys(signature.inputs).sort(compareUtf8);
  if (names.length === 0) {
    throw new InvalidInputError(
      `Failed to get input map for signature: ${signatureKey === '' ? 'DEFAULT' : signatureKey}`,
    );
  }
  const instances = getMember(doc, 'instances');
  const inputs = getMember(doc, 'inputs');
  if (instances !== undefined && inputs !== undefined) {
    throw formatError(
      doc,
      "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist ",
    );
  }
  if (instances !== undefined) {
    if (instances.kind !== 'array') {
      throw formatError(doc, "Expecting 'instances' to be an list/array");
    }
    const count = instances instanceof PackedJsonArray ? instances.length : instances.items.length;
    if (count === 0) throw formatError(doc, "No values in 'instances' array");
    return { format: 'row', inputs: decodeInstances(instances, names, signature) };
  }
  if (inputs !== undefined) {
    return { format: 'columnar', inputs: decodeColumnar(inputs, names, signature) };
  }
  throw new InvalidInputError("Missing 'inputs' or 'instances' key");
}

/** TF Serving's `FillTensorMapFromInputsMap`. */
function decodeColumnar(
  value: JsonValue,
  names: readonly string[],
  signature: SignatureDef,
): Record<string, TensorData> {
  const decode = (name: string, item: JsonValue): TensorData => {
    const values = new TensorValues(signature.inputs[name]?.dtype ?? 'float32');
    const shape = denseShape(item);
    fillTensor(item, shape, values);
    return values.toTensorData(shape);
  };
  const [first] = names;
  if (value.kind !== 'object' || isBase64Object(value)) {
    if (names.length > 1 || first === undefined) {
      throw new InvalidInputError(
        'inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map',
      );
    }
    return Object.fromEntries([[first, decode(first, value)]]);
  }
  return Object.fromEntries(
    names.map((name) => {
      const item = getMember(value, name); // extra keys are ignored
      if (item === undefined) {
        throw new InvalidInputError(`Missing named input: ${name} in 'inputs' object.`);
      }
      return [name, decode(name, item)];
    }),
  );
}

/** What the first element of one input fixed: later elements must match it. */
interface RowInput {
  readonly values: TensorValues;
  size?: number;
  shape?: readonly number[];
}

/** TF Serving's `FillTensorMapFromInstancesList` (with `AddInstanceItem`). */
function decodeInstances(
  instances: JsonArray,
  names: readonly string[],
  signature: SignatureDef,
): Record<string, TensorData> {
  const [name] = names;
  const dtype = name === undefined ? undefined : signature.inputs[name]?.dtype;
  if (
    instances instanceof PackedJsonArray &&
    names.length === 1 &&
    dtype !== undefined &&
    takesWholeBlocks(dtype, instances)
  ) {
    // A block of numbers the dtype accepts: each element is one equally shaped instance of
    // the one input, so the tensor is the block.
    const values = new TensorValues(dtype);
    values.pushAll(instances.values);
    return { [name ?? '']: values.toTensorData(instances.shape) };
  }
  const { items } = instances;
  const [first] = items;
  if (first?.kind !== 'object' && names.length > 1) {
    throw new InvalidInputError(
      'instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map',
    );
  }
  const isElementObject = (v: JsonValue | undefined): v is JsonObject =>
    v?.kind === 'object' && !isBase64Object(v);
  const objectMode = isElementObject(first);
  const rows = new Map<string, RowInput>();
  const addItem = (item: JsonValue, name: string): void => {
    const spec = Object.hasOwn(signature.inputs, name) ? signature.inputs[name] : undefined;
    if (spec === undefined) {
      throw new InvalidInputError(`JSON object: does not have named input: ${name}`);
    }
    let row = rows.get(name);
    if (row === undefined) rows.set(name, (row = { values: new TensorValues(spec.dtype) }));
    const shape = denseShape(item);
    const size = fillTensor(item, shape, row.values);
    if (row.size === undefined || row.shape === undefined) {
      row.size = size;
      row.shape = shape;
    } else if (row.size !== size) {
      throw new InvalidInputError(`Expecting tensor size: ${row.size} but got: ${size}`);
    } else if (row.shape.join() !== shape.join()) {
      throw new InvalidInputError(
        `Expecting shape [${row.shape.join(',')}] but got: [${shape.join(',')}]`,
      );
    }
  };

  items.forEach((element, index) => {
    if (!objectMode) {
      if (isElementObject(element)) {
        throw new InvalidInputError(
          `Expecting value/list but got object at item ${index} of input list`,
        );
      }
      try {
        addItem(element, names[0] ?? '');
      } catch (error) {
        throw new InvalidInputError(
          `Failed to process element: ${index} of 'instances' list. Error: ${statusText(error)}`,
        );
      }
      return;
    }
    if (!isElementObject(element)) {
      throw new InvalidInputError(`Expecting object but got list at item ${index} of input list`);
    }
    const keys = new Set<string>();
    for (const [key, value] of element.members) {
      const name = key.split('\0', 1)[0] ?? ''; // read through a C string: cut at NUL
      keys.add(name);
      try {
        addItem(value, name);
      } catch (error) {
        throw new InvalidInputError(
          `Failed to process element: ${index} key: ${name} of 'instances' list. Error: ${statusText(error)}`,
        );
      }
    }
    if (keys.size !== names.length || names.some((name) => !keys.has(name))) {
      throw new InvalidInputError(
        `Failed to process element: ${index} of 'instances' list. JSON object: ${debugString(element)} keys must be equal to: ${names.join(',')}`,
      );
    }
  });

  return Object.fromEntries(
    [...rows].map(([name, row]) => [
      name,
      row.values.toTensorData([items.length, ...(row.shape ?? [])]),
    ]),
  );
}
