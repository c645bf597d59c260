import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type ServerUnaryCall } from '@grpc/grpc-js';
import { v2GrpcTargets } from '../../auth/access-targets.js';
import { ModelServingApi } from '../../decorators/model-serving-api.decorator.js';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { InferenceService } from '../../models/inference.service.js';
import { ModelRegistry } from '../../models/model.registry.js';
import { parseV2Datatype } from '../v2-datatype.js';
import { runV2Infer, type V2InferInput, type V2InferResult } from '../v2-infer.js';
import {
  isV2ModelReady,
  isV2ServerReady,
  v2ModelMetadata,
  type V2ModelMetadata,
} from '../v2-model-metadata.js';
import { v2ServerMetadata, type V2ServerMetadata } from '../v2-server-metadata.js';
import { readV2Shape } from '../v2-tensor-values.js';
import { grpcDeadline } from '../../grpc/grpc-deadline.js';
import {
  decodeTensorContents,
  encodeTensorContents,
  hasTensorContents,
  type InferTensorContentsMessage,
  needsRawContents,
} from './infer-tensor-contents.js';
import { decodeRawContents, encodeRawContents } from './raw-tensor-contents.js';

/** `ModelReadyRequest` and `ModelMetadataRequest`. */
interface ModelRequestMessage {
  name?: string;
  version?: string;
}

interface InferInputTensorMessage {
  name?: string;
  datatype?: string;
  shape?: (string | number)[];
  contents?: InferTensorContentsMessage | null;
}

interface ModelInferRequestMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  inputs?: InferInputTensorMessage[];
  outputs?: { name?: string }[];
  raw_input_contents?: Uint8Array[];
}

function modelName(name: string | undefined): string {
  if (!name) throw new InvalidInputError('The request names no model');
  return name;
}

/** Reads the inputs from their typed contents, or all of them from `raw_input_contents`. */
function readInputs(request: ModelInferRequestMessage): V2InferInput[] {
  const inputs = request.inputs ?? [];
  const raw = request.raw_input_contents ?? [];
  if (raw.length > 0 && raw.length !== inputs.length) {
    throw new InvalidInputError(
      `raw_input_contents holds ${raw.length} entries for ${inputs.length} inputs; send one per input, in order`,
    );
  }
  return inputs.map((input, index) => {
    const name = input.name ?? '';
    const where = `input '${name}'`;
    const datatype = parseV2Datatype(input.datatype, where);
    const shape = readV2Shape(input.shape ?? [], where);
    const rawContent = raw[index];
    if (rawContent && hasTensorContents(input.contents)) {
      throw new InvalidInputError(
        `${where}: contents must be empty when raw_input_contents is used`,
      );
    }
    const values = rawContent
      ? decodeRawContents(rawContent, datatype, shape, where)
      : decodeTensorContents(input.contents, datatype, where);
    return { name, datatype, shape, values };
  });
}

/** Typed contents, unless some output has no typed field: then every output goes raw. */
function writeResponse(result: V2InferResult) {
  const raw = result.outputs.some((o) => needsRawContents(o.datatype));
  return {
    model_name: result.model,
    model_version: result.version,
    id: result.id ?? '',
    outputs: result.outputs.map(({ name, datatype, tensor }) => ({
      name,
      datatype,
      shape: [...tensor.shape],
      ...(raw ? {} : { contents: encodeTensorContents(tensor, datatype) }),
    })),
    raw_output_contents: raw
      ? result.outputs.map(({ datatype, tensor }) => encodeRawContents(tensor, datatype))
      : [],
  };
}

/**
 * The Open Inference Protocol's `inference.GRPCInferenceService` (KServe v2, as KServe and
 * Triton speak it), on the models, versions and policies the TF Serving API serves. Inputs
 * arrive in typed contents or `raw_input_contents`; answers use typed contents.
 */
@Controller()
export class GrpcInferenceServiceController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly inference: InferenceService,
  ) {}

  @GrpcMethod('GRPCInferenceService', 'ServerLive')
  @ModelServingApi({ transport: 'grpc', health: true })
  serverLive(): { live: boolean } {
    return { live: true };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerReady')
  @ModelServingApi({ transport: 'grpc', health: true })
  serverReady(): { ready: boolean } {
    return { ready: isV2ServerReady(this.registry) };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelReady')
  @ModelServingApi({ transport: 'grpc', targets: v2GrpcTargets('status', 'name') })
  modelReady(request: ModelRequestMessage): { ready: boolean } {
    return { ready: isV2ModelReady(this.registry, modelName(request.name), request.version) };
  }

  @GrpcMethod('GRPCInferenceService', 'ServerMetadata')
  @ModelServingApi({ transport: 'grpc', health: true })
  serverMetadata(): V2ServerMetadata {
    return v2ServerMetadata();
  }

  @GrpcMethod('GRPCInferenceService', 'ModelMetadata')
  @ModelServingApi({ transport: 'grpc', targets: v2GrpcTargets('metadata', 'name') })
  modelMetadata(request: ModelRequestMessage): V2ModelMetadata & { properties: object } {
    const name = modelName(request.name);
    return {
      ...v2ModelMetadata(this.inference, this.registry, name, request.version),
      properties: {},
    };
  }

  @GrpcMethod('GRPCInferenceService', 'ModelInfer')
  @ModelServingApi({ transport: 'grpc', targets: v2GrpcTargets('predict', 'model_name') })
  async modelInfer(
    request: ModelInferRequestMessage,
    _metadata: unknown,
    call?: ServerUnaryCall<unknown, unknown>,
  ) {
    const model = modelName(request.model_name);
    const result = await runV2Infer(
      this.inference,
      this.registry,
      {
        model,
        version: request.model_version,
        id: request.id,
        inputs: readInputs(request),
        outputs: (request.outputs ?? []).map((o) => o.name ?? ''),
      },
      { deadline: grpcDeadline(call), protocol: 'v2_grpc' },
    );
    return writeResponse(result);
  }
}
