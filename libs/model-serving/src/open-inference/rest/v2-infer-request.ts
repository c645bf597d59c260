import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type V2InferCall, type V2InferInput } from '../v2-infer.js';
import { readV2Shape, type V2Value } from '../v2-tensor-values.js';
import { parseV2Json, stringifyV2Json } from '../v2-json.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The request document, whichever way it arrived: text or bytes (parsed here, integers past
 * 2^53 as bigints with all their digits), or an object from the framework's JSON parser.
 */
function parseBody(body: unknown): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    if (text.trim() === '')
      throw new InvalidInputError('The request body is empty; send a JSON object');
    try {
      return parseV2Json(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unreadable';
      throw new InvalidInputError(`The request body is not valid JSON: ${reason}`);
    }
  }
  if (body === undefined || body === null) {
    throw new InvalidInputError(
      'The request body is missing; send a JSON object with Content-Type: application/json',
    );
  }
  return body;
}

/** Nested lists of values, flattened in row-major order. */
function flatten(data: unknown, where: string): V2Value[] {
  const flat: V2Value[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) walk(item);
    } else if (
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'boolean' ||
      typeof value === 'string'
    ) {
      flat.push(value);
    } else {
      throw new InvalidInputError(`${where}: data holds ${stringifyV2Json(value)}, not a value`);
    }
  };
  walk(data);
  return flat;
}

function readInput(value: unknown, index: number): V2InferInput {
  if (!isObject(value) || typeof value.name !== 'string' || value.name === '') {
    throw new InvalidInputError(`inputs[${index}] must be an object with a non-empty "name"`);
  }
  const where = `input '${value.name}'`;
  if (!('data' in value)) throw new InvalidInputError(`${where} has no "data"`);
  if (!('datatype' in value)) throw new InvalidInputError(`${where} has no "datatype"`);
  return {
    name: value.name,
    datatype: value.datatype,
    shape: readV2Shape(value.shape, where),
    values: flatten(value.data, where),
  };
}

function readOutputs(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidInputError('"outputs" must be a list');
  return (value as unknown[]).map((output, index) => {
    if (!isObject(output) || typeof output.name !== 'string') {
      throw new InvalidInputError(`outputs[${index}] must be an object with a "name"`);
    }
    return output.name;
  });
}

/**
 * Reads a REST inference request (`POST …/infer`). `parameters` are accepted and ignored.
 * @throws InvalidInputError for bad JSON or a document that is not an inference request.
 */
export function readV2InferRequest(
  body: unknown,
  model: string,
  version: string | undefined,
): V2InferCall {
  const doc = parseBody(body);
  if (!isObject(doc)) throw new InvalidInputError('The request body must be a JSON object');
  if (doc.id !== undefined && typeof doc.id !== 'string') {
    throw new InvalidInputError('"id" must be a string');
  }
  if (doc.parameters !== undefined && !isObject(doc.parameters)) {
    throw new InvalidInputError('"parameters" must be an object');
  }
  if (!Array.isArray(doc.inputs)) {
    throw new InvalidInputError('The request must have "inputs", a list of tensors');
  }
  const outputs = readOutputs(doc.outputs);
  return {
    model,
    version,
    inputs: (doc.inputs as unknown[]).map(readInput),
    ...(doc.id !== undefined ? { id: doc.id } : {}),
    ...(outputs ? { outputs } : {}),
  };
}
