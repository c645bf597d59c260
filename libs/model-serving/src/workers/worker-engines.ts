import { pathToFileURL } from 'node:url';
import { ModelLoadError } from '../errors/model-load.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { type ModelExecutor } from '../models/model.executor.js';
import { type LoadContext, type ModelLoader } from '../models/model.loader.js';
import { type WorkerLoad } from './worker-load.js';

/*
 * Runs in a worker thread: builds a version's executor from what the main thread sent. The
 * engines are imported on first use, so a pool serving only ONNX never loads TensorFlow.js.
 */

/** An absolute path or a URL, as `import()` takes it. */
function importable(path: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)
    ? path
    : pathToFileURL(path).href;
}

async function importModule(path: string, where: string): Promise<Record<string, unknown>> {
  try {
    return (await import(importable(path))) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(`${where}: worker module ${path} could not be imported: ${reason}`);
  }
}

let tfjsStarted = false;

/** Whether this worker has started TensorFlow.js (an ONNX-only worker never does). */
export function usesTfjs(): boolean {
  return tfjsStarted;
}

/** The tfjs backend the options ask for, started in this thread as on the main one. */
async function selectTfjsBackend(context: LoadContext): Promise<void> {
  tfjsStarted = true;
  const { selectBackend } = await import('../engines/tfjs/select-backend.js');
  await selectBackend(context.backend);
}

/** Custom ops registered per worker module: `registerOp` is process-wide (here, thread-wide). */
const registeredHooks = new Map<string, Promise<Record<string, unknown>>>();

async function savedModelHooks(path: string, where: string): Promise<Record<string, unknown>> {
  let hooks = registeredHooks.get(path);
  if (!hooks) {
    hooks = (async () => {
      const module = await importModule(path, where);
      const { registerOp } = await import('@tensorflow/tfjs-converter');
      const ops = (module['customOps'] ?? {}) as Record<string, Parameters<typeof registerOp>[1]>;
      for (const [name, kernel] of Object.entries(ops)) registerOp(name, kernel);
      return module;
    })();
    registeredHooks.set(path, hooks);
    hooks.catch(() => registeredHooks.delete(path));
  }
  return hooks;
}

const customLoaders = new Map<string, ModelLoader>();

async function customLoader(
  spec: Extract<WorkerLoad, { engine: 'module' }>['module'],
  where: string,
): Promise<ModelLoader> {
  const id = `${spec.path}#${spec.export}#${JSON.stringify(spec.options ?? null)}`;
  const cached = customLoaders.get(id);
  if (cached) return cached;
  const exported = (await importModule(spec.path, where))[spec.export];
  if (typeof exported !== 'function') {
    throw new ModelLoadError(`${where}: ${spec.path} exports no class '${spec.export}'`);
  }
  const loader = new (exported as new (options: unknown) => ModelLoader)(spec.options);
  customLoaders.set(id, loader);
  return loader;
}

/** Builds the executor of one version in this worker. */
export async function buildWorkerExecutor(
  load: WorkerLoad,
  context: LoadContext,
): Promise<ModelExecutor> {
  const where = `model '${context.modelName}' version ${context.version}`;
  switch (load.engine) {
    case 'tfjs': {
      await selectTfjsBackend(context);
      const { buildTfjsExecutor } = await import('../engines/tfjs/tfjs.loader.js');
      return buildTfjsExecutor(load.artifacts, where, load.cpuFallback !== undefined);
    }
    case 'saved-model': {
      await selectTfjsBackend(context);
      const hooks = load.workerModule ? await savedModelHooks(load.workerModule, where) : {};
      const { createSavedModelExecutor } =
        await import('../engines/saved-model/saved-model-artifacts.js');
      const { parseExamples } = await import('../engines/saved-model/parse-examples.js');
      const parser = (hooks['exampleParser'] ?? parseExamples) as typeof parseExamples;
      try {
        const executor = await createSavedModelExecutor(load.artifacts, parser);
        if (load.cpuFallback !== undefined) executor.fallBackToCpu(load.cpuFallback);
        return executor;
      } catch (error) {
        if (error instanceof ModelServingError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ModelLoadError(
          `${where}: TensorFlow.js could not load the SavedModel: ${reason}`,
        );
      }
    }
    case 'saved-model-onnx': {
      const hooks = load.workerModule ? await importModule(load.workerModule, where) : {};
      const { createSavedModelOnnxExecutor } =
        await import('../engines/tf-onnx/saved-model-onnx.session.js');
      const { parseExamples } = await import('../engines/saved-model/parse-examples.js');
      const parser = (hooks['exampleParser'] ?? parseExamples) as typeof parseExamples;
      return createSavedModelOnnxExecutor(load.translation, load.options, context, parser);
    }
    case 'onnx': {
      const { createOnnxExecutor } = await import('../engines/onnx/onnx.loader.js');
      return createOnnxExecutor(load.model, load.options, context);
    }
    case 'module': {
      await selectTfjsBackend(context);
      return (await customLoader(load.module, where)).load(context);
    }
  }
}
