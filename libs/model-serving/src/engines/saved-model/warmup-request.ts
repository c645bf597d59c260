import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { runClassify, runRegress } from '../../models/examples/example-inference.js';
import { runMultiInference } from '../../models/examples/multi-inference.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { runPredict } from '../../models/predict-util.js';
import { type HeldServable } from '../../models/servable.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import {
  type ExampleRequestMsg,
  type MultiInferenceRequestMsg,
  type PredictionLogMsg,
  type PredictRequestMsg,
  serializedExamples,
} from './prediction-log.js';
import { tensorValue } from './tensor-values.js';
import { type TensorProtoMsg } from './tf-messages.js';

/** The version a warm-up request runs on, for the messages of input checks. */
export interface WarmupTarget {
  readonly model: string;
  readonly version: number;
}

/** A request tensor as plain data, converted as the graph's constants are. */
function requestTensor(alias: string, proto: TensorProtoMsg): TensorData {
  try {
    const value = tensorValue(alias, proto);
    return { dtype: value.dtype, shape: value.shape, data: value.values };
  } catch (error) {
    // tensorValue words its errors for graph constants.
    if (!(error instanceof ModelLoadError)) throw error;
    throw new InvalidInputError(error.message.replace(/^constant /, 'input '));
  }
}

/** TF Serving's Predict, through the servable-level function every protocol calls. */
async function replayPredict(
  servable: HeldServable,
  request: PredictRequestMsg | undefined,
): Promise<void> {
  const filter = request?.outputFilter ?? [];
  await runPredict(servable, {
    signature: request?.modelSpec?.signatureName,
    inputs: () =>
      Object.fromEntries(
        Object.entries(request?.inputs ?? {}).map(([alias, proto]) => [
          alias,
          requestTensor(alias, proto),
        ]),
      ),
    outputs: filter.length ? filter : undefined,
  });
}

/** TF Serving's MultiInference, through the servable-level function. */
async function replayMultiInference(
  servable: HeldServable,
  request: MultiInferenceRequestMsg | undefined,
): Promise<void> {
  await runMultiInference(servable, {
    tasks: (request?.tasks ?? []).map((task) => ({
      model: task.modelSpec?.name ?? '',
      signature: task.modelSpec?.signatureName,
      method: task.methodName ?? '',
    })),
    examples: serializedExamples(request?.input),
  });
}

/**
 * Runs one logged request on a loaded version as TF Serving's warm-up does
 * (`saved_model_warmup.cc`): a predict, classify, regress or multi-inference request goes
 * through the same servable-level functions as every protocol (checks and messages included), its answer computed and dropped. A record with
 * no request does nothing; a streamed predict log must hold exactly one request.
 * @throws ModelServingError with the serving paths' messages when the request fails.
 */
export async function replayPredictionLog(
  executor: ModelExecutor,
  log: PredictionLogMsg,
  target: WarmupTarget,
): Promise<void> {
  const servable: HeldServable = { model: target.model, version: target.version, executor };
  if (log.sessionRunLog) {
    throw new UnimplementedError('session_run_log requests are not supported for warm-up');
  }
  switch (log.logType) {
    case undefined:
      return;
    case 'predictLog':
      return replayPredict(servable, log.predictLog?.request);
    case 'predictStreamedLog': {
      // TF Serving's TFRT servable replays these; it takes exactly one request.
      const requests = log.predictStreamedLog?.request ?? [];
      if (requests.length !== 1) {
        throw new InvalidInputError(
          requests.length === 0
            ? 'predict_streamed_log does not contain any requests.'
            : 'predict_streamed_log contains more than one request, which is not supported by PredictStreamed.',
        );
      }
      return replayPredict(servable, requests[0]);
    }
    case 'classifyLog':
    case 'regressLog': {
      const request: ExampleRequestMsg | undefined =
        log.logType === 'classifyLog' ? log.classifyLog?.request : log.regressLog?.request;
      const call = {
        signature: request?.modelSpec?.signatureName,
        examples: serializedExamples(request?.input),
      };
      if (log.logType === 'classifyLog') await runClassify(servable, call);
      else await runRegress(servable, call);
      return;
    }
    case 'multiInferenceLog':
      return replayMultiInference(servable, log.multiInferenceLog?.request);
  }
}
