import { fileURLToPath } from 'node:url';

/** Where `npm run models` writes the sample models; `MODELS_DIR` overrides it. */
export const MODELS_DIR =
  process.env['MODELS_DIR'] ?? fileURLToPath(new URL('../models', import.meta.url));

/** Where the sample app writes its prediction logs; `PREDICTION_LOG_DIR` overrides it. */
export const PREDICTION_LOG_DIR =
  process.env['PREDICTION_LOG_DIR'] ?? fileURLToPath(new URL('../logs', import.meta.url));
