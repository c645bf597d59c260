import { tfProtoType } from './tf-proto-types.js';

/** Serialises a SavedModel of one `serve` MetaGraph. */
export function encodeSavedModel(metaGraph: object): Uint8Array {
  const SavedModel = tfProtoType('tensorflow.SavedModel');
  const message = SavedModel.fromObject({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      { metaInfoDef: { tags: ['serve'], tensorflowVersion: 'synthetic' }, ...metaGraph },
    ],
  });
  return SavedModel.encode(message).finish();
}
