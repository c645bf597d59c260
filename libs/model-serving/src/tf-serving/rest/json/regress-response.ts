import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { formatFloat } from './float-format.js';
import { PrettyWriter } from './pretty-writer.js';

/**
 * TF Serving's `MakeJsonFromRegressionResult`, byte for byte: one single-line list of float32
 * values, `{\n    "results": [3.5, 4.0]\n}`.
 * @throws InvalidInputError `Cannot convert empty RegressionResults to JSON`.
 */
export function encodeRegressResponse(values: readonly number[]): string {
  if (values.length === 0) {
    throw new InvalidInputError('Cannot convert empty RegressionResults to JSON');
  }
  const writer = new PrettyWriter();
  writer.startObject();
  writer.key('results');
  writer.setSingleLineArrays(true);
  writer.startArray();
  for (const value of values) writer.raw(formatFloat(value, 'float32'));
  writer.endArray();
  writer.endObject();
  return writer.toString();
}
