import { encodeRegressResponse } from './regress-response.js';

describe('encodeRegressResponse', () => {
  it("writes TF Serving's bytes: one single-line list of float32 values", () => {
    expect(encodeRegressResponse([3.5, 4])).toBe('{\n    "results": [3.5, 4.0]\n}');
    expect(encodeRegressResponse([0.1, -0, 9000000, Infinity])).toBe(
      '{\n    "results": [0.1, -0.0, 9e+06, Infinity]\n}',
    );
  });

  it('refuses an empty result as TF Serving', () => {
    expect(() => encodeRegressResponse([])).toThrow(
      'Cannot convert empty RegressionResults to JSON',
    );
  });
});
