import { serializeExamples } from '../../models/examples/example-codec.js';
import { type CallOptions, type InferenceService } from '../../models/inference.service.js';
import { readExamplesRequest } from './json/classify-regress-request.js';
import { encodeClassifyResponse } from './json/classify-response.js';
import { type JsonObject } from './json/json-value.js';
import { encodeRegressResponse } from './json/regress-response.js';
import { type ModelPath } from './tf-serving-path.js';

/**
 * Answers `POST /v1/models/{m}[/versions/{v}|/labels/{l}]:classify` or `:regress` as TF
 * Serving does: the whole body is read first (`context`, `examples`), then the model, version
 * and signature are looked up, the examples (context merged into each) run, and the results
 * written as `{"results": ...}`.
 * @param doc the body as `readPredictRequest` parsed it (JSON and `signature_name` checked).
 * @param signatureName the signature to run (`serving_default` when the body names none).
 * @returns the response body.
 * @throws ModelServingError with TF Serving's messages (see `readExamplesRequest`,
 *   `runClassify`, `runRegress`).
 */
export async function serveClassifyRegress(
  inference: InferenceService,
  verb: 'classify' | 'regress',
  route: ModelPath,
  doc: JsonObject,
  signatureName: string,
  options: CallOptions = {},
): Promise<string> {
  const { context, examples } = readExamplesRequest(doc);
  const call = {
    model: route.name,
    version: route.version,
    label: route.label,
    signature: signatureName,
    examples: serializeExamples(examples, context),
    ...options,
  };
  if (verb === 'classify') {
    return encodeClassifyResponse((await inference.classify(call)).results);
  }
  return encodeRegressResponse((await inference.regress(call)).results);
}
