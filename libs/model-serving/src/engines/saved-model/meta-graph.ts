import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type MetaGraphDefMsg, type SavedModelMsg } from './tf-messages.js';

/** TF Serving's default MetaGraph tag set. */
export const SERVE_TAGS: readonly string[] = ['serve'];

function corrupt(detail: string): ModelLoadError {
  return new ModelLoadError(`saved_model.pb ${detail}`, GrpcStatusCode.DATA_LOSS);
}

/**
 * The MetaGraph whose tag set is exactly `tags` (as TF Serving asks for it), after the
 * structural checks a decoded file needs: a truncated protobuf can decode without error, so
 * its graph, names and signatures are checked here instead.
 * @throws ModelLoadError naming what is missing
 */
export function selectMetaGraph(
  savedModel: SavedModelMsg,
  tags: readonly string[] = SERVE_TAGS,
): MetaGraphDefMsg {
  const metaGraphs = savedModel.metaGraphs ?? [];
  if (metaGraphs.length === 0) throw corrupt('holds no MetaGraph (is it truncated?)');
  const wanted = [...tags].sort().join(',');
  const found = metaGraphs.find(
    (mg) => [...(mg.metaInfoDef?.tags ?? [])].sort().join(',') === wanted,
  );
  if (!found) {
    const available = metaGraphs.map((mg) => `[${(mg.metaInfoDef?.tags ?? []).join(', ')}]`);
    throw new ModelLoadError(
      `saved_model.pb has no MetaGraph tagged [${tags.join(', ')}] (it has ${available.join(', ')})`,
      GrpcStatusCode.NOT_FOUND,
    );
  }
  const nodes = found.graphDef?.node ?? [];
  if (nodes.length === 0) throw corrupt('holds a MetaGraph without a graph (is it truncated?)');
  const names = new Set<string>();
  for (const node of nodes) {
    if (!node.name || !node.op)
      throw corrupt('holds a node without a name or op (is it truncated?)');
    if (names.has(node.name)) throw corrupt(`holds two nodes named '${node.name}'`);
    names.add(node.name);
  }
  for (const fn of found.graphDef?.library?.function ?? []) {
    if (!fn.signature?.name) throw corrupt('holds a library function without a name');
  }
  if (Object.keys(found.signatureDef ?? {}).length === 0) {
    throw new ModelLoadError(
      'saved_model.pb declares no signatures, so there is nothing to serve',
      GrpcStatusCode.FAILED_PRECONDITION,
    );
  }
  return found;
}
