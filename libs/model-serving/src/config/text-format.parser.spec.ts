import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { TextFormatParser } from './text-format.parser.js';
import { type TextFormatSchema } from './text-format.schema.js';
import { itIfPresent, SHARED } from '../../../../test/helpers/paths.js';

const FLOAT = { kind: 'float' } as const;
const POINT = { kind: 'message', message: 'Point' } as const;
const SCHEMA = {
  Root: {
    title: { kind: 'string' },
    count: { kind: 'int' },
    ratio: FLOAT,
    ratios: { kind: 'float', repeated: true },
    enabled: { kind: 'bool' },
    flags: { kind: 'bool', repeated: true },
    mode: { kind: 'enum' },
    origin: POINT,
    points: { ...POINT, repeated: true },
    circle: { ...POINT, oneof: 'shape' },
    square: { ...POINT, oneof: 'shape' },
    extra: { kind: 'message' },
    legacy: { kind: 'unsupported', hint: 'use title' },
    old: { kind: 'unsupported' },
  },
  Point: { x: FLOAT, y: FLOAT, label: { kind: 'string' } },
} as const satisfies TextFormatSchema<'Root' | 'Point'>;

const parse = (text: string, fileName?: string) =>
  new TextFormatParser(SCHEMA, fileName).parse(text, 'Root');

function errorOf(text: string, fileName?: string): ModelServingConfigError {
  try {
    parse(text, fileName);
  } catch (error) {
    if (error instanceof ModelServingConfigError) return error;
    throw error;
  }
  throw new Error('expected a ModelServingConfigError');
}

describe('TextFormatParser', () => {
  it('builds a typed tree with where each field name and value starts', () => {
    const tree = parse('title: "a"  "b"\ncount: -0x10\n  origin { x: 1.5 y: -2 }');
    expect(tree).toEqual({
      title: { at: { line: 1, column: 1 }, valueAt: { line: 1, column: 8 }, value: 'ab' },
      count: { at: { line: 2, column: 1 }, valueAt: { line: 2, column: 8 }, value: -16 },
      origin: {
        at: { line: 3, column: 3 },
        valueAt: { line: 3, column: 10 },
        value: {
          x: { at: { line: 3, column: 12 }, valueAt: { line: 3, column: 15 }, value: 1.5 },
          y: { at: { line: 3, column: 19 }, valueAt: { line: 3, column: 22 }, value: -2 },
        },
      },
    });
    const x: number | undefined = tree.origin?.value.x?.value;
    const title: string | undefined = tree.title?.value;
    expect([x, title]).toEqual([1.5, 'ab']);
    // @ts-expect-error fields outside the schema are not in the type
    expect(tree.nope).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['2f', 2],
    ['0x10', 16],
    ['010', 8],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['- Infinity', -Infinity],
    ['nan', NaN],
    ['NaN', NaN],
  ])('reads the float %s', (literal, value) => {
    expect(parse(`ratio: ${literal}`).ratio?.value).toBe(value);
  });

  it.each([
    ['true', true],
    ['True', true],
    ['t', true],
    ['1', true],
    ['0x1', true],
    ['false', false],
    ['False', false],
    ['f', false],
    ['0', false],
  ])('reads the bool %s', (literal, value) => {
    expect(parse(`enabled: ${literal}`).enabled?.value).toBe(value);
  });

  it('keeps enum values as written', () => {
    expect(parse('mode: FAST').mode?.value).toBe('FAST');
    expect(parse('mode: -2').mode?.value).toBe('2');
  });

  it('collects repeated fields in order, from single values and lists', () => {
    const tree = parse(
      'ratios: 1 ratios: [2, -inf] ratios: []\nflags: [t, f]; flags: 1,\n' +
        'points { x: 1 } points: [{ y: 2 }, < label: "p" >]',
    );
    expect(tree.ratios?.map((e) => e.value)).toEqual([1, 2, -Infinity]);
    expect(tree.flags?.map((e) => e.value)).toEqual([true, false, true]);
    expect(tree.points?.map((e) => e.value)).toEqual([
      { x: expect.objectContaining({ value: 1 }) },
      { y: expect.objectContaining({ value: 2 }) },
      { label: expect.objectContaining({ value: 'p', valueAt: { line: 3, column: 45 } }) },
    ]);
  });

  it('keeps a message without a type untyped, every field a list of text values', () => {
    const tree = parse('extra { a: 1 b { c: "d" } a: -x, __proto__: 2 }');
    const extra = tree.extra?.value;
    expect(extra?.a?.map((e) => e.value)).toEqual(['1', 'x']);
    expect(extra?.b?.[0]?.value).toEqual({ c: [expect.objectContaining({ value: 'd' })] });
    expect(Object.keys(extra ?? {})).toEqual(['a', 'b', '__proto__']);
    expect(Object.getPrototypeOf(tree)).toBeNull();
  });

  it('names the file, line and column in errors, also for checks made after parsing', () => {
    const error = errorOf('title: "a"\n  count: yes', 'test.txt');
    expect(error.message).toBe('test.txt:2:10: expected an integer for "count", got "yes"');
    expect(error.details).toEqual({ file: 'test.txt', line: 2, column: 10 });
    const parser = new TextFormatParser(SCHEMA, 'test.txt');
    const tree = parser.parse('count: 7', 'Root');
    expect(() => parser.fail(tree.count?.valueAt ?? { line: 1, column: 1 }, 'too many')).toThrow(
      new ModelServingConfigError('test.txt:1:8: too many'),
    );
  });

  it.each([
    ['a word for a bool', 'enabled: yes', '1:10: expected a boolean for "enabled", got "yes"'],
    ['2 for a bool', 'enabled: 2', '1:10: expected a boolean for "enabled", got "2"'],
    ['a negative bool', 'enabled: -1', '1:11: expected a boolean for "enabled", got "1"'],
    [
      'a string for a bool',
      'enabled: "true"',
      '1:10: expected a boolean for "enabled", got "true"',
    ],
    ['a string for a float', 'ratio: "1"', '1:8: expected a number for "ratio", got "1"'],
    ['a word for a float', 'ratio: infinite', '1:8: expected a number for "ratio", got "infinite"'],
    ['a float for an int', 'count: 1.5', '1:8: expected an integer for "count", got "1.5"'],
    ['a negative enum name', 'mode: -FAST', '1:8: expected an enum value for "mode", got "FAST"'],
    ['a message for a float', 'ratio { }', '1:7: expected a number for "ratio", got "{"'],
    ['a scalar for a message', 'origin: 1', '1:9: expected "{" or "<" to open "origin", got "1"'],
    ['a missing colon', 'ratio 1', '1:7: expected ":" after "ratio", got "1"'],
    ['an unknown nested field', 'origin {\n  z: 1 }', '2:3: unknown field "z" in Point'],
    [
      'a repeated singular field',
      'flags: t\nenabled: t enabled: f',
      '2:12: duplicate field "enabled" in Root',
    ],
    [
      'a list for a singular field',
      'enabled: [t]',
      '1:1: list given for "enabled", which is not repeated',
    ],
    [
      'two of a oneof',
      'circle {}\nsquare {}',
      '2:1: "square" and "circle" are both set; Root takes one',
    ],
    ['an unsupported field with a hint', 'legacy: 1', '1:1: "legacy" is not supported; use title'],
    ['an unsupported field', 'old {}', '1:1: "old" is not supported'],
    ['an unclosed nested message', 'points { x: 1', '1:14: expected "}", got end of file'],
    ['a bad token', 'points { x: 1 } $', '1:17: unexpected character "$"'],
  ])('rejects %s', (_title, text, message) => {
    expect(errorOf(text).message).toBe(message);
  });

  describe('on TF Serving reference files', () => {
    const TF_SERVING = {
      BatchingParameters: {
        max_batch_size: { kind: 'message', message: 'Int64Value' },
        batch_timeout_micros: { kind: 'message', message: 'Int64Value' },
        max_enqueued_batches: { kind: 'message', message: 'Int64Value' },
        num_batch_threads: { kind: 'message', message: 'Int64Value' },
        thread_pool_name: { kind: 'message', message: 'StringValue' },
        allowed_batch_sizes: { kind: 'int', repeated: true },
        pad_variable_length_inputs: { kind: 'bool' },
      },
      Int64Value: { value: { kind: 'int' } },
      StringValue: { value: { kind: 'string' } },
      MonitoringConfig: { prometheus_config: { kind: 'message', message: 'PrometheusConfig' } },
      PrometheusConfig: { enable: { kind: 'bool' }, path: { kind: 'string' } },
    } as const satisfies TextFormatSchema<
      'BatchingParameters' | 'Int64Value' | 'StringValue' | 'MonitoringConfig' | 'PrometheusConfig'
    >;
    const referenceDir = join(SHARED, 'testdata', 'tf-serving');
    const maybe = itIfPresent(referenceDir);
    const read = async (name: string) => {
      const file = join(referenceDir, name);
      return [new TextFormatParser(TF_SERVING, file), await readFile(file, 'utf8')] as const;
    };

    maybe('parses batching_config.txt', async () => {
      const [parser, text] = await read('batching_config.txt');
      const params = parser.parse(text, 'BatchingParameters');
      expect({
        maxBatchSize: params.max_batch_size?.value.value?.value,
        batchTimeoutMicros: params.batch_timeout_micros?.value.value?.value,
        maxEnqueuedBatches: params.max_enqueued_batches?.value.value?.value,
        numBatchThreads: params.num_batch_threads?.value.value?.value,
      }).toEqual({
        maxBatchSize: 128,
        batchTimeoutMicros: 0,
        maxEnqueuedBatches: 1000000,
        numBatchThreads: 8,
      });
      expect(params.num_batch_threads?.at).toEqual({ line: 4, column: 1 });
    });

    maybe('parses monitoring_config.txt', async () => {
      const [parser, text] = await read('monitoring_config.txt');
      const config = parser.parse(text, 'MonitoringConfig').prometheus_config?.value;
      expect(config?.enable?.value).toBe(true);
      expect(config?.path?.value).toBe('/monitoring/prometheus/metrics');
      expect(config?.path?.valueAt).toEqual({ line: 3, column: 9 });
    });
  });
});
