// Scenario s: SavedModels, the same directory on both engines. The project's SavedModel writer
// exports an MLP (784-512-512-10, ReLU) and a CNN ([n,28,28,1] → conv 3x3x8 → pool → conv
// 3x3x16 → pool → dense 10, softmax) as TF2 SavedModels; each runs on TensorFlow.js (WASM, the
// frozen graph as a tfjs graph model) and translated to ONNX on ONNX Runtime: raw (the
// library's executor in the bench process, no HTTP) and served (model-server over REST with wrk
// and over gRPC with h2load, one server per engine, --saved_model_engine pinning it).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelExecutor, SavedModelLoader } from '../libs/model-serving/dist/index.js';
import {
  BENCH_CNN_INPUT,
  BENCH_MLP_LAYERS,
  benchInput,
} from '../scripts/sample-models/bench-models.js';
import { writeCnnSavedModel } from '../test/helpers/saved-model-writer/cnn-export.js';
import { writeMlpSavedModel } from '../test/helpers/saved-model-writer/mlp-export.js';
import { type Context, reason, restLoad } from './context.js';
import { addGrpcRow, grpcName, NO_H2LOAD, requestCounts } from './grpc-scenarios.js';
import { useWasm } from './engines.js';
import { loop } from './measure.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { type RunningServer, startModelServer } from './servers.js';
import { SATURATION_CLIENTS } from './shared-server-scenarios.js';

type SavedModelName = 'mlp' | 'cnn';
type Engine = 'tfjs' | 'onnx';
const ENGINE_LABEL: Record<Engine, string> = { tfjs: 'tfjs-wasm', onnx: 'onnx' };
/** The bench model whose inputs (and request bodies) each SavedModel takes. */
const BODY_MODEL = { mlp: 'mlp_tfjs', cnn: 'cnn_tfjs' } as const;
const INPUT_SHAPE: Record<SavedModelName, readonly number[]> = {
  mlp: [BENCH_MLP_LAYERS[0]!],
  cnn: BENCH_CNN_INPUT,
};

export const savedModelRawName = (model: SavedModelName, engine: Engine): string =>
  `s raw savedmodel ${model} ${ENGINE_LABEL[engine]} b${SERVED_BATCH}`;
export const savedModelServedName = (model: SavedModelName, engine: Engine): string =>
  `s rest savedmodel ${model} ${ENGINE_LABEL[engine]} b${SERVED_BATCH} c${SATURATION_CLIENTS}`;
export const savedModelGrpcName = (model: SavedModelName, engine: Engine): string =>
  grpcName(`savedmodel ${model} ${ENGINE_LABEL[engine]}`);

/** The alias of `served`'s one `serving_default` input, from its metadata. */
async function inputAlias(server: RunningServer, served: string): Promise<string> {
  const response = await fetch(`${server.url}/v1/models/${served}/metadata`);
  const body = (await response.json()) as {
    metadata?: {
      signature_def?: { signature_def?: Record<string, { inputs?: Record<string, unknown> }> };
    };
  };
  const inputs = body.metadata?.signature_def?.signature_def?.['serving_default']?.inputs ?? {};
  const [alias] = Object.keys(inputs);
  if (alias === undefined) throw new Error(`${served} has no serving_default input`);
  return alias;
}

/** Writes the two SavedModels under the scratch directory; answers their base paths. */
async function writeSavedModels(ctx: Context): Promise<Record<SavedModelName, string>> {
  const base = join(ctx.scratch, 'saved-models');
  await writeMlpSavedModel(join(base, 'mlp', '1'), { layers: BENCH_MLP_LAYERS, style: 'tf2' });
  await writeCnnSavedModel(join(base, 'cnn', '1'), {
    height: BENCH_CNN_INPUT[0]!,
    width: BENCH_CNN_INPUT[1]!,
    channels: BENCH_CNN_INPUT[2]!,
    filters: [8, 16],
    kernel: 3,
    dense: 0,
    classes: 10,
    style: 'tf2',
  });
  return { mlp: join(base, 'mlp'), cnn: join(base, 'cnn') };
}

async function rawRun(ctx: Context, model: SavedModelName, engine: Engine, dir: string) {
  const directory = join(dir, '1');
  await useWasm();
  let executor: ModelExecutor | undefined;
  try {
    executor = await new SavedModelLoader().load({
      modelName: model,
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'wasm',
      engine,
    });
    if (executor.backend !== (engine === 'onnx' ? 'onnxruntime' : 'wasm')) {
      throw new Error(`ran on ${executor.backend}, not ${engine}`);
    }
    const run = executor;
    const [alias] = Object.keys(run.signatures['serving_default']!.inputs);
    const inputs = {
      [alias!]: {
        dtype: 'float32' as const,
        shape: [SERVED_BATCH, ...INPUT_SHAPE[model]],
        data: benchInput(BODY_MODEL[model], SERVED_BATCH),
      },
    };
    const calls = await loop(
      () => run.run('serving_default', inputs),
      ctx.durations.rawSeconds,
      1,
      5,
    );
    ctx.results.add(
      savedModelRawName(model, engine),
      { ...calls, perSecond: calls.perSecond * SERVED_BATCH },
      {
        unit: 'samples/s',
        batch: SERVED_BATCH,
        clients: 1,
        note: 'SavedModel executor, p50/p99 per call',
      },
    );
  } catch (error) {
    ctx.results.skip(savedModelRawName(model, engine), reason(error));
  } finally {
    await executor?.dispose();
  }
}

export async function savedModelScenarios(ctx: Context): Promise<void> {
  console.log('s. SavedModels on tfjs-wasm and translated to ONNX, raw and served');
  const engines: Engine[] = ['tfjs', 'onnx'];
  const models: SavedModelName[] = ['mlp', 'cnn'];
  let dirs: Record<SavedModelName, string>;
  try {
    dirs = await writeSavedModels(ctx);
  } catch (error) {
    for (const m of models) {
      for (const e of engines) {
        ctx.results.skip(savedModelRawName(m, e), reason(error));
        ctx.results.skip(savedModelServedName(m, e), reason(error));
        ctx.results.skip(savedModelGrpcName(m, e), reason(error));
      }
    }
    return;
  }
  for (const model of models)
    for (const engine of engines) await rawRun(ctx, model, engine, dirs[model]);
  for (const engine of engines) {
    let server: RunningServer;
    try {
      server = await startModelServer({
        models: { sm_mlp: dirs.mlp, sm_cnn: dirs.cnn },
        scratch: ctx.scratch,
        flags: [`--saved_model_engine=${engine}`],
        metrics: true,
      });
    } catch (error) {
      for (const m of models) {
        ctx.results.skip(savedModelServedName(m, engine), reason(error));
        ctx.results.skip(savedModelGrpcName(m, engine), reason(error));
      }
      continue;
    }
    try {
      for (const model of models) {
        try {
          ctx.results.add(
            savedModelServedName(model, engine),
            await restLoad(ctx, {
              url: server.url,
              served: `sm_${model}`,
              model: BODY_MODEL[model],
              rows: SERVED_BATCH,
              connections: SATURATION_CLIENTS,
            }),
            { unit: 'samples/s', batch: SERVED_BATCH, clients: SATURATION_CLIENTS },
          );
        } catch (error) {
          ctx.results.skip(savedModelServedName(model, engine), reason(error));
        }
        if (!ctx.h2load) {
          ctx.results.skip(savedModelGrpcName(model, engine), NO_H2LOAD);
          continue;
        }
        const served = `sm_${model}`;
        let input: string;
        try {
          input = await inputAlias(server, served);
        } catch (error) {
          ctx.results.skip(savedModelGrpcName(model, engine), reason(error));
          continue;
        }
        await addGrpcRow(ctx, savedModelGrpcName(model, engine), {
          server,
          served,
          model: BODY_MODEL[model],
          input,
          counts: () => requestCounts(server, served),
        });
      }
    } finally {
      await server.stop();
    }
  }
}
