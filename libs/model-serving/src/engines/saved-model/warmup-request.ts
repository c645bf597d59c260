import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { validateInputs } from '../../validation/signature.validator.js';
import { classificationsOf, regressionsOf } from '../../models/examples/example-results.js';
import {
  CLASSIFY_METHOD,
  classifyOutputs,
  EXAMPLES_INPUT,
  type ExampleTask,
  REGRESS_METHOD,
  regressOutputs,
} from '../../models/examples/example-signature.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { DEFAULT_SIGNATURE, type SignatureDef } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import {
  type ExampleRequestMsg,
  type ModelSpecMsg,
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

/** A served signature: executors may keep internal ones under hidden (non-enumerable) keys. */
function signatureOf(executor: ModelExecutor, key: string): SignatureDef | undefined {
  const { signatures } = executor;
  return Object.prototype.propertyIsEnumerable.call(signatures, key) ? signatures[key] : undefined;
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

function checkOutputFilter(filter: readonly string[], signature: SignatureDef): void {
  const seen = new Set<string>();
  for (const alias of filter) {
    if (!Object.hasOwn(signature.outputs, alias)) {
      throw new InvalidInputError(
        `output tensor alias not found in signature: ${alias} Outputs expected to be in the set {${Object.keys(signature.outputs).sort().join(',')}}.`,
      );
    }
    if (seen.has(alias)) throw new InvalidInputError(`duplicate output tensor alias: ${alias}`);
    seen.add(alias);
  }
}

/** TF Serving's Predict, as the REST and gRPC paths check it. */
async function replayPredict(
  executor: ModelExecutor,
  request: PredictRequestMsg | undefined,
  target: WarmupTarget,
): Promise<void> {
  const key = request?.modelSpec?.signatureName || DEFAULT_SIGNATURE;
  const signature = signatureOf(executor, key);
  if (!signature) {
    throw new InvalidInputError(`Serving signature name: "${key}" not found in signature def`);
  }
  const inputs = Object.fromEntries(
    Object.entries(request?.inputs ?? {}).map(([alias, proto]) => [
      alias,
      requestTensor(alias, proto),
    ]),
  );
  validateInputs({ ...target, signature: key }, signature, inputs);
  const filter = request?.outputFilter ?? [];
  checkOutputFilter(filter, signature);
  await executor.run(key, inputs, filter.length ? filter : undefined);
}

/** TF Serving's Classify or Regress: checks the signature, runs it, checks the outputs. */
async function replayExamples(
  executor: ModelExecutor,
  task: ExampleTask,
  spec: ModelSpecMsg | undefined,
  examples: readonly Uint8Array[],
  notFound = (key: string) => `No signature was found with the name: ${key}`,
): Promise<void> {
  const key = spec?.signatureName || DEFAULT_SIGNATURE;
  const signature = signatureOf(executor, key);
  if (!signature) throw new InvalidInputError(notFound(key));
  const fetched = task === 'classify' ? classifyOutputs(signature) : regressOutputs(signature);
  if (examples.length === 0) throw new InvalidInputError('Input is empty.');
  const fed: TensorData = { dtype: 'string', shape: [examples.length], data: examples };
  const outputs = await executor.run(key, { [EXAMPLES_INPUT]: fed }, fetched);
  if (task === 'classify') classificationsOf(signature, examples.length, fetched, outputs);
  else regressionsOf(signature, examples.length, outputs);
}

/** TF Serving's MultiInference: every task checked first, then each run on the examples. */
async function replayMultiInference(
  executor: ModelExecutor,
  request: MultiInferenceRequestMsg | undefined,
): Promise<void> {
  const tasks = request?.tasks ?? [];
  const first = tasks[0]?.modelSpec?.name;
  if (!first) throw new InvalidInputError('ModelSpec has no name specified.');
  const seen = new Set<string>();
  const plans = tasks.map((task): [ExampleTask, ModelSpecMsg | undefined] => {
    const name = task.modelSpec?.name;
    if (!name) throw new InvalidInputError('Found ModelSpec with an empty model name.');
    if (name !== first) {
      throw new InvalidInputError(
        'All ModelSpecs in a MultiInferenceRequest must access the same model name.',
      );
    }
    const key = task.modelSpec?.signatureName || DEFAULT_SIGNATURE;
    if (seen.has(key)) throw new InvalidInputError(`Duplicate evaluation of signature: ${key}`);
    seen.add(key);
    if (task.methodName === CLASSIFY_METHOD) return ['classify', task.modelSpec];
    if (task.methodName === REGRESS_METHOD) return ['regress', task.modelSpec];
    throw new UnimplementedError(`Unsupported signature method_name: ${task.methodName ?? ''}`);
  });
  const examples = serializedExamples(request?.input);
  const notFound = (key: string) => `Requested signature not found in model graph: ${key}`;
  for (const [task, spec] of plans) {
    await replayExamples(executor, task, spec, examples, notFound);
  }
}

/**
 * Runs one logged request on a loaded version as TF Serving's warm-up does
 * (`saved_model_warmup.cc`): a predict, classify, regress or multi-inference request is
 * checked and run as the serving paths would, its answer computed and dropped. A record with
 * no request does nothing; a streamed predict log must hold exactly one request.
 * @throws ModelServingError with the serving paths' messages when the request fails.
 */
export async function replayPredictionLog(
  executor: ModelExecutor,
  log: PredictionLogMsg,
  target: WarmupTarget,
): Promise<void> {
  if (log.sessionRunLog) {
    throw new UnimplementedError('session_run_log requests are not supported for warm-up');
  }
  switch (log.logType) {
    case undefined:
      return;
    case 'predictLog':
      return replayPredict(executor, log.predictLog?.request, target);
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
      return replayPredict(executor, requests[0], target);
    }
    case 'classifyLog':
    case 'regressLog': {
      const request: ExampleRequestMsg | undefined =
        log.logType === 'classifyLog' ? log.classifyLog?.request : log.regressLog?.request;
      const task = log.logType === 'classifyLog' ? 'classify' : 'regress';
      return replayExamples(executor, task, request?.modelSpec, serializedExamples(request?.input));
    }
    case 'multiInferenceLog':
      return replayMultiInference(executor, log.multiInferenceLog?.request);
  }
}
