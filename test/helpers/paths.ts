import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests run from it). */
export const ROOT = resolve(process.cwd());

/** The sample models built by `npm run models`. */
export const SAMPLE_MODELS = join(ROOT, 'sample-app', 'models');

/**
 * Reference data beside the project (`../shared`), absent in a user's clone;
 * `MODEL_SERVING_SHARED_DIR` points elsewhere (a missing directory shows what a clone sees).
 */
export const SHARED = resolve(
  ROOT,
  process.env['MODEL_SERVING_SHARED_DIR'] ?? join('..', 'shared'),
);

function present(path: string): boolean {
  if (existsSync(path)) return true;
  console.warn(`Skipping: ${path} is absent (reference data lives beside the project)`);
  return false;
}

/** `describe` when `path` exists, else a skipped suite that says what is missing. */
export function describeIfPresent(path: string): jest.Describe {
  return present(path) ? describe : describe.skip;
}

/** `it` when `path` exists, else a skipped test that says what is missing. */
export function itIfPresent(path: string): jest.It {
  return present(path) ? it : it.skip;
}
