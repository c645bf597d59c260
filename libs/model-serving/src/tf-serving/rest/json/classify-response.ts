import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type ExampleClass } from '../../../models/examples/example-results.js';
import { formatFloat } from './float-format.js';
import { PrettyWriter } from './pretty-writer.js';

/**
 * TF Serving's `MakeJsonFromClassificationResult`, byte for byte: `{"results": [...]}` with one
 * single-line list of `[label, score]` pairs per example, the outer list closing on its own
 * line: `{\n    "results": [[["", 3.0]], [["a", 0.2], ["b", 0.7]]\n    ]\n}`. Labels are
 * written as their bytes, scores as float32 by TF Serving's `WriteDecimal`.
 * @throws InvalidInputError `Cannot convert empty ClassificationResults to JSON`.
 */
export function encodeClassifyResponse(results: readonly (readonly ExampleClass[])[]): string {
  if (results.length === 0) {
    throw new InvalidInputError('Cannot convert empty ClassificationResults to JSON');
  }
  const writer = new PrettyWriter();
  writer.startObject();
  writer.key('results');
  writer.startArray();
  for (const classes of results) {
    writer.setSingleLineArrays(true);
    writer.startArray();
    for (const { label, score } of classes) {
      writer.startArray();
      writer.string(label);
      writer.raw(formatFloat(score, 'float32'));
      writer.endArray();
    }
    writer.endArray();
    writer.setSingleLineArrays(false);
  }
  writer.endArray();
  writer.endObject();
  return writer.toString();
}
