// The peer a user would write by hand: Express + TensorFlow.js (WASM, as the server runs it)
// serving one layers model at TF Serving's `POST /v1/models/<name>:predict`, `{"instances"}` in,
// `{"predictions"}` out, with a shape and dtype check equivalent to the server's, and
// `GET /v1/models/<name>` for readiness. `npm run bench` starts it as a child process.
// Usage: node --import tsx bench/express-baseline.ts --port=N --model_name=NAME --model_dir=DIR
import express, { type Request, type Response } from 'express';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileLoadHandler } from '../scripts/sample-models/model-io.js';

function flag(name: string): string {
  const prefix = `--${name}=`;
  const value = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  if (!value) throw new Error(`express-baseline: --${name} is required`);
  return value;
}

class BadRequest extends Error {}

/** Checks one instance against `dims` (numbers only) and appends its values to `out`. */
function flatten(value: unknown, dims: readonly number[], out: number[], path: string): void {
  if (dims.length === 0) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BadRequest(`${path} must be a finite number (DT_FLOAT)`);
    }
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== dims[0]) {
    throw new BadRequest(`${path} must be a list of ${dims[0]}`);
  }
  const rest = dims.slice(1);
  value.forEach((v: unknown, i) => flatten(v, rest, out, `${path}[${i}]`));
}

async function main(): Promise<void> {
  const port = Number(flag('port'));
  const name = flag('model_name');
  await tf.setBackend('wasm');
  const model = await tfl.loadLayersModel(fileLoadHandler(flag('model_dir')));
  const dims = model.inputs[0]!.shape.slice(1).map((d) => d ?? -1);
  if (dims.some((d) => d < 0)) throw new Error('express-baseline: needs fixed inner dimensions');
  const perRow = dims.reduce((n, d) => n * d, 1);

  const app = express();
  app.use(express.json({ limit: '256mb' }));
  app.get('/v1/models/:name', (req: Request, res: Response) => {
    if (req.params['name'] !== name) return void res.status(404).json({ error: 'no such model' });
    res.json({ model_version_status: [{ version: '1', state: 'AVAILABLE' }] });
  });
  // Express 5 paths: the ':predict' suffix is part of the one path segment.
  app.post('/v1/models/:spec', async (req: Request, res: Response) => {
    if (req.params['spec'] !== `${name}:predict`) {
      return void res.status(404).json({ error: 'no such model' });
    }
    try {
      const instances = (req.body as { instances?: unknown } | undefined)?.instances;
      if (!Array.isArray(instances) || instances.length === 0) {
        throw new BadRequest('"instances" must be a non-empty list');
      }
      const values: number[] = [];
      instances.forEach((row: unknown, i) => flatten(row, dims, values, `instances[${i}]`));
      const x = tf.tensor(Float32Array.from(values), [instances.length, ...dims]);
      const y = model.predict(x) as tf.Tensor;
      const out = (await y.array()) as number[][];
      tf.dispose([x, y]);
      res.json({ predictions: out });
    } catch (error) {
      if (error instanceof BadRequest) res.status(400).json({ error: error.message });
      else res.status(500).json({ error: 'internal error' });
    }
  });
  const server = app.listen(port, '127.0.0.1', () => {
    process.stdout.write(`express-baseline: ${name} (${perRow} floats/row) on ${port}\n`);
  });
  process.once('SIGTERM', () => {
    // The WASM backend keeps the process alive, so exit once the sockets are closed.
    server.close(() => {
      model.dispose();
      process.exit(0);
    });
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
