import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointIndex, parseCheckpointIndex } from './checkpoint-index.js';
import { unreadable } from './unreadable.js';

/** Reads `variables/variables.index` if there is one (a model without variables has none). */
export async function readCheckpointIndex(
  variablesDir: string,
): Promise<CheckpointIndex | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(variablesDir, 'variables.index'));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw unreadable('variables/variables.index', error);
  }
  try {
    return parseCheckpointIndex(bytes);
  } catch (error) {
    if (error instanceof ModelLoadError) {
      throw new ModelLoadError(`variables/variables.index: ${error.message}`, error.code);
    }
    throw error;
  }
}
