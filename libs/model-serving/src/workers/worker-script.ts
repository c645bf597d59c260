import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';

const WORKER_FILE = 'inference.worker.js';

/**
 * The worker threads' entry, which must be JavaScript: the sibling `inference.worker.js` when
 * this module runs from the built `dist/`, else (running from the TypeScript sources, as tests
 * and `tsx` do) the built `libs/model-serving/dist/workers/inference.worker.js`.
 * @throws ModelServingConfigError when neither exists (the library was not built).
 */
export function resolveWorkerScript(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const sibling = join(here, WORKER_FILE);
  if (existsSync(sibling)) return sibling;
  const built = resolve(here, '..', '..', 'dist', 'workers', WORKER_FILE);
  if (existsSync(built)) return built;
  throw new ModelServingConfigError(
    `workers: the worker threads' script is neither at ${sibling} nor at ${built}; build the library (npm run build:lib) or set workers: 0`,
  );
}
