import { type ArgDefMsg } from './tf-messages.js';

const one = (name: string): ArgDefMsg => ({ name, type: 'DT_INVALID' });
const num = (name: string, numberAttr: string): ArgDefMsg => ({ name, numberAttr });
const list = (name: string, typeListAttr: string): ArgDefMsg => ({ name, typeListAttr });

/**
 * Output arguments of TensorFlow ops with more than one, for SavedModels whose
 * `stripped_op_list` leaves out the ops their functions use (older TF2 exports list only
 * the graph's own ops). An op missing here and there is taken to have a single output arg.
 */
export const MULTI_OUTPUT_OPS: Readonly<Record<string, readonly ArgDefMsg[]>> = {
  RestoreV2: [list('tensors', 'dtypes')],
  IdentityN: [list('output', 'T')],
  ShapeN: [num('output', 'N')],
  Unpack: [num('output', 'num')],
  Split: [num('output', 'num_split')],
  SplitV: [num('output', 'num_split')],
  While: [list('output', 'T')],
  StatelessWhile: [list('output', 'T')],
  If: [list('output', 'Tout')],
  StatelessIf: [list('output', 'Tout')],
  StatefulPartitionedCall: [list('output', 'Tout')],
  PartitionedCall: [list('output', 'Tout')],
  ParseExample: [
    num('sparse_indices', 'Nsparse'),
    list('sparse_values', 'sparse_types'),
    num('sparse_shapes', 'Nsparse'),
    list('dense_values', 'Tdense'),
  ],
  ParseExampleV2: [
    num('sparse_indices', 'num_sparse'),
    list('sparse_values', 'sparse_types'),
    num('sparse_shapes', 'num_sparse'),
    list('dense_values', 'Tdense'),
    list('ragged_values', 'ragged_value_types'),
    list('ragged_row_splits', 'ragged_split_types'),
  ],
  ParseSingleExample: [
    num('sparse_indices', 'num_sparse'),
    list('sparse_values', 'sparse_types'),
    num('sparse_shapes', 'num_sparse'),
    list('dense_values', 'Tdense'),
  ],
  FusedBatchNorm: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'].map(
    one,
  ),
  FusedBatchNormV2: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'].map(
    one,
  ),
  FusedBatchNormV3: [
    'y',
    'batch_mean',
    'batch_variance',
    'reserve_space_1',
    'reserve_space_2',
    'reserve_space_3',
  ].map(one),
  Unique: [one('y'), one('idx')],
  UniqueV2: [one('y'), one('idx')],
  UniqueWithCounts: [one('y'), one('idx'), one('count')],
  TopK: [one('values'), one('indices')],
  TopKV2: [one('values'), one('indices')],
  Switch: [one('output_false'), one('output_true')],
  Merge: [one('output'), one('value_index')],
  NonMaxSuppressionV4: [one('selected_indices'), one('valid_outputs')],
  NonMaxSuppressionV5: [one('selected_indices'), one('selected_scores'), one('valid_outputs')],
  CombinedNonMaxSuppression: [
    'nmsed_boxes',
    'nmsed_scores',
    'nmsed_classes',
    'valid_detections',
  ].map(one),
  MaxPoolWithArgmax: [one('output'), one('argmax')],
  ListDiff: [one('out'), one('idx')],
  StringSplit: [one('indices'), one('values'), one('shape')],
  StringSplitV2: [one('indices'), one('values'), one('shape')],
  StringNGrams: [one('ngrams'), one('ngrams_splits')],
  SparseFillEmptyRows: [
    one('output_indices'),
    one('output_values'),
    one('empty_row_indicator'),
    one('reverse_index_map'),
  ],
  SparseReshape: [one('output_indices'), one('output_shape')],
  BroadcastGradientArgs: [one('r0'), one('r1')],
  LookupTableExportV2: [one('keys'), one('values')],
  TensorListPopBack: [one('output_handle'), one('tensor')],
  TensorArrayV3: [one('handle'), one('flow')],
  TensorArrayGradV3: [one('grad_handle'), one('flow_out')],
  TensorArrayConcatV3: [one('value'), one('lengths')],
  Qr: [one('q'), one('r')],
  Svd: [one('s'), one('u'), one('v')],
  SelfAdjointEigV2: [one('e'), one('v')],
};
