import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { PackedJsonArray } from './json-packed-array.js';
import { parseJson, parseJsonAsync } from './json-reader.js';
import { type JsonValue, getMember, jsonIntText, jsonStringBytes } from './json-value.js';

function parseError(input: string | Uint8Array): string {
  try {
    parseJson(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected a parse error');
}

function first(text: string): JsonValue {
  const doc = parseJson(`[${text}]`);
  if (doc.kind !== 'array' || doc.items[0] === undefined) throw new Error('not an array');
  return doc.items[0];
}

// Messages and offsets as rapidjson 1.1.0 reports them through TF Serving's ParseJson
// (checked against the real library with the same flags).
describe('parseJson errors', () => {
  it.each([
    ['', 'JSON Parse error: The document is empty'],
    ['   ', 'JSON Parse error: The document is empty. at offset: 3'],
    [']', 'JSON Parse error: The document is empty. at offset: 0'],
    ['{', 'JSON Parse error: Missing a name for object member. at offset: 1'],
    ['{"a"', 'JSON Parse error: Missing a colon after a name of object member. at offset: 4'],
    ['{"a" 1}', 'JSON Parse error: Missing a colon after a name of object member. at offset: 5'],
    ['{"a":', 'JSON Parse error: Invalid value. at offset: 5'],
    ['{"a":1', "JSON Parse error: Missing a comma or '}' after an object member. at offset: 6"],
    ['{"a":1,', 'JSON Parse error: Missing a name for object member. at offset: 7'],
    ['{"a":1,}', 'JSON Parse error: Missing a name for object member. at offset: 7'],
    ['{1:2}', 'JSON Parse error: Missing a name for object member. at offset: 1'],
    ['[', 'JSON Parse error: Invalid value. at offset: 1'],
    ['[1', "JSON Parse error: Missing a comma or ']' after an array element. at offset: 2"],
    ['[1 2]', "JSON Parse error: Missing a comma or ']' after an array element. at offset: 3"],
    ['[1,]', 'JSON Parse error: Invalid value. at offset: 3'],
    ['instances = [1, 2]', 'JSON Parse error: Invalid value. at offset: 0'],
    ['{"a":"\\x"}', 'JSON Parse error: Invalid escape character in string. at offset: 6'],
    ['{"a":"tab\t"}', 'JSON Parse error: Invalid escape character in string. at offset: 9'],
    [
      '{"a":"\\u12G4"}',
      'JSON Parse error: Incorrect hex digit after \\u escape in string. at offset: 6',
    ],
    ['{"a":"\\ud800"}', 'JSON Parse error: The surrogate pair in string is invalid. at offset: 6'],
    [
      '{"a":"\\ud800\\u0041"}',
      'JSON Parse error: The surrogate pair in string is invalid. at offset: 6',
    ],
    ['{"a":"abc', 'JSON Parse error: Missing a closing quotation mark in string. at offset: 9'],
    ['{"a":1.}', 'JSON Parse error: Miss fraction part in number. at offset: 7'],
    ['{"a":1e}', 'JSON Parse error: Miss exponent in number. at offset: 7'],
    ['{"a":-}', 'JSON Parse error: Invalid value. at offset: 6'],
    ['{"a":1e400}', 'JSON Parse error: Number too big to be stored in double. at offset: 5'],
    ['{"a":tru}', 'JSON Parse error: Invalid value. at offset: 8'],
    ['{"a":nul}', 'JSON Parse error: Invalid value. at offset: 8'],
    ['{"a":Infinit}', 'JSON Parse error: Invalid value. at offset: 12'],
    ['{"a":NaX}', 'JSON Parse error: Invalid value. at offset: 7'],
    // Inside a run of numbers (read past the state machine), errors keep their offsets.
    ['[1, 2 ,3,,4]', 'JSON Parse error: Invalid value. at offset: 9'],
    ['[1,2,3 4]', "JSON Parse error: Missing a comma or ']' after an array element. at offset: 7"],
    ['[1,2,-]', 'JSON Parse error: Invalid value. at offset: 6'],
    ['[1,2,3.]', 'JSON Parse error: Miss fraction part in number. at offset: 7'],
    ['[1,2,1e400]', 'JSON Parse error: Number too big to be stored in double. at offset: 5'],
    ['[1,2,', 'JSON Parse error: Invalid value. at offset: 5'],
    ['[1,2,\u00003]', 'JSON Parse error: Invalid value. at offset: 5'],
  ])('%j fails with %j', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it('counts offsets in UTF-8 bytes', () => {
    expect(parseError('é')).toBe('JSON Parse error: Invalid value. at offset: 0');
    expect(parseError('{"é":x}')).toBe('JSON Parse error: Invalid value. at offset: 6');
    expect(parseError('{"😀":1 2}')).toBe(
      "JSON Parse error: Missing a comma or '}' after an object member. at offset: 10",
    );
  });

  it('skips a BOM but counts it in offsets', () => {
    expect(parseJson('\uFEFF{"a":1}')).toEqual(parseJson('{"a":1}'));
    expect(parseError('\uFEFF')).toBe('JSON Parse error: The document is empty. at offset: 3');
    expect(parseError('\uFEFF[1,]')).toBe('JSON Parse error: Invalid value. at offset: 6');
  });

  it('treats a NUL byte as the end of the input', () => {
    expect(parseError('\u0000{}')).toBe('JSON Parse error: The document is empty. at offset: 0');
    expect(parseError('[1,\u0000 2]')).toBe('JSON Parse error: Invalid value. at offset: 3');
    expect(parseError('{"a":"x\u0000"}')).toBe(
      'JSON Parse error: Missing a closing quotation mark in string. at offset: 7',
    );
    expect(parseJson('{}\u0000junk')).toEqual({ kind: 'object', members: [] });
  });

  it('accepts bytes as well as strings', () => {
    expect(parseError(Buffer.from('[1 2]'))).toBe(
      "JSON Parse error: Missing a comma or ']' after an array element. at offset: 3",
    );
    expect(parseJson(new Uint8Array([0x5b, 0x31, 0x5d]))).toEqual(parseJson('[1]'));
  });

  it('does not overflow the stack on 500000 unclosed brackets', () => {
    expect(parseError('['.repeat(500000))).toBe(
      'JSON Parse error: Invalid value. at offset: 500000',
    );
    expect(parseError(`{"signature_name":${'['.repeat(500000)}}`)).toBe(
      'JSON Parse error: Invalid value. at offset: 500018',
    );
  });

  it('parses 500000 nested arrays', () => {
    const doc = parseJson(`{"instances":[1], "nested":${'['.repeat(500000)}${']'.repeat(500000)}}`);
    expect(doc.kind === 'object' && doc.members.map(([key]) => key)).toEqual([
      'instances',
      'nested',
    ]);
  });
});

describe('parseJson values', () => {
  it('keeps member order and duplicate keys; getMember finds the first', () => {
    const doc = parseJson('{"b":1,"a":2,"b":3}');
    if (doc.kind !== 'object') throw new Error('not an object');
    expect(doc.members.map(([key]) => key)).toEqual(['b', 'a', 'b']);
    expect(getMember(doc, 'b')).toMatchObject({ kind: 'int', value: 1 });
    expect(getMember(doc, 'c')).toBeUndefined();
  });

  it('ignores anything after the root value', () => {
    expect(parseJson('[1] x')).toEqual(parseJson('[1]'));
    expect(parseJson('{"a":1}garbage')).toEqual(parseJson('{"a":1}'));
    expect(parseJson('{} {')).toEqual({ kind: 'object', members: [] });
  });

  it('parses scalars at the root', () => {
    expect(parseJson('"str"')).toEqual({ kind: 'string', value: 'str', bytes: undefined });
    expect(parseJson(' null ')).toEqual({ kind: 'null' });
    expect(parseJson('true')).toEqual({ kind: 'bool', value: true });
  });

  it('keeps integers apart from doubles, with rapidjson ranges', () => {
    expect(first('1')).toEqual({ kind: 'int', value: 1, big: undefined, int32: true, int64: true });
    expect(first('-0')).toEqual({
      kind: 'int',
      value: 0,
      big: undefined,
      int32: true,
      int64: true,
    });
    expect(first('1.0')).toEqual({ kind: 'double', value: 1 });
    expect(first('1e2')).toEqual({ kind: 'double', value: 100 });
    expect(first('-0.0')).toEqual({ kind: 'double', value: -0 });
    expect(first('2147483647')).toMatchObject({ int32: true });
    expect(first('2147483648')).toMatchObject({ kind: 'int', int32: false, int64: true });
    expect(first('-2147483648')).toMatchObject({ kind: 'int', int32: true });
    expect(first('-2147483649')).toMatchObject({ kind: 'int', int32: false });
    const big = first('18446744073709551615');
    expect(big).toMatchObject({ kind: 'int', big: 18446744073709551615n, int64: false });
    expect(big.kind === 'int' && jsonIntText(big)).toBe('18446744073709551615');
    expect(first('-9223372036854775808')).toMatchObject({ kind: 'int', int64: true });
    expect(first('18446744073709551616')).toEqual({ kind: 'double', value: 18446744073709552000 });
  });

  it('parses NaN and infinities, including rapidjson oddities', () => {
    expect(first('NaN')).toEqual({ kind: 'double', value: NaN });
    expect(first('-NaN')).toEqual({ kind: 'double', value: NaN });
    expect(first('Inf')).toEqual({ kind: 'double', value: Infinity });
    expect(first('Infinity')).toEqual({ kind: 'double', value: Infinity });
    expect(first('-Inf')).toEqual({ kind: 'double', value: -Infinity });
    expect(first('-Infinity')).toEqual({ kind: 'double', value: -Infinity });
    expect(first('NInf')).toEqual({ kind: 'double', value: Infinity });
    expect(first('NaN.5')).toEqual({ kind: 'double', value: 0.5 });
  });

  it('builds doubles from 17 digits and an exact power of ten (not full precision)', () => {
    expect(first('0.1e-300')).toEqual({ kind: 'double', value: 9.999999999999999e-302 });
    expect(Number('0.1e-300')).toBe(1e-301);
    expect(first('2.2250738585072011e-308')).toEqual({
      kind: 'double',
      value: 2.2250738585072014e-308,
    });
    expect(first('0.30000000000000004')).toEqual({ kind: 'double', value: 0.30000000000000004 });
    expect(first('1e-400')).toEqual({ kind: 'double', value: 0 });
  });

  it('decodes escapes and keeps bytes that are not valid UTF-8', () => {
    expect(first('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"')).toEqual({
      kind: 'string',
      value: '"\\/\b\f\n\r\té😀',
      bytes: undefined,
    });
    const lone = first('"\\udc00"');
    expect(lone.kind === 'string' && jsonStringBytes(lone)).toEqual(
      new Uint8Array([0xed, 0xb0, 0x80]),
    );
    const bytes = parseJson(new Uint8Array([0x5b, 0x22, 0xff, 0x41, 0x22, 0x5d]));
    expect(bytes.kind === 'array' && bytes.items[0]).toEqual({
      kind: 'string',
      value: '\uFFFDA',
      bytes: new Uint8Array([0xff, 0x41]),
    });
  });
});

/** `value` with every list in the general form, as `JSON.parse` would nest it. */
function plain(value: JsonValue): unknown {
  if (value.kind === 'array') return value.items.map(plain);
  if (value.kind === 'object') {
    return Object.fromEntries(value.members.map(([key, item]) => [key, plain(item)]));
  }
  return value.kind === 'null' ? null : value.value;
}

describe('parseJson number blocks', () => {
  it('packs equally shaped nested lists of numbers into one block', () => {
    const doc = parseJson('[[[0.5],[1]],[[-2],[3e2]]]');
    expect(doc).toBeInstanceOf(PackedJsonArray);
    const block = doc as PackedJsonArray;
    expect(block.shape).toEqual([2, 2, 1]);
    expect(Array.from(block.values)).toEqual([0.5, 1, -2, 300]);
    expect([0, 1, 2, 3].map((i) => block.isInt32(i))).toEqual([false, true, true, false]);
    expect(plain(doc)).toEqual([
      [[0.5], [1]],
      [[-2], [300]],
    ]);
    expect(block.items[1]).toBeInstanceOf(PackedJsonArray);
  });

  it.each([
    ['[]', [0]],
    ['[[],[]]', [2, 0]],
    ['{"a":[[1,2],[3,4],[5,6]]}', [3, 2]],
  ])('%s is a block of shape %j', (json, shape) => {
    const doc = parseJson(json);
    const block = doc.kind === 'object' ? getMember(doc, 'a') : doc;
    expect(block).toBeInstanceOf(PackedJsonArray);
    expect((block as PackedJsonArray).shape).toEqual(shape);
  });

  it.each([
    '[[1,2],[3]]',
    '[[1],2]',
    '[1,[2]]',
    '[[], [1]]',
    '[1,{"a":[2,3]},[4]]',
    '[[1,2],[3,"x"]]',
    '[[1],[18446744073709551616]]',
    '[[[1]],[[2],[3]],[[4]]]',
    '[[1,2],[3,4],[[5],[6]]]',
  ])('keeps %s as written when the lists are not one block', (json) => {
    expect(plain(parseJson(json))).toEqual(JSON.parse(json));
  });

  it('reads runs of numbers with any spacing, and what ends them as written', () => {
    const doc = parseJson('[ 1 ,\n2,\t-3.5 , 4e1,5 ]');
    expect(doc).toBeInstanceOf(PackedJsonArray);
    expect(Array.from((doc as PackedJsonArray).values)).toEqual([1, 2, -3.5, 40, 5]);
    // NaN and infinities end a run but still pack; strings, lists and null end the block.
    const values = (json: string) => Array.from((parseJson(json) as PackedJsonArray).values);
    expect(values('[1,2,NaN,3]')).toEqual([1, 2, NaN, 3]);
    expect(values('[1,2,-Infinity]')).toEqual([1, 2, -Infinity]);
    for (const json of ['[1,2,"x",3]', '[1,2,[3]]', '[1,2,null]']) {
      expect(plain(parseJson(json))).toEqual(JSON.parse(json));
    }
    const big = parseJson('[1,2,9007199254740993]');
    const item = big.kind === 'array' ? big.items[2] : undefined;
    expect(item?.kind === 'int' && jsonIntText(item)).toBe('9007199254740993');
  });

  it('keeps integers past 2^53 exact outside blocks', () => {
    const doc = parseJson('[[1],[9007199254740993]]');
    expect(doc).not.toBeInstanceOf(PackedJsonArray);
    const big = doc.kind === 'array' ? doc.items[1] : undefined;
    const item = big?.kind === 'array' ? big.items[0] : undefined;
    expect(item?.kind === 'int' && jsonIntText(item)).toBe('9007199254740993');
  });

  it('parses deep nesting in linear time (plain lists above the deepest 32 levels)', () => {
    const depth = 200000;
    const doc = parseJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
    let level = 0;
    let v: JsonValue | undefined = doc;
    while (v?.kind === 'array' && !(v instanceof PackedJsonArray))
      [v, level] = [v.items[0], level + 1];
    expect(v instanceof PackedJsonArray && level + v.shape.length).toBe(depth);
  });

  it('gives the same document in slices (parseJsonAsync) as in one pass', async () => {
    const row = `[${Array.from({ length: 100 }, (_, i) => `[${i / 8}]`).join(',')}]`;
    const text = `{"instances":[${Array.from({ length: 4000 }, () => row).join(',')}],"x":[1,"a"]}`;
    expect(text.length).toBeGreaterThan(2 ** 21);
    const sliced = await parseJsonAsync(text);
    expect(sliced).toEqual(parseJson(text));
    const instances = sliced.kind === 'object' ? getMember(sliced, 'instances') : undefined;
    expect((instances as PackedJsonArray).shape).toEqual([4000, 100, 1]);
  });
});
