/**
 * Loads one SavedModel version with `SavedModelLoader` in a fresh process and prints
 * `{ loadMs, baselineRssMb, peakRssMb }` as JSON: run as
 * `node --import tsx test/helpers/saved-model-writer/measure-load.ts <dir> [cpu|wasm]`.
 */
import { readdir } from 'node:fs/promises';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { SavedModelLoader } from 'nest-model-serving';

const [directory, backend = 'cpu'] = process.argv.slice(2);
const mb = (kb: number) => Math.round(kb / 1024);

async function main(): Promise<void> {
  if (!directory) throw new Error('usage: measure-load.ts <version dir> [cpu|wasm]');
  await tf.setBackend(backend);
  await tf.ready();
  const baseline = process.resourceUsage().maxRSS;
  const started = performance.now();
  const executor = await new SavedModelLoader().load({
    modelName: 'measured',
    version: 1,
    directory,
    files: await readdir(directory),
    backend: backend === 'wasm' ? 'wasm' : 'cpu',
  });
  const loadMs = Math.round(performance.now() - started);
  const peak = process.resourceUsage().maxRSS;
  await executor.dispose();
  process.stdout.write(
    `${JSON.stringify({ loadMs, baselineRssMb: mb(baseline), peakRssMb: mb(peak), backend })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
