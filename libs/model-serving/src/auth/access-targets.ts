import { type ModelServingVerb } from '../config/auth-options.interface.js';
import { type HttpRequestLike, requestPath } from '../http/http-like.js';
import { parseTfServingRoute } from '../tf-serving/rest/tf-serving-path.js';
import { type AccessTarget, type AccessTargets } from './model-serving-api.metadata.js';

interface ModelSpecLike {
  model_spec?: { name?: string } | null;
}

/**
 * TF Serving's REST routes, read as the controller reads them: GET status or metadata, POST
 * predict/classify/regress (all `predict`). A path that is not a route needs only a valid
 * credential: the handler answers it 400.
 */
export function tfServingRestTargets(prefix: string): AccessTargets {
  return (context) => {
    const req = context.switchToHttp().getRequest<HttpRequestLike>();
    try {
      const route = parseTfServingRoute(req.method, requestPath(req, prefix));
      const verb: ModelServingVerb = route.kind === 'prediction' ? 'predict' : route.kind;
      return [{ verb, model: route.name }];
    } catch {
      return [];
    }
  };
}

/** Open Inference REST routes: the `:model` path parameter. */
export function v2RestTargets(verb: ModelServingVerb): AccessTargets {
  return (context) => {
    const params = context.switchToHttp().getRequest<{ params?: Record<string, string> }>().params;
    return [{ verb, model: params?.['model'] }];
  };
}

/** TF Serving gRPC requests naming one `model_spec`. */
export function modelSpecTargets(verb: ModelServingVerb): AccessTargets {
  return (context) => [
    { verb, model: context.switchToRpc().getData<ModelSpecLike>()?.model_spec?.name || undefined },
  ];
}

/** MultiInference: `predict` on every task's model. */
export const multiInferenceTargets: AccessTargets = (context) => {
  const tasks = context.switchToRpc().getData<{ tasks?: ModelSpecLike[] }>()?.tasks ?? [];
  return tasks.map((task): AccessTarget => ({
    verb: 'predict',
    model: task.model_spec?.name || undefined,
  }));
};

/** Open Inference gRPC requests: `name` (ready, metadata) or `model_name` (infer). */
export function v2GrpcTargets(verb: ModelServingVerb, field: 'name' | 'model_name'): AccessTargets {
  return (context) => [
    {
      verb,
      model:
        (context.switchToRpc().getData<Record<string, unknown>>()?.[field] as string) || undefined,
    },
  ];
}

/** Operations on the server itself (config reloads): `admin` on `*`. */
export const serverAdminTargets: AccessTargets = () => [{ verb: 'admin', model: '*' }];
