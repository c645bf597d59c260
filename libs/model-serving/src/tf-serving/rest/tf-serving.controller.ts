import { All, Controller, Get, HttpCode, Inject, Post, Req, Res, type Type } from '@nestjs/common';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { tfServingRestTargets } from '../../auth/access-targets.js';
import { ModelServingApi } from '../../decorators/model-serving-api.decorator.js';
import { type ResolvedModelServingOptions } from '../../config/resolve-options.js';
import { InferenceService } from '../../models/inference.service.js';
import { restCallOptions } from '../../http/rest-call-options.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../../module/model-serving.constants.js';
import { ModelRegistry } from '../../models/model.registry.js';
import { serveClassifyRegress } from './classify-regress.js';
import { encodeMetadataResponse } from './metadata-json.js';
import { decodePredictInputs, readPredictRequest } from './json/predict-request.js';
import { encodePredictResponseAsync } from './json/predict-response.js';
import { encodeStatusResponse } from './status-json.js';
import { parseTfServingRoute } from './tf-serving-path.js';
import {
  bodyText,
  type HttpRequestLike,
  type HttpResponseLike,
  requestPath,
  setJsonContentType,
} from '../../http/http-like.js';

/** `v1/models` and below, up to `depth` segments, as plain parameters. */
function segments(root: string, depth: number): string[] {
  const paths = [root];
  for (let n = 1; n <= depth; n++)
    paths.push(
      `${root}/${['a', 'b', 'c', 'd', 'e']
        .slice(0, n)
        .map((p) => `:${p}`)
        .join('/')}`,
    );
  return paths;
}

/**
 * TF Serving's REST API under `prefix`. The routers see only plain parameter segments (the
 * `:predict` suffix would be a parameter marker to them, and Express and Fastify disagree on
 * wildcards); the path is then read with TF Serving's own rules. Made per prefix (a new class
 * each time) so no controller metadata is ever rewritten.
 */
export function createTfServingController(normalized: string): Type {
  const targets = tfServingRestTargets(normalized);
  @Controller(normalized)
  @ModelServingApi({ targets })
  class TfServingController {
    constructor(
      readonly registry: ModelRegistry,
      readonly inference: InferenceService,
      @Inject(MODEL_SERVING_RESOLVED_OPTIONS)
      readonly options: Pick<ResolvedModelServingOptions, 'restApiTimeoutMs'>,
    ) {}

    @Get(segments('v1/models', 4))
    read(@Req() req: HttpRequestLike, @Res({ passthrough: true }) res: HttpResponseLike): string {
      setJsonContentType(res);
      const route = parseTfServingRoute(req.method, requestPath(req, normalized));
      if (route.kind === 'metadata') {
        return encodeMetadataResponse(this.inference.metadata(route.name, route));
      }
      // TF Serving's status endpoint ignores labels and lists every version.
      return encodeStatusResponse(this.registry.status(route.name, route.version));
    }

    @Post(['v1/models/:a', 'v1/models/:a/:b/:c'])
    @HttpCode(200)
    async predict(
      @Req() req: HttpRequestLike,
      @Res({ passthrough: true }) res: HttpResponseLike,
    ): Promise<string> {
      setJsonContentType(res);
      // Only POST reaches this handler.
      const route = parseTfServingRoute('POST', requestPath(req, normalized));
      const call = restCallOptions(this.options.restApiTimeoutMs, 'rest');
      const { doc, signatureName } = readPredictRequest(bodyText(req.body));
      if (route.verb !== 'predict') {
        return serveClassifyRegress(this.inference, route.verb, route, doc, signatureName, call);
      }
      let format: 'row' | 'columnar' = 'row';
      const result = await this.inference.predict({
        ...call,
        model: route.name,
        version: route.version,
        label: route.label,
        signature: signatureName,
        inputs: (signature, key) => {
          const decoded = decodePredictInputs(doc, key, signature);
          format = decoded.format;
          return decoded.inputs;
        },
      });
      return await encodePredictResponseAsync(format, result.outputs);
    }

    @All(segments('v1', 5))
    @HttpCode(400)
    malformed(@Req() req: HttpRequestLike): never {
      throw new InvalidInputError(
        `Malformed request: ${req.method} ${requestPath(req, normalized)}`,
      );
    }
  }
  return TfServingController;
}
