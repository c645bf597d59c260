import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests run from it). */
export const ROOT = resolve(process.cwd());

/** The sample models built by `npm run models`. */
export const SAMPLE_MODELS = join(ROOT, 'sample-app', 'models');

/** Reference data beside the project; absent in a user's clone. */
export const SHARED = resolve(ROOT, '..', 'shared');

/** `describe` when `path` exists, else a skipped suite that says what is missing. */
export function describeIfPresent(path: string): jest.Describe {
  if (existsSync(path)) return describe;
  console.warn(`Skipping: ${path} is absent (reference data lives beside the project)`);
  return describe.skip;
}
