import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';

/**
 * A worker thread's entry `file`, which must be JavaScript, for the module at `moduleUrl`: its
 * sibling when that module runs from the built `dist/`, else (running from the TypeScript
 * sources, as tests and `tsx` do) the same file in the built `libs/model-serving/dist/<folder>/`.
 * `what` names the feature in the error.
 * @throws ModelServingConfigError when neither exists (the library was not built).
 */
export function resolveBuiltScript(moduleUrl: string, file: string, what: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const sibling = join(here, file);
  if (existsSync(sibling)) return sibling;
  const built = resolve(here, '..', '..', 'dist', basename(here), file);
  if (existsSync(built)) return built;
  throw new ModelServingConfigError(
    `${what}: the worker thread's script is neither at ${sibling} nor at ${built}; build the library (npm run build:lib)`,
  );
}

/**
 * The inference worker threads' entry (`inference.worker.js`, see {@link resolveBuiltScript}).
 * @throws ModelServingConfigError when it was not built.
 */
export function resolveWorkerScript(moduleUrl: string = import.meta.url): string {
  return resolveBuiltScript(moduleUrl, 'inference.worker.js', 'workers (or set workers: 0)');
}
