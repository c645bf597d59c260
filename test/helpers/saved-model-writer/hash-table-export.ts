import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCheckpoint } from './checkpoint-writer.js';
import {
  tf1HashTableGraph,
  tf2HashTableGraph,
  VALUES_KEY,
  VOCABULARY,
} from './hash-table-graphs.js';
import { encodeSavedModel } from './saved-model-pb.js';

export interface HashTableExportOptions {
  /** TF1 (`legacy_init_op`, values in a variable) or TF2 (`__saved_model_init_op`). */
  style: 'tf1' | 'tf2';
  /** TF2 only: the op filling the table (e.g. `InitializeTableFromTextFileV2`, refused). */
  filler?: string;
  /**
   * TF1 only: the values variable, one per `VOCABULARY` key in its order (int64s past 2^31
   * test that they are read exactly). @defaultValue VOCABULARY's values
   */
  values?: readonly bigint[];
}

/**
 * Writes a SavedModel that looks words up in a string → int64 vocabulary table filled by its
 * init op (`VOCABULARY`, `DEFAULT_ID` for the rest): `serving_default` answers the ids,
 * `doubled` twice them.
 */
export async function writeHashTableSavedModel(
  dir: string,
  { style, filler, values: given }: HashTableExportOptions,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const graph = style === 'tf1' ? tf1HashTableGraph() : tf2HashTableGraph(filler);
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
  if (style === 'tf2') return;
  const values = new BigInt64Array(given ?? Object.values(VOCABULARY).map(BigInt));
  await writeCheckpoint(join(dir, 'variables'), [
    {
      key: VALUES_KEY,
      dtype: 'DT_INT64',
      shape: [values.length],
      data: new Uint8Array(values.buffer),
    },
  ]);
}
