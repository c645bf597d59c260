import { parseV2Json, stringifyV2Json } from './v2-json.js';

describe('parseV2Json', () => {
  it('keeps every digit of integers past 2^53, and reads the rest as JSON.parse', () => {
    expect(parseV2Json('[9007199254740993, -9223372036854775808, 1, 0.30000000000000004]')).toEqual(
      [9007199254740993n, -(2n ** 63n), 1, 0.30000000000000004],
    );
    expect(parseV2Json('{"a":"12345678901234567","b":1234567890123456}')).toEqual({
      a: '12345678901234567',
      b: 1234567890123456,
    });
    expect(parseV2Json('[1.2345678901234567e5, 12345678901234567.5]')).toEqual([
      1.2345678901234567e5,
      Number('12345678901234567.5'),
    ]);
  });

  it('refuses what JSON.parse refuses', () => {
    expect(() => parseV2Json('[01234567890123456]')).toThrow(SyntaxError);
    expect(() => parseV2Json('[1234567890123456789')).toThrow(SyntaxError);
  });
});

describe('stringifyV2Json', () => {
  it('writes bigints as numbers with all their digits, strings untouched', () => {
    expect(stringifyV2Json({ data: [9007199254740993n, 1], s: '\u0000bigint' })).toBe(
      '{"data":[9007199254740993,1],"s":"\\u0000bigint"}',
    );
    expect(stringifyV2Json({ a: 1 })).toBe('{"a":1}');
  });
});
