import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { node, type NodeObject, placeholder, stringConst, tensorInfo, type } from './graph-defs.js';
import { int64Const } from './hash-table-graphs.js';
import { encodeSavedModel } from './saved-model-pb.js';
import { arg, callAttrs, initOpSignature } from './tf2-scaffold.js';

/** The int64 → string table. */
export const ID_TO_WORD: ReadonlyMap<bigint, string> = new Map([
  [7n, 'seven'],
  [42n, 'answer'],
  [-3n, 'minus three'],
]);
/** The key `wide` adds, beyond int32 (TensorFlow.js cannot hold it; ONNX's int64 does). */
export const WIDE_ID: readonly [bigint, string] = [5_000_000_000n, 'five billion'];
/** The string → string table. */
export const SYNONYMS: Readonly<Record<string, string>> = { big: 'large', fast: 'quick' };
export const DEFAULT_WORD = '[UNK]';
export const DEFAULT_SYNONYM = '?';

const table = (name: string, key: string, value: string) =>
  node(name, 'HashTableV2', [], {
    key_dtype: type(key),
    value_dtype: type(value),
    container: { s: Buffer.from('') },
    shared_name: { s: Buffer.from(`hash_table_${name}`) },
    use_node_name_sharing: { b: false },
  });

function lookup(name: string, handle: string, keys: string, fallback: string, tin: string) {
  return node(name, 'LookupTableFindV2', [handle, keys, fallback], {
    Tin: type(tin),
    Tout: type('DT_STRING'),
  });
}

/**
 * TF2: two `HashTableV2`s filled by one initializer function (`LookupTableImportV2` of
 * constants; `wide` adds `WIDE_ID`): `serving_default` maps int64 `id` to a word (`DEFAULT_WORD` for the rest),
 * `synonym` maps a `word` to its synonym (`DEFAULT_SYNONYM`).
 */
export function tf2LookupTablesGraph(wide = false): object {
  const idToWord = new Map(ID_TO_WORD);
  if (wide) idToWord.set(...WIDE_ID);
  // int64 keys beyond 2³¹ go in as decimal strings (the TensorProto's int64_val).
  const idKeys = node('ids', 'Const', [], {
    dtype: type('DT_INT64'),
    value: {
      tensor: {
        dtype: 'DT_INT64',
        tensorShape: { dim: [{ size: idToWord.size }] },
        int64Val: [...idToWord.keys()].map(String),
      },
    },
  });
  const ids = {
    signature: {
      name: '__inference_signature_wrapper_310',
      inputArg: [arg('id', 'DT_INT64'), arg('unknown', 'DT_RESOURCE')],
      outputArg: [arg('word', 'DT_STRING')],
    },
    nodeDef: [
      stringConst('Const', [DEFAULT_WORD], true),
      lookup('None_Lookup/LookupTableFindV2', 'unknown', 'id', 'Const:output:0', 'DT_INT64'),
      node('Identity', 'Identity', ['None_Lookup/LookupTableFindV2:values:0'], {
        T: type('DT_STRING'),
      }),
    ],
    ret: { word: 'Identity:output:0' },
  };
  const synonyms = {
    signature: {
      name: '__inference_signature_wrapper_320',
      inputArg: [arg('word', 'DT_STRING'), arg('unknown', 'DT_RESOURCE')],
      outputArg: [arg('synonym', 'DT_STRING')],
    },
    nodeDef: [
      stringConst('Const', [DEFAULT_SYNONYM], true),
      lookup('None_Lookup/LookupTableFindV2', 'unknown', 'word', 'Const:output:0', 'DT_STRING'),
      node('Identity', 'Identity', ['None_Lookup/LookupTableFindV2:values:0'], {
        T: type('DT_STRING'),
      }),
    ],
    ret: { synonym: 'Identity:output:0' },
  };
  const init = {
    signature: {
      name: '__inference__initializer_340',
      inputArg: [arg('unknown', 'DT_RESOURCE'), arg('unknown_0', 'DT_RESOURCE')],
      outputArg: [arg('identity', 'DT_INT64')],
    },
    nodeDef: [
      idKeys,
      stringConst('words', [...idToWord.values()]),
      node(
        'ids_init/LookupTableImportV2',
        'LookupTableImportV2',
        ['unknown', 'ids:output:0', 'words:output:0'],
        { Tin: type('DT_INT64'), Tout: type('DT_STRING') },
      ),
      stringConst('from', Object.keys(SYNONYMS)),
      stringConst('to', Object.values(SYNONYMS)),
      node(
        'synonyms_init/LookupTableImportV2',
        'LookupTableImportV2',
        ['unknown_0', 'from:output:0', 'to:output:0'],
        { Tin: type('DT_STRING'), Tout: type('DT_STRING') },
      ),
      int64Const('Const', [1], true),
      node(
        'Identity',
        'Identity',
        ['Const:output:0', '^ids_init/LookupTableImportV2', '^synonyms_init/LookupTableImportV2'],
        { T: type('DT_INT64') },
      ),
    ],
    ret: { identity: 'Identity:output:0' },
  };
  const nodes: NodeObject[] = [
    table('ids', 'DT_INT64', 'DT_STRING'),
    table('synonyms', 'DT_STRING', 'DT_STRING'),
    placeholder('serving_default_id', [-1], 'DT_INT64'),
    node(
      'StatefulPartitionedCall',
      'StatefulPartitionedCall',
      ['serving_default_id', 'ids'],
      callAttrs(ids.signature.name, ['DT_INT64', 'DT_RESOURCE'], ['DT_STRING']),
    ),
    placeholder('synonym_word', [-1], 'DT_STRING'),
    node(
      'StatefulPartitionedCall_1',
      'StatefulPartitionedCall',
      ['synonym_word', 'synonyms'],
      callAttrs(synonyms.signature.name, ['DT_STRING', 'DT_RESOURCE'], ['DT_STRING']),
    ),
    node(
      'StatefulPartitionedCall_2',
      'StatefulPartitionedCall',
      ['ids', 'synonyms'],
      callAttrs(init.signature.name, ['DT_RESOURCE', 'DT_RESOURCE'], ['DT_INT64']),
    ),
    node('NoOp', 'NoOp', ['^StatefulPartitionedCall_2']),
  ];
  return {
    graphDef: {
      node: nodes,
      library: { function: [ids, synonyms, init] },
      versions: { producer: 1205 },
    },
    signatureDef: {
      serving_default: {
        inputs: { id: tensorInfo('serving_default_id:0', [-1], 'DT_INT64') },
        outputs: { word: tensorInfo('StatefulPartitionedCall:0', [-1], 'DT_STRING') },
        methodName: 'tensorflow/serving/predict',
      },
      synonym: {
        inputs: { word: tensorInfo('synonym_word:0', [-1], 'DT_STRING') },
        outputs: { synonym: tensorInfo('StatefulPartitionedCall_1:0', [-1], 'DT_STRING') },
        methodName: 'tensorflow/serving/predict',
      },
      __saved_model_init_op: initOpSignature(),
    },
  };
}

/**
 * Writes the SavedModel of `tf2LookupTablesGraph` (no variables: the tables are constants);
 * `wide` adds `WIDE_ID` to the int64 → string table.
 */
export async function writeLookupTablesSavedModel(dir: string, wide = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(tf2LookupTablesGraph(wide)));
}
