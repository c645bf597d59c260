import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  type ModelConfig,
  type VersionPolicy,
} from '../../config/model-serving-options.interface.js';
import { resolveModelList } from '../../config/resolve-options.js';
import { modelSpecTargets, serverAdminTargets } from '../../auth/access-targets.js';
import { ModelServingApi } from '../../decorators/model-serving-api.decorator.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { ModelRegistry } from '../../models/model.registry.js';
import { readModelSpec, type ModelSpecMessage } from './model-spec.js';

interface ModelConfigMessage {
  name?: string;
  base_path?: string;
  model_platform?: string;
  model_version_policy?: {
    latest?: { num_versions?: number } | null;
    all?: object | null;
    specific?: { versions?: (string | number)[] } | null;
    policy_choice?: string;
  } | null;
  version_labels?: Record<string, string | number>;
}

interface ReloadConfigRequestMessage {
  config?: {
    model_config_list?: { config?: ModelConfigMessage[] } | null;
    custom_model_config?: unknown;
    config?: string;
  } | null;
}

function policyOf(message: ModelConfigMessage['model_version_policy']): VersionPolicy | undefined {
  if (!message) return undefined;
  const choice =
    message.policy_choice ??
    (message.latest ? 'latest' : message.all ? 'all' : message.specific ? 'specific' : undefined);
  if (choice === 'latest') return { latest: message.latest?.num_versions || 1 };
  if (choice === 'all') return { all: true };
  if (choice === 'specific') return { specific: (message.specific?.versions ?? []).map(Number) };
  return undefined;
}

/** A `ModelServerConfig` message as module model entries. */
export function modelConfigsFromMessage(request: ReloadConfigRequestMessage): ModelConfig[] {
  const config = request.config;
  if (!config) throw new InvalidInputError('ReloadConfigRequest has no config');
  if (config.config === 'custom_model_config' || config.custom_model_config) {
    throw new UnimplementedError('custom_model_config is not supported; use model_config_list');
  }
  return (config.model_config_list?.config ?? []).map((entry) => {
    const model: ModelConfig = { name: entry.name ?? '', basePath: entry.base_path ?? '' };
    const policy = policyOf(entry.model_version_policy);
    if (policy) model.versionPolicy = policy;
    const labels = Object.entries(entry.version_labels ?? {});
    if (labels.length)
      model.versionLabels = Object.fromEntries(labels.map(([k, v]) => [k, Number(v)]));
    return model;
  });
}

/** `tensorflow.serving.ModelService` over gRPC: status and config reloads. */
@Controller()
export class ModelServiceController {
  constructor(private readonly registry: ModelRegistry) {}

  @GrpcMethod('ModelService', 'GetModelStatus')
  @ModelServingApi({ transport: 'grpc', targets: modelSpecTargets('status') })
  getModelStatus(request: { model_spec?: ModelSpecMessage }) {
    const spec = readModelSpec(request.model_spec);
    return {
      model_version_status: this.registry.status(spec.name, spec.version).map((s) => ({
        version: String(s.version),
        state: s.state,
        status: {
          error_code: GrpcStatusCode[s.error?.code ?? GrpcStatusCode.OK],
          error_message: s.error?.message ?? '',
        },
      })),
    };
  }

  @GrpcMethod('ModelService', 'HandleReloadConfigRequest')
  @ModelServingApi({ transport: 'grpc', targets: serverAdminTargets })
  async handleReloadConfigRequest(request: ReloadConfigRequestMessage) {
    let models;
    try {
      models = resolveModelList(
        modelConfigsFromMessage(request),
        'config.model_config_list.config',
      );
    } catch (error) {
      if (
        error instanceof Error &&
        !(error instanceof InvalidInputError) &&
        !(error instanceof UnimplementedError)
      ) {
        throw new InvalidInputError(error.message);
      }
      throw error;
    }
    await this.registry.reloadConfig(models);
    return { status: { error_code: 'OK', error_message: '' } };
  }
}
