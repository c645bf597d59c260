import { fileURLToPath } from 'node:url';

/** Where `npm run models` writes the sample models; `MODELS_DIR` overrides it. */
export const MODELS_DIR =
  process.env['MODELS_DIR'] ?? fileURLToPath(new URL('../models', import.meta.url));
