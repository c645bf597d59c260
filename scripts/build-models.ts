// Builds the sample models into sample-app/models (or --out DIR), deterministically and offline:
//   half_plus_two/1   TF.js graph model, y = 0.5 * x + 2
//   iris/1, iris/2    TF.js layers models (v1 under-trained, v2 accurate)
//   iris-accuracy.json  accuracy of each iris version on the full data set
//   mlp_onnx/1        ONNX model, a 4-16-3 MLP with known weights (served by ONNX Runtime)
// With --bench, also the models of `npm run bench` into bench/models (or --bench-out DIR), kept
// apart so the sample app serves what it always did: {mlp,cnn}_{tfjs,onnx}/1, see
// sample-models/bench-models.ts.
// Usage: npx tsx scripts/build-models.ts [--if-missing] [--out DIR] [--bench [--bench-out DIR]]
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  HALF_PLUS_TWO_WEIGHTS,
  IRIS_EPOCHS,
  IRIS_WEIGHTS,
  loadedIrisAccuracy,
  MODEL_JSON,
  tf,
  trainIris,
  useCpuBackend,
  verifyHalfPlusTwo,
  writeHalfPlusTwo,
} from './sample-models/index.js';
import {
  BENCH_MODELS,
  type BenchModelName,
  writeBenchModel,
} from './sample-models/bench-models.js';
import { mlpForward, ONNX_SAMPLE_LAYERS, writeOnnxMlp } from './sample-models/onnx-mlp.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(ROOT, 'sample-app', 'models');
const DEFAULT_BENCH_OUT = join(ROOT, 'bench', 'models');
const USAGE = 'usage: build-models.ts [--if-missing] [--out DIR] [--bench [--bench-out DIR]]';
const IRIS_ACCURACY_FILE = 'iris-accuracy.json';
const IRIS_MIN_ACCURACY = 0.95;

interface Options {
  readonly ifMissing: boolean;
  readonly out: string;
  /** Where the bench models go; undefined without --bench. */
  readonly benchOut: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  let ifMissing = false;
  let out = DEFAULT_OUT;
  let bench = false;
  let benchOut = DEFAULT_BENCH_OUT;
  const dirArg = (name: string, i: number): [string, number] => {
    const arg = argv[i] ?? '';
    const value = arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : argv[++i];
    if (value === undefined || value === '') {
      throw new Error(`${name} needs a directory`);
    }
    return [resolve(value), i];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const flag = arg.split('=')[0];
    if (arg === '--if-missing') {
      ifMissing = true;
    } else if (arg === '--bench') {
      bench = true;
    } else if (flag === '--out') {
      [out, i] = dirArg('--out', i);
    } else if (flag === '--bench-out') {
      [benchOut, i] = dirArg('--bench-out', i);
      bench = true;
    } else {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return { ifMissing, out, benchOut: bench ? benchOut : undefined };
}

const allExist = (paths: readonly string[]): boolean => paths.every((p) => existsSync(p));
const show = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
};

async function buildHalfPlusTwo(out: string, ifMissing: boolean): Promise<void> {
  const dir = join(out, 'half_plus_two', '1');
  if (ifMissing && allExist([join(dir, MODEL_JSON), join(dir, HALF_PLUS_TWO_WEIGHTS)])) {
    console.log(`half_plus_two: up to date in ${show(dir)}, skipped`);
    return;
  }
  const started = Date.now();
  await writeHalfPlusTwo(dir);
  await verifyHalfPlusTwo(dir);
  console.log(
    `half_plus_two: graph model y = 0.5x + 2 in ${show(dir)}, verified [1,2,5] -> [2.5,3,4.5] ` +
      `(${Date.now() - started} ms)`,
  );
}

async function buildIris(out: string, ifMissing: boolean): Promise<void> {
  const base = join(out, 'iris');
  const accuracyFile = join(out, IRIS_ACCURACY_FILE);
  const versions = Object.keys(IRIS_EPOCHS).map(Number) as (keyof typeof IRIS_EPOCHS)[];
  const files = versions.flatMap((v) => [
    join(base, String(v), MODEL_JSON),
    join(base, String(v), IRIS_WEIGHTS),
  ]);
  if (ifMissing && allExist([...files, accuracyFile])) {
    console.log(`iris: up to date in ${show(base)}, skipped`);
    return;
  }
  const accuracies: Record<string, number> = {};
  for (const version of versions) {
    const started = Date.now();
    const dir = join(base, String(version));
    const epochs = IRIS_EPOCHS[version];
    const accuracy = await trainIris(dir, epochs);
    const reloaded = await loadedIrisAccuracy(dir);
    if (reloaded !== accuracy) {
      throw new Error(
        `iris v${version}: accuracy ${accuracy} after training, ${reloaded} reloaded`,
      );
    }
    accuracies[version] = accuracy;
    console.log(
      `iris v${version}: layers model in ${show(dir)}, ${epochs} epochs, ` +
        `accuracy ${accuracy.toFixed(4)} (${Date.now() - started} ms)`,
    );
  }
  const first = accuracies[1] ?? 0;
  const last = accuracies[2] ?? 0;
  if (last < IRIS_MIN_ACCURACY || first >= last || first <= 1 / 3) {
    throw new Error(
      `iris: expected 1/3 < accuracy(v1) < accuracy(v2) and accuracy(v2) >= ` +
        `${IRIS_MIN_ACCURACY}, got ${JSON.stringify(accuracies)}`,
    );
  }
  await mkdir(out, { recursive: true });
  await writeFile(accuracyFile, `${JSON.stringify(accuracies, null, 2)}\n`);
}

async function buildOnnxMlp(out: string, ifMissing: boolean): Promise<void> {
  const dir = join(out, 'mlp_onnx', '1');
  if (ifMissing && allExist([join(dir, 'model.onnx')])) {
    console.log(`mlp_onnx: up to date in ${show(dir)}, skipped`);
    return;
  }
  await writeOnnxMlp(dir, ONNX_SAMPLE_LAYERS);
  const [first] = mlpForward(ONNX_SAMPLE_LAYERS, [[1, 2, 3, 4]]);
  console.log(
    `mlp_onnx: ONNX MLP ${ONNX_SAMPLE_LAYERS.join('-')} in ${show(dir)}, ` +
      `[1,2,3,4] -> [${first!.map((v) => v.toFixed(4)).join(',')}]`,
  );
}

async function buildBenchModels(out: string, ifMissing: boolean): Promise<void> {
  for (const name of Object.keys(BENCH_MODELS) as BenchModelName[]) {
    const dir = join(out, name, '1');
    const file = join(dir, BENCH_MODELS[name].file);
    if (ifMissing && allExist([file])) {
      console.log(`${name}: up to date in ${show(dir)}, skipped`);
      continue;
    }
    const started = Date.now();
    await writeBenchModel(name, dir);
    console.log(`${name}: bench model in ${show(dir)} (${Date.now() - started} ms)`);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  tf.enableProdMode(); // silences the "install tfjs-node" hint of the CPU backend
  await useCpuBackend();
  await buildHalfPlusTwo(options.out, options.ifMissing);
  await buildIris(options.out, options.ifMissing);
  await buildOnnxMlp(options.out, options.ifMissing);
  if (options.benchOut !== undefined) {
    await buildBenchModels(options.benchOut, options.ifMissing);
  }
}

try {
  await main();
} catch (error) {
  console.error(`build-models: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
