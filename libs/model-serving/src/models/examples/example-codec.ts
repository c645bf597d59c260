import protobuf from 'protobufjs';
import { InvalidInputError } from '../../errors/invalid-input.error.js';

/**
 * The values of one `tensorflow.Feature`: a bytes, float or int64 list, or `none` when the
 * feature is present with no kind set (TF Serving's JSON `"f": []`).
 * @publicApi
 */
export type FeatureValues =
  | { readonly kind: 'bytes'; readonly values: readonly Uint8Array[] }
  | { readonly kind: 'float'; readonly values: readonly number[] }
  | { readonly kind: 'int64'; readonly values: readonly bigint[] }
  | { readonly kind: 'none' };

/**
 * A `tensorflow.Example`: its features by name.
 * @publicApi
 */
export type TfExample = ReadonlyMap<string, FeatureValues>;

// Field numbers of tensorflow/core/example/{example,feature}.proto.
const LEN = 2;
const tag = (field: number, wireType: number): number => (field << 3) | wireType;
const KIND_FIELDS = { bytes: 1, float: 2, int64: 3 } as const;
const KINDS = ['none', 'bytes', 'float', 'int64'] as const;

/** Varints of a packed int64 list (two's complement, ten bytes for negatives). */
function packVarints(values: readonly bigint[]): Uint8Array {
  const out: number[] = [];
  for (const value of values) {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
  }
  return Uint8Array.from(out);
}

function packFloats(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

function writeFeature(w: protobuf.Writer, feature: FeatureValues): void {
  switch (feature.kind) {
    case 'none':
      return;
    case 'bytes':
      w.uint32(tag(KIND_FIELDS.bytes, LEN)).fork();
      for (const v of feature.values) w.uint32(tag(1, LEN)).bytes(v);
      w.ldelim();
      return;
    case 'float':
      w.uint32(tag(KIND_FIELDS.float, LEN)).fork();
      if (feature.values.length) w.uint32(tag(1, LEN)).bytes(packFloats(feature.values));
      w.ldelim();
      return;
    case 'int64':
      w.uint32(tag(KIND_FIELDS.int64, LEN)).fork();
      if (feature.values.length) w.uint32(tag(1, LEN)).bytes(packVarints(feature.values));
      w.ldelim();
      return;
  }
}

/**
 * Serializes an Example as TensorFlow does (packed float and int64 lists), features in the
 * map's order.
 * @publicApi
 */
export function encodeExample(example: TfExample): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1, LEN)).fork();
  for (const [name, feature] of example) {
    w.uint32(tag(1, LEN)).fork(); // one map entry: key = 1, value = 2
    w.uint32(tag(1, LEN)).string(name);
    w.uint32(tag(2, LEN)).fork();
    writeFeature(w, feature);
    w.ldelim();
    w.ldelim();
  }
  w.ldelim();
  return w.finish();
}

/** Each field of a (sub)message, `read` consuming its value. */
function forEachField(
  bytes: Uint8Array,
  read: (field: number, wire: number, r: protobuf.Reader) => void,
): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const key = r.uint32();
    const field = key >>> 3;
    if (field === 0) throw new Error('field number 0');
    read(field, key & 7, r);
  }
}

function readVarint64(r: protobuf.Reader): bigint {
  let value = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (r.pos >= r.len) throw new Error('truncated varint');
    const b = r.buf[r.pos++] ?? 0;
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return BigInt.asIntN(64, value);
  }
  throw new Error('varint longer than ten bytes');
}

/** A Feature's list field, appended to `into` (repeated fields merge, packed or not). */
function readList(kind: 'bytes' | 'float' | 'int64', bytes: Uint8Array, into: unknown[]): void {
  forEachField(bytes, (field, wire, r) => {
    if (field !== 1) return void r.skipType(wire);
    if (kind === 'bytes' && wire === LEN) into.push(Uint8Array.from(r.bytes()));
    else if (kind === 'float' && wire === 5) into.push(r.float());
    else if (kind === 'int64' && wire === 0) into.push(readVarint64(r));
    else if (kind === 'float' && wire === LEN) {
      const packed = r.bytes();
      const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
      if (packed.byteLength % 4) throw new Error('packed floats of a length not a multiple of 4');
      for (let i = 0; i < packed.byteLength; i += 4) into.push(view.getFloat32(i, true));
    } else if (kind === 'int64' && wire === LEN) {
      const packed = protobuf.Reader.create(r.bytes());
      while (packed.pos < packed.len) into.push(readVarint64(packed));
    } else throw new Error(`wire type ${wire} for a ${kind} list`);
  });
}

function readFeature(bytes: Uint8Array): FeatureValues {
  const state: { kind: (typeof KINDS)[number]; values: unknown[] } = { kind: 'none', values: [] };
  forEachField(bytes, (field, wire, r) => {
    const kind = KINDS[field];
    if (kind === undefined || kind === 'none' || wire !== LEN) {
      r.skipType(wire);
      return;
    }
    // A oneof: a field of another kind replaces the value, the same kind merges into it.
    if (kind !== state.kind) state.values = [];
    state.kind = kind;
    readList(kind, r.bytes(), state.values);
  });
  return state.kind === 'none'
    ? { kind: 'none' }
    : ({ kind: state.kind, values: state.values } as FeatureValues);
}

/**
 * Parses a serialized Example with protobuf's merge rules (a repeated `features` field merges,
 * the last entry of a feature name wins), unknown fields skipped.
 * @throws InvalidInputError when the bytes are not a valid Example.
 * @publicApi
 */
export function decodeExample(bytes: Uint8Array): TfExample {
  const features = new Map<string, FeatureValues>();
  try {
    forEachField(bytes, (field, wire, r) => {
      if (field !== 1 || wire !== LEN) return void r.skipType(wire);
      forEachField(r.bytes(), (entryField, entryWire, entries) => {
        if (entryField !== 1 || entryWire !== LEN) return void entries.skipType(entryWire);
        let name = '';
        let feature: FeatureValues = { kind: 'none' };
        forEachField(entries.bytes(), (f, w, entry) => {
          if (f === 1 && w === LEN) name = entry.string();
          else if (f === 2 && w === LEN) feature = readFeature(entry.bytes());
          else entry.skipType(w);
        });
        features.set(name, feature);
      });
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`Could not parse a serialized tf.Example: ${reason}`);
  }
  return features;
}

/**
 * An example with the shared context's features added, as TF Serving's
 * `example_list_with_context` does (it parses context + example as one message): a feature
 * the example also has keeps the example's value.
 */
export function mergeExampleContext(context: TfExample | undefined, example: TfExample): TfExample {
  if (context === undefined || context.size === 0) return example;
  return new Map([...context, ...example]);
}

/** The serialized examples a classify/regress signature is fed, context merged into each. */
export function serializeExamples(
  examples: readonly TfExample[],
  context?: TfExample,
): Uint8Array[] {
  return examples.map((example) => encodeExample(mergeExampleContext(context, example)));
}
