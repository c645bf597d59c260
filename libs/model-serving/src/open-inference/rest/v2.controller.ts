import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { v2RestTargets } from '../../auth/access-targets.js';
import { ModelServingApi } from '../../decorators/model-serving-api.decorator.js';
import { type ResolvedModelServingOptions } from '../../config/resolve-options.js';
import { InferenceService } from '../../models/inference.service.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../../module/model-serving.constants.js';
import { restCallOptions } from '../../http/rest-call-options.js';
import { ModelRegistry } from '../../models/model.registry.js';
import {
  type HttpRequestLike,
  type HttpResponseLike,
  setJsonContentType,
} from '../../http/http-like.js';
import { runV2Infer } from '../v2-infer.js';
import { readV2InferRequest } from './v2-infer-request.js';
import { encodeV2InferResponse, stringifyV2Response } from './v2-infer-response.js';
import {
  isV2ModelReady,
  isV2ServerReady,
  v2ModelMetadata,
  type V2ModelMetadata,
} from '../v2-model-metadata.js';
import { v2ServerMetadata, type V2ServerMetadata } from '../v2-server-metadata.js';

const MODEL = 'v2/models/:model';
const VERSION = 'v2/models/:model/versions/:version';

/** Answers 503 when a readiness check says no (probes read the status, people the body). */
function statusUnlessReady(res: HttpResponseLike, ready: boolean): void {
  if (ready) return;
  if (res.code) res.code(503);
  else res.status?.(503);
}

/**
 * The Open Inference Protocol's REST API (KServe v2, as KServe and Triton speak it) under
 * `prefix`, on the models, versions and policies the TF Serving API serves. A model's v2
 * inputs and outputs are its `serving_default` signature; a v2 version is a version number or
 * one of the model's version labels. Made per prefix (a new class each time) so no controller
 * metadata is ever rewritten; routes are plain parameter segments, so Express and Fastify agree.
 */
export function createV2Controller(prefix: string): Type {
  @Controller(prefix)
  class OpenInferenceController {
    constructor(
      readonly registry: ModelRegistry,
      readonly inference: InferenceService,
      @Inject(MODEL_SERVING_RESOLVED_OPTIONS)
      readonly options: Pick<ResolvedModelServingOptions, 'restApiTimeoutMs'>,
    ) {}

    // Nest strips a trailing slash, so the yaml's `/v2/` cannot be declared beside `/v2`:
    // Express matches both, Fastify `/v2/` only with its `ignoreTrailingSlash` option.
    @Get('v2')
    @ModelServingApi({ health: true })
    serverMetadata(): V2ServerMetadata {
      return v2ServerMetadata();
    }

    @Get('v2/health/live')
    @ModelServingApi({ health: true })
    live(): { live: boolean } {
      return { live: true };
    }

    @Get('v2/health/ready')
    @ModelServingApi({ health: true })
    ready(@Res({ passthrough: true }) res: HttpResponseLike): { ready: boolean } {
      const ready = isV2ServerReady(this.registry);
      statusUnlessReady(res, ready);
      return { ready };
    }

    @Get([MODEL, VERSION])
    @ModelServingApi({ targets: v2RestTargets('metadata') })
    modelMetadata(
      @Param('model') model: string,
      @Param('version') version: string | undefined,
    ): V2ModelMetadata {
      return v2ModelMetadata(this.inference, this.registry, model, version);
    }

    @Get([`${MODEL}/ready`, `${VERSION}/ready`])
    @ModelServingApi({ targets: v2RestTargets('status') })
    modelReady(
      @Param('model') model: string,
      @Param('version') version: string | undefined,
      @Res({ passthrough: true }) res: HttpResponseLike,
    ): { name: string; ready: boolean } {
      const ready = isV2ModelReady(this.registry, model, version);
      statusUnlessReady(res, ready);
      return { name: model, ready };
    }

    @Post([`${MODEL}/infer`, `${VERSION}/infer`])
    @ModelServingApi({ targets: v2RestTargets('predict') })
    @HttpCode(200)
    async infer(
      @Param('model') model: string,
      @Param('version') version: string | undefined,
      @Req() req: HttpRequestLike,
      @Res({ passthrough: true }) res: HttpResponseLike,
    ): Promise<string> {
      const call = readV2InferRequest(req.body, model, version);
      const options = restCallOptions(this.options.restApiTimeoutMs, 'v2_rest');
      const result = await runV2Infer(this.inference, this.registry, call, options);
      // Written here, not by the framework: int64 outputs keep all their digits.
      setJsonContentType(res);
      return stringifyV2Response(encodeV2InferResponse(result));
    }
  }
  return OpenInferenceController;
}
