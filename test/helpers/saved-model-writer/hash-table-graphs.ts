import { node, type NodeObject, placeholder, stringConst, tensorInfo, type } from './graph-defs.js';
import { tf1MetaGraph, tf1Restore, tf1Variables } from './tf1-scaffold.js';
import { arg, callAttrs, initOpSignature } from './tf2-scaffold.js';

/** The vocabulary the tables map: each key to its value, anything else to the default. */
export const VOCABULARY: Readonly<Record<string, number>> = { a: 10, b: 20, c: 30 };
export const DEFAULT_ID = -1;
/** The TF1 export's checkpoint key of the table's values (a variable). */
export const VALUES_KEY = 'vocab/values';

/** A `Const` of int64s. */
export function int64Const(name: string, values: readonly number[], scalar = false): NodeObject {
  return node(name, 'Const', [], {
    dtype: type('DT_INT64'),
    value: {
      tensor: {
        dtype: 'DT_INT64',
        tensorShape: scalar ? {} : { dim: [{ size: values.length }] },
        int64Val: values.map(String),
      },
    },
  });
}

const tableAttrs = {
  key_dtype: type('DT_STRING'),
  value_dtype: type('DT_INT64'),
  container: { s: Buffer.from('') },
  shared_name: { s: Buffer.from('hash_table_vocab') },
  use_node_name_sharing: { b: false },
};
const lookupAttrs = { Tin: type('DT_STRING'), Tout: type('DT_INT64') };

function signatures(input: string, ids: string, doubled: string): object {
  return {
    serving_default: {
      inputs: { word: tensorInfo(input, [-1], 'DT_STRING') },
      outputs: { ids: tensorInfo(ids, [-1], 'DT_INT64') },
      methodName: 'tensorflow/serving/predict',
    },
    doubled: {
      inputs: { word: tensorInfo(input, [-1], 'DT_STRING') },
      outputs: { doubled: tensorInfo(doubled, [-1], 'DT_INT64') },
      methodName: 'tensorflow/serving/predict',
    },
  };
}

/**
 * TF1: a `HashTableV2` filled by `InitializeTableV2` from a key `Const` and a values variable
 * (restored by the Saver), run by the `legacy_init_op` collection's `NoOp`.
 */
export function tf1HashTableGraph(): object {
  const keys = Object.keys(VOCABULARY);
  const vars = [{ name: VALUES_KEY, key: VALUES_KEY, dims: [keys.length] }];
  const nodes: NodeObject[] = [
    placeholder('word', [-1], 'DT_STRING'),
    node('hash_table', 'HashTableV2', [], tableAttrs),
    stringConst('key_value_init/keys', keys),
    ...tf1Variables(vars, 'DT_INT64'),
    node(
      'key_value_init',
      'InitializeTableV2',
      ['hash_table', 'key_value_init/keys', `${VALUES_KEY}/read`],
      { Tkey: type('DT_STRING'), Tval: type('DT_INT64') },
    ),
    node('init_all_tables', 'NoOp', ['^key_value_init']),
    node('legacy_init_op', 'NoOp', ['^init_all_tables']),
    int64Const('hash_table_Lookup/default', [DEFAULT_ID], true),
    node(
      'hash_table_Lookup/LookupTableFindV2',
      'LookupTableFindV2',
      ['hash_table', 'word', 'hash_table_Lookup/default'],
      lookupAttrs,
    ),
    node('ids', 'Identity', ['hash_table_Lookup/LookupTableFindV2'], { T: type('DT_INT64') }),
    int64Const('mul/y', [2], true),
    node('doubled', 'Mul', ['ids', 'mul/y'], { T: type('DT_INT64') }),
    ...tf1Restore(vars, { dtype: 'DT_INT64', assignName: () => 'save/Assign' }),
  ];
  return tf1MetaGraph(nodes, signatures('word:0', 'ids:0', 'doubled:0'), {
    collectionDef: { legacy_init_op: { nodeList: { value: ['legacy_init_op'] } } },
  });
}

/**
 * TF2: the table is a graph `HashTableV2` captured by the serving function and by the
 * initializer function (`LookupTableImportV2` of two constants), which the
 * `__saved_model_init_op` signature's `NoOp` runs through a control input.
 */
export function tf2HashTableGraph(filler = 'LookupTableImportV2'): object {
  const serve = {
    signature: {
      name: '__inference_signature_wrapper_20',
      inputArg: [arg('word', 'DT_STRING'), arg('unknown', 'DT_RESOURCE')],
      outputArg: [arg('ids', 'DT_INT64'), arg('doubled', 'DT_INT64')],
    },
    nodeDef: [
      int64Const('Const', [DEFAULT_ID], true),
      node(
        'None_Lookup/LookupTableFindV2',
        'LookupTableFindV2',
        ['unknown', 'word', 'Const:output:0'],
        lookupAttrs,
      ),
      node('Identity', 'Identity', ['None_Lookup/LookupTableFindV2:values:0'], {
        T: type('DT_INT64'),
      }),
      int64Const('mul/y', [2], true),
      node('mul', 'Mul', ['Identity:output:0', 'mul/y:output:0'], { T: type('DT_INT64') }),
      node('Identity_1', 'Identity', ['mul:z:0'], { T: type('DT_INT64') }),
    ],
    ret: { ids: 'Identity:output:0', doubled: 'Identity_1:output:0' },
  };
  const fromFile = filler !== 'LookupTableImportV2';
  const init = {
    signature: {
      name: '__inference__initializer_40',
      inputArg: [arg('unknown', 'DT_RESOURCE')],
      outputArg: [arg('identity', 'DT_INT64')],
    },
    nodeDef: [
      stringConst('keys', Object.keys(VOCABULARY)),
      int64Const('values', Object.values(VOCABULARY)),
      node(
        'key_value_init/LookupTableImportV2',
        filler,
        fromFile ? ['unknown', 'keys:output:0'] : ['unknown', 'keys:output:0', 'values:output:0'],
        fromFile ? {} : { Tin: type('DT_STRING'), Tout: type('DT_INT64') },
      ),
      int64Const('Const', [1], true),
      node('Identity', 'Identity', ['Const:output:0', '^key_value_init/LookupTableImportV2'], {
        T: type('DT_INT64'),
      }),
    ],
    ret: { identity: 'Identity:output:0' },
  };
  const nodes: NodeObject[] = [
    node('hash_table', 'HashTableV2', [], tableAttrs),
    placeholder('serving_default_word', [-1], 'DT_STRING'),
    node(
      'StatefulPartitionedCall',
      'StatefulPartitionedCall',
      ['serving_default_word', 'hash_table'],
      callAttrs(serve.signature.name, ['DT_STRING', 'DT_RESOURCE'], ['DT_INT64', 'DT_INT64']),
    ),
    node(
      'StatefulPartitionedCall_1',
      'StatefulPartitionedCall',
      ['hash_table'],
      callAttrs(init.signature.name, ['DT_RESOURCE'], ['DT_INT64']),
    ),
    node('NoOp', 'NoOp', ['^StatefulPartitionedCall_1']),
  ];
  return {
    graphDef: {
      node: nodes,
      library: { function: [serve, init] },
      versions: { producer: 1205 },
    },
    signatureDef: {
      ...signatures(
        'serving_default_word:0',
        'StatefulPartitionedCall:0',
        'StatefulPartitionedCall:1',
      ),
      __saved_model_init_op: initOpSignature(),
    },
  };
}
