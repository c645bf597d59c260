import { existsSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { PROTOS_DIR } from '../../protos/proto-path.js';
import {
  decodeExample,
  encodeExample,
  type FeatureValues,
  mergeExampleContext,
  serializeExamples,
  type TfExample,
} from './example-codec.js';
import { SHARED } from '../../../../../test/helpers/paths.js';

const REFERENCE = join(SHARED, 'protos-reference');

function exampleType(dir: string): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync('tensorflow/core/example/example.proto', { keepCase: true });
  return root.lookupType('tensorflow.Example');
}

const protoDirs: [string, string][] = [['project', PROTOS_DIR]];
if (existsSync(REFERENCE)) protoDirs.push(['TensorFlow reference', REFERENCE]);

const bytes = (...values: number[]) => Uint8Array.from(values);
const sample: TfExample = new Map<string, FeatureValues>([
  ['x', { kind: 'float', values: [2, -0.5, Math.fround(0.1)] }],
  ['ids', { kind: 'int64', values: [1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n] }],
  ['raw', { kind: 'bytes', values: [bytes(0, 255, 10), new TextEncoder().encode('héllo')] }],
  ['empty', { kind: 'float', values: [] }],
  ['none', { kind: 'none' }],
  ['__proto__', { kind: 'bytes', values: [bytes(1)] }],
]);
/** `sample` as protobufjs objects (keepCase, longs as strings). */
const sampleObject = {
  features: {
    feature: Object.assign(Object.create(null) as object, {
      x: { float_list: { value: [2, -0.5, Math.fround(0.1)] } },
      ids: {
        int64_list: {
          value: ['1', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993'],
        },
      },
      raw: { bytes_list: { value: [bytes(0, 255, 10), new TextEncoder().encode('héllo')] } },
      empty: { float_list: { value: [] } },
      none: {},
    }),
  },
};
Object.defineProperty(sampleObject.features.feature, '__proto__', {
  value: { bytes_list: { value: [bytes(1)] } },
  enumerable: true,
});

describe.each(protoDirs)('the Example codec against the %s protos', (_name, dir) => {
  const type = exampleType(dir);

  it('encodes exactly what protobuf encodes (packed lists, map entries)', () => {
    expect(Buffer.from(encodeExample(sample))).toEqual(
      Buffer.from(type.encode(type.fromObject(sampleObject)).finish()),
    );
  });

  it('decodes what protobuf encodes', () => {
    expect(decodeExample(type.encode(type.fromObject(sampleObject)).finish())).toEqual(sample);
    const decoded = type.toObject(type.decode(encodeExample(sample)), { longs: String });
    expect(decoded.features.feature.ids.int64_list.value).toEqual(
      sampleObject.features.feature.ids.int64_list.value,
    );
  });
});

/** An Example whose feature `f` holds a packed float list 3 bytes long. */
function badFloats(): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork().uint32(0x0a).fork().uint32(0x0a).string('f').uint32(0x12).fork();
  w.uint32(0x12)
    .fork()
    .uint32(0x0a)
    .bytes(bytes(1, 2, 3))
    .ldelim();
  w.ldelim().ldelim().ldelim();
  return w.finish();
}

describe('decodeExample', () => {
  it('reads unpacked lists, skips unknown fields and applies merge rules', () => {
    const w = protobuf.Writer.create();
    w.uint32(0x0a).fork(); // features
    w.uint32(0x0a).fork().uint32(0x0a).string('f'); // entry f
    w.uint32(0x12).fork(); // Feature
    w.uint32(0x12).fork().uint32(0x0d).float(1.5).uint32(0x0d).float(2).ldelim(); // float_list
    w.uint32(0x12).fork().uint32(0x0d).float(3).ldelim(); // the same kind again: merged
    w.ldelim().ldelim();
    w.uint32(0x0a).fork().uint32(0x0a).string('g'); // entry g: int64 unpacked, then bytes
    w.uint32(0x12).fork();
    w.uint32(0x1a).fork().uint32(0x08).int64(-5).ldelim();
    w.uint32(0x0a).fork().uint32(0x0a).bytes(bytes(7)).ldelim(); // another kind: replaces
    w.uint32(0x20).uint32(99); // unknown field of Feature
    w.ldelim().ldelim();
    w.ldelim();
    w.uint32(0x10).uint32(1); // unknown field of Example
    expect(decodeExample(w.finish())).toEqual(
      new Map<string, FeatureValues>([
        ['f', { kind: 'float', values: [1.5, 2, 3] }],
        ['g', { kind: 'bytes', values: [bytes(7)] }],
      ]),
    );
  });

  it('parses context bytes followed by example bytes as the merged example (TF Serving)', () => {
    const context: TfExample = new Map<string, FeatureValues>([
      ['x', { kind: 'float', values: [4] }],
      ['tag', { kind: 'bytes', values: [bytes(1)] }],
    ]);
    const example: TfExample = new Map<string, FeatureValues>([
      ['x', { kind: 'int64', values: [1n] }],
    ]);
    const concatenated = Buffer.concat([encodeExample(context), encodeExample(example)]);
    expect(decodeExample(concatenated)).toEqual(mergeExampleContext(context, example));
    expect(mergeExampleContext(context, example)).toEqual(
      new Map<string, FeatureValues>([
        ['x', { kind: 'int64', values: [1n] }],
        ['tag', { kind: 'bytes', values: [bytes(1)] }],
      ]),
    );
    expect(serializeExamples([example, new Map()], context).map(decodeExample)).toEqual([
      mergeExampleContext(context, example),
      context,
    ]);
    expect(mergeExampleContext(undefined, example)).toBe(example);
  });

  it.each([
    ['truncated bytes', bytes(0x0a, 0x05, 0x0a)],
    ['a bad wire type', bytes(0x0f)],
    ['field number 0', bytes(0x00, 0x01)],
    ['a packed float list of 3 bytes', badFloats()],
  ])('fails on %s with InvalidInputError', (_what, input) => {
    expect(() => decodeExample(input)).toThrow(InvalidInputError);
    expect(() => decodeExample(input)).toThrow(/^Could not parse a serialized tf\.Example: /);
  });
});
