import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import {
  type DenseWeights,
  mlpForward,
  writeMlpSavedModel,
} from './helpers/saved-model-writer/mlp-export.js';
import { encodeSavedModel } from './helpers/saved-model-writer/saved-model-pb.js';
import { node, placeholder, tensorInfo, type } from './helpers/saved-model-writer/graph-defs.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

interface VersionStatus {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

const LAYERS = [6, 16, 3];

async function flipByte(file: string, at: (length: number) => number): Promise<void> {
  const bytes = await readFile(file);
  const i = at(bytes.length);
  bytes[i] = bytes[i]! ^ 0x5a;
  await writeFile(file, bytes);
}

/** A graph whose only signature needs two ops TensorFlow.js lacks. */
async function writeUnsupportedOps(dir: string): Promise<void> {
  const graph = {
    graphDef: {
      node: [
        placeholder('x', [-1, 2]),
        node('inverse', 'MatrixInverse', ['x'], { T: type() }),
        node('odd', 'Erfinv', ['inverse'], { T: type() }),
        node('y', 'Identity', ['odd'], { T: type() }),
      ],
    },
    signatureDef: {
      serving_default: {
        inputs: { x: tensorInfo('x:0', [-1, 2]) },
        outputs: { y: tensorInfo('y:0', [-1, 2]) },
        methodName: 'tensorflow/serving/predict',
      },
    },
  };
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
}

describe('broken SavedModels fail cleanly, each with its own reason', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  let goodWeights: DenseWeights[];
  const version = (model: string) => join(base.path, model, '1');
  const variables = (model: string, file: string) => join(version(model), 'variables', file);

  const status = async (model: string): Promise<VersionStatus> => {
    const res = await get(`${serving.url}/v1/models/${model}`);
    return (res.json.model_version_status as VersionStatus[])[0]!;
  };

  beforeAll(async () => {
    base = await tempDir('saved-model-corruption');
    for (const model of [
      'good',
      'truncated-pb',
      'flipped-index',
      'flipped-data',
      'missing-shard',
    ]) {
      const weights = await writeMlpSavedModel(version(model), { layers: LAYERS, numShards: 2 });
      if (model === 'good') goodWeights = weights;
    }
    const pb = join(version('truncated-pb'), 'saved_model.pb');
    await truncate(pb, Math.floor((await readFile(pb)).length * 0.6));
    // The index's first block (entries) and the data file's first tensor.
    await flipByte(variables('flipped-index', 'variables.index'), () => 20);
    await flipByte(variables('flipped-data', 'variables.data-00000-of-00002'), () => 5);
    await rm(variables('missing-shard', 'variables.data-00001-of-00002'));
    await mkdir(version('unsupported-ops'), { recursive: true });
    await writeUnsupportedOps(version('unsupported-ops'));
    serving = await startServingApp({
      models: [
        'good',
        'truncated-pb',
        'flipped-index',
        'flipped-data',
        'missing-shard',
        'unsupported-ops',
      ].map((name) => ({ name, basePath: join(base.path, name) })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it.each([
    [
      'truncated-pb',
      'DATA_LOSS',
      /^model 'truncated-pb' version 1: saved_model\.pb is not a valid SavedModel protobuf \(/,
    ],
    [
      'flipped-index',
      'DATA_LOSS',
      /model 'flipped-index' version 1: variables\/variables\.index: not a valid table \(checksum mismatch/,
    ],
    [
      'flipped-data',
      'DATA_LOSS',
      /model 'flipped-data' version 1: checkpoint entry '[^']+' in variables\/variables\.data-00000-of-00002 fails its checksum/,
    ],
    [
      'missing-shard',
      'UNAVAILABLE',
      /model 'missing-shard' version 1: variables\/variables\.data-00001-of-00002 is missing/,
    ],
    [
      'unsupported-ops',
      'UNIMPLEMENTED',
      /uses ops TensorFlow\.js does not run: Erfinv \(signature 'serving_default'\), MatrixInverse \(signature 'serving_default'\)/,
    ],
  ])('%s ends with %s and a specific error', async (model, code, message) => {
    const s = await status(model);
    expect(s.state).toBe('END');
    expect(s.status.error_code).toBe(code);
    expect(s.status.error_message).toMatch(message);
    const res = await post(`${serving.url}/v1/models/${model}:predict`, '{"instances": [[1]]}');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: `Servable not found for request: Latest(${model})` });
  });

  it('serves the intact copy meanwhile', async () => {
    expect((await status('good')).state).toBe('AVAILABLE');
    const res = await post(
      `${serving.url}/v1/models/good:predict`,
      JSON.stringify({ instances: [[1, 2, 3, 4, 5, 6]] }),
    );
    expect(res.status).toBe(200);
    const [expected] = mlpForward(goodWeights, [[1, 2, 3, 4, 5, 6]]);
    const [served] = res.json.predictions as number[][];
    expect(served).toHaveLength(3);
    served!.forEach((value, i) => expect(value).toBeCloseTo(expected![i]!, 5));
  });
});
