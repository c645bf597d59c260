import { PrettyWriter, escapeJsonString } from './pretty-writer.js';

// Layouts checked against rapidjson 1.1.0 PrettyWriter replaying the same calls.
describe('PrettyWriter', () => {
  it('writes multi-line arrays and objects by default', () => {
    const w = new PrettyWriter();
    w.startObject();
    w.key('a');
    w.startArray();
    w.raw('1.0');
    w.startArray();
    w.raw('2');
    w.endArray();
    w.endArray();
    w.key('b');
    w.startObject();
    w.endObject();
    w.key('c');
    w.startArray();
    w.endArray();
    w.endObject();
    expect(w.toString()).toBe(
      '{\n    "a": [\n        1.0,\n        [\n            2\n        ]\n    ],\n    "b": {},\n    "c": []\n}',
    );
  });

  it('reads the array format at each call, so it can change mid-array', () => {
    const w = new PrettyWriter();
    w.startObject();
    w.key('predictions');
    w.startArray();
    w.setSingleLineArrays(true);
    w.raw('2.5');
    w.raw('3.0');
    w.setSingleLineArrays(false);
    w.endArray();
    w.endObject();
    expect(w.toString()).toBe('{\n    "predictions": [2.5, 3.0\n    ]\n}');

    const single = new PrettyWriter();
    single.setSingleLineArrays(true);
    single.startArray();
    single.startObject();
    single.key('k');
    single.null();
    single.endObject();
    single.bool(false);
    single.endArray();
    expect(single.toString()).toBe('[{\n        "k": null\n    }, false]');
  });

  it('escapes only quotes, backslashes and control characters', () => {
    expect(escapeJsonString('a"b\\c/\u007f\u0000\u001f\b\t\n\f\ré')).toBe(
      'a\\"b\\\\c/\u007f\\u0000\\u001F\\b\\t\\n\\f\\ré',
    );
    const w = new PrettyWriter();
    w.string(new Uint8Array([0x22, 0x01, 0xc3, 0xa9]));
    expect(w.toString()).toBe('"\\"\\u0001é"');
    expect(w.byteLength).toBe(12);
  });

  it('writes doubles with Grisu2 and refuses NaN after the separator', () => {
    const w = new PrettyWriter();
    w.setSingleLineArrays(true);
    w.startArray();
    expect(w.double(0.1)).toBe(true);
    expect(w.double(NaN)).toBe(false);
    expect(w.toString()).toBe('[0.1, ');
  });
});
