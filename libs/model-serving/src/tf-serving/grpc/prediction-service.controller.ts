import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type ServerUnaryCall } from '@grpc/grpc-js';
import { type ResolvedModelServingOptions } from '../../config/resolve-options.js';
import { modelSpecTargets, multiInferenceTargets } from '../../auth/access-targets.js';
import { ModelServingApi } from '../../decorators/model-serving-api.decorator.js';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { grpcDeadline } from '../../grpc/grpc-deadline.js';
import { InferenceService } from '../../models/inference.service.js';
import { declaredTfName, TF_DTYPE_NAMES } from '../../tensor/dtypes.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../../module/model-serving.constants.js';
import {
  ClassificationService,
  type ExampleRequestMessage,
  type MultiInferenceRequestMessage,
} from './classification-service.js';
import { readModelSpec, writeModelSpec, type ModelSpecMessage } from './model-spec.js';
import { encodeSignatureDefMap } from './signature-def-map.js';
import {
  decodeTensorProto,
  encodeTensorProto,
  type TensorProtoMessage,
} from './tensor-proto.codec.js';

interface PredictRequestMessage {
  model_spec?: ModelSpecMessage;
  inputs?: Record<string, TensorProtoMessage>;
  output_filter?: string[];
}

interface GetModelMetadataRequestMessage {
  model_spec?: ModelSpecMessage;
  metadata_field?: string[];
}

/** `tensorflow.serving.PredictionService` over gRPC, wire-compatible with TF Serving's. */
@Controller()
export class PredictionServiceController {
  private readonly examples: ClassificationService;

  constructor(
    private readonly inference: InferenceService,
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS) private readonly options: ResolvedModelServingOptions,
  ) {
    this.examples = new ClassificationService(inference);
  }

  @GrpcMethod('PredictionService', 'Predict')
  @ModelServingApi({ transport: 'grpc', targets: modelSpecTargets('predict') })
  async predict(
    request: PredictRequestMessage,
    _metadata: unknown,
    call?: ServerUnaryCall<unknown, unknown>,
  ) {
    const spec = readModelSpec(request.model_spec);
    const filter = request.output_filter ?? [];
    const result = await this.inference.predict({
      model: spec.name,
      version: spec.version,
      label: spec.label,
      signature: spec.signature,
      outputs: filter.length ? filter : undefined,
      deadline: grpcDeadline(call),
      protocol: 'grpc',
      inputs: (signature) => {
        const inputs: Record<string, TensorData> = {};
        for (const [alias, proto] of Object.entries(request.inputs ?? {})) {
          const declared = signature.inputs[alias];
          const expected = declared
            ? (declared.tfDtype ?? TF_DTYPE_NAMES[declared.dtype])
            : (proto.dtype ?? '');
          inputs[alias] = decodeTensorProto(proto, expected, `input '${alias}'`);
        }
        return inputs;
      },
    });
    const outputs: Record<string, TensorProtoMessage> = {};
    for (const [alias, tensor] of Object.entries(result.outputs)) {
      const declared = result.signature.outputs[alias];
      const tfDtype = declaredTfName(declared, tensor.dtype);
      outputs[alias] = encodeTensorProto(tensor, tfDtype, this.options.grpcTensorContent);
    }
    return { outputs, model_spec: writeModelSpec(result.modelSpec) };
  }

  @GrpcMethod('PredictionService', 'Classify')
  @ModelServingApi({ transport: 'grpc', targets: modelSpecTargets('predict') })
  classify(
    request: ExampleRequestMessage,
    _metadata: unknown,
    call?: ServerUnaryCall<unknown, unknown>,
  ) {
    return this.examples.classify(request, { deadline: grpcDeadline(call), protocol: 'grpc' });
  }

  @GrpcMethod('PredictionService', 'Regress')
  @ModelServingApi({ transport: 'grpc', targets: modelSpecTargets('predict') })
  regress(
    request: ExampleRequestMessage,
    _metadata: unknown,
    call?: ServerUnaryCall<unknown, unknown>,
  ) {
    return this.examples.regress(request, { deadline: grpcDeadline(call), protocol: 'grpc' });
  }

  @GrpcMethod('PredictionService', 'MultiInference')
  @ModelServingApi({ transport: 'grpc', targets: multiInferenceTargets })
  multiInference(
    request: MultiInferenceRequestMessage,
    _metadata: unknown,
    call?: ServerUnaryCall<unknown, unknown>,
  ) {
    return this.examples.multiInference(request, {
      deadline: grpcDeadline(call),
      protocol: 'grpc',
    });
  }

  @GrpcMethod('PredictionService', 'GetModelMetadata')
  @ModelServingApi({ transport: 'grpc', targets: modelSpecTargets('metadata') })
  getModelMetadata(request: GetModelMetadataRequestMessage) {
    const spec = readModelSpec(request.model_spec);
    const fields = request.metadata_field ?? [];
    if (fields.length === 0) {
      throw new InvalidInputError(
        'GetModelMetadataRequest must specify at least one metadata_field',
      );
    }
    for (const field of fields) {
      if (field !== 'signature_def')
        throw new InvalidInputError(`Metadata field ${field} is not supported`);
    }
    const metadata = this.inference.metadata(spec.name, spec);
    return {
      model_spec: writeModelSpec(
        { name: metadata.name, version: metadata.version, signature: '' },
        false,
      ),
      metadata: { signature_def: encodeSignatureDefMap(metadata.signatures) },
    };
  }
}
