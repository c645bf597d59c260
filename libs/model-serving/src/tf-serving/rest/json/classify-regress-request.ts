import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type FeatureValues, type TfExample } from '../../../models/examples/example-codec.js';
import { base64Unescape } from './base64.js';
import { debugString } from './json-debug-string.js';
import { isBase64Object } from './json-tensor-fill.js';
import {
  type JsonObject,
  type JsonValue,
  getMember,
  jsonIntText,
  jsonStringBytes,
  jsonTypeName,
} from './json-value.js';

/** The examples of a classify or regress body, and the context shared by all of them. */
export interface ExamplesRequest {
  readonly context: TfExample | undefined;
  readonly examples: TfExample[];
}

type Kind = 'bytes' | 'float' | 'int64';

/** One feature being filled, like TF Serving's `Feature` proto (no kind until a value). */
interface FeatureBuilder {
  kind: Kind | undefined;
  readonly values: (Uint8Array | number | bigint)[];
}

function unexpectedType(name: string, value: JsonValue): InvalidInputError {
  return new InvalidInputError(
    `Feature: ${name} has element with unexpected JSON type: ${jsonTypeName(value)}`,
  );
}

/** TF Serving's `IsFeatureOfKind` (a feature without values takes any kind). */
function claim(feature: FeatureBuilder, name: string, kind: Kind): void {
  if (feature.kind !== undefined && feature.kind !== kind) {
    throw new InvalidInputError(
      `Unexpected element type in feature: ${name} expecting type: ${feature.kind}`,
    );
  }
  feature.kind = kind;
}

/** TF Serving's `AddValueToFeature`. */
function addValue(value: JsonValue, name: string, feature: FeatureBuilder): void {
  switch (value.kind) {
    case 'null':
    case 'array':
      throw unexpectedType(name, value);
    case 'bool':
      claim(feature, name, 'int64');
      feature.values.push(value.value ? 1n : 0n);
      return;
    case 'object': {
      if (!isBase64Object(value)) throw unexpectedType(name, value);
      claim(feature, name, 'bytes');
      const encoded = getMember(value, 'b64');
      const decoded =
        encoded?.kind === 'string' ? base64Unescape(jsonStringBytes(encoded)) : undefined;
      if (decoded === undefined) throw new InvalidInputError('Unable to base64 decode');
      feature.values.push(decoded);
      return;
    }
    case 'string':
      claim(feature, name, 'bytes');
      feature.values.push(jsonStringBytes(value));
      return;
    case 'double':
      claim(feature, name, 'float');
      feature.values.push(Math.fround(value.value));
      return;
    case 'int':
      claim(feature, name, 'int64');
      if (!value.int64) {
        throw new InvalidInputError(
          `Feature: ${name} has uint64_t element. Only int64_t is supported.`,
        );
      }
      feature.values.push(BigInt(jsonIntText(value)));
      return;
  }
}

function built(feature: FeatureBuilder): FeatureValues {
  return feature.kind === undefined
    ? { kind: 'none' }
    : ({ kind: feature.kind, values: feature.values } as FeatureValues);
}

/** TF Serving's `MakeExampleFromJsonObject`: a feature per member, the last duplicate wins. */
function readExample(value: JsonValue): TfExample {
  if (value.kind !== 'object') {
    throw new InvalidInputError(`Example must be JSON object but got JSON ${jsonTypeName(value)}`);
  }
  const example = new Map<string, FeatureValues>();
  for (const [key, content] of value.members) {
    const name = key.split('\0', 1)[0] ?? ''; // read through a C string: cut at NUL
    const feature: FeatureBuilder = { kind: undefined, values: [] };
    if (content.kind === 'array') for (const item of content.items) addValue(item, name, feature);
    else addValue(content, name, feature);
    example.set(name, built(feature));
  }
  return example;
}

function formatError(doc: JsonObject, text: string): InvalidInputError {
  return new InvalidInputError(`JSON Value: ${debugString(doc)} ${text}`);
}

/**
 * Reads the `context` and `examples` of a classify or regress body (after
 * `readPredictRequest` has parsed it and read `signature_name`), as TF Serving's
 * `FillClassifyRegressRequestFromJson`: each example an object of features, each feature a
 * value or a list of values — strings and `{"b64": ...}` as bytes, numbers with a fraction or
 * exponent as floats, integers and booleans as int64.
 * @throws InvalidInputError with TF Serving's messages, among them
 *   `JSON Value: <doc> When method is classify, key 'examples' is expected and was not found`
 *   (for regress too), `Example must be JSON object but got JSON <type>` and
 *   `Unexpected element type in feature: <f> expecting type: <bytes|float|int64>`.
 */
export function readExamplesRequest(doc: JsonObject): ExamplesRequest {
  const contextValue = getMember(doc, 'context');
  const context = contextValue === undefined ? undefined : readExample(contextValue);
  const examples = getMember(doc, 'examples');
  if (examples === undefined) {
    throw formatError(doc, "When method is classify, key 'examples' is expected and was not found");
  }
  if (examples.kind !== 'array') {
    throw formatError(doc, "Expecting 'examples' value to be an list/array");
  }
  if (examples.items.length === 0) throw formatError(doc, "'examples' value is an empty array");
  return { context, examples: examples.items.map(readExample) };
}
