import { encodeClassifyResponse } from './classify-response.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('encodeClassifyResponse', () => {
  it("writes TF Serving's bytes: single-line classes per example, the outer list closing below", () => {
    expect(
      encodeClassifyResponse([
        [{ label: text(''), score: 12 }],
        [
          { label: text('car'), score: Math.fround(0.2) },
          { label: text('bike'), score: Math.fround(0.7) },
        ],
      ]),
    ).toBe('{\n    "results": [[["", 12.0]], [["car", 0.2], ["bike", 0.7]]\n    ]\n}');
  });

  it('writes one example, empty class lists, escaped labels and non-finite scores', () => {
    expect(encodeClassifyResponse([[{ label: text('a"\n'), score: 3 }]])).toBe(
      '{\n    "results": [[["a\\"\\n", 3.0]]\n    ]\n}',
    );
    expect(encodeClassifyResponse([[], [{ label: text('x'), score: NaN }]])).toBe(
      '{\n    "results": [[], [["x", NaN]]\n    ]\n}',
    );
    expect(encodeClassifyResponse([[{ label: text('é'), score: 1234567.1 }]])).toBe(
      '{\n    "results": [[["é", 1234567.12]]\n    ]\n}',
    );
  });

  it('refuses an empty result as TF Serving', () => {
    expect(() => encodeClassifyResponse([])).toThrow(
      'Cannot convert empty ClassificationResults to JSON',
    );
  });
});
