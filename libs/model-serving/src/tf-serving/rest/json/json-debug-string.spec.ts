import { debugString } from './json-debug-string.js';
import { parseJson } from './json-reader.js';

const dbg = (text: string): string => debugString(parseJson(text));

describe('debugString', () => {
  it('writes arrays on one line and objects on several', () => {
    expect(dbg('[1,2]')).toBe('[1, 2]');
    expect(dbg('{"a":1}')).toBe('{\n    "a": 1\n}');
    expect(dbg('{}')).toBe('{}');
    expect(dbg('[]')).toBe('[]');
    expect(dbg('{"a":[1,2,{"b":null}],"c":"x\\u0001\\"y"}')).toBe(
      '{\n    "a": [1, 2, {\n            "b": null\n        }],\n    "c": "x\\u0001\\"y"\n}',
    );
  });

  it('writes doubles like rapidjson (Grisu2) and integers as integers', () => {
    expect(dbg('[1e21,1e20,0.001,1e-7,1.5e30,100,-0.0,0.1,5e-324,1.0]')).toBe(
      '[1e21, 100000000000000000000.0, 0.001, 1e-7, 1.5e30, 100, -0.0, 0.1, 5e-324, 1.0]',
    );
    expect(dbg('[18446744073709551615, -9223372036854775808, true, false]')).toBe(
      '[18446744073709551615, -9223372036854775808, true, false]',
    );
  });

  it('stops at the first NaN or infinity, after its separator', () => {
    expect(dbg('[1.0, NaN, 2]')).toBe('[1.0, ');
    expect(dbg('{"a":Infinity}')).toBe('{\n    "a": ');
  });

  // Expected strings checked against rapidjson 1.1.0 with TF Serving's writer limit.
  it('stops once 256 bytes are written, letting the last value run over', () => {
    const text = dbg(`[${Array.from({ length: 200 }, (_, i) => i).join(',')}]`);
    expect(text).toBe(`[${Array.from({ length: 67 }, (_, i) => i).join(', ')}`);
    expect(Buffer.byteLength(text)).toBe(257);
    const long = dbg(`["${'x'.repeat(300)}", 1]`);
    expect(long).toBe(`["${'x'.repeat(300)}"`);
    expect(dbg(`{"signature_name":${'['.repeat(500000)}${']'.repeat(500000)}}`)).toBe(
      `{\n    "signature_name": ${'['.repeat(232)}`,
    );
  });

  it('counts the limit in UTF-8 bytes', () => {
    const text = dbg(`[${Array.from({ length: 100 }, () => '"é"').join(',')}]`);
    expect(Buffer.byteLength(text)).toBe(257);
    expect(text.split('"é"')).toHaveLength(44);
  });
});
