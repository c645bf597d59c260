import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type FunctionInliner } from './function-inliner.js';
import { dataInputs, type GraphNode, type NodeMap, parseRef, traceIdentity } from './graph-node.js';
import { VARIABLE_OPS } from './restore-map.js';
import { INIT_OP_SIGNATURE } from './signature-specs.js';
import { type MetaGraphDefMsg } from './tf-messages.js';

/** Ops that create lookup tables. */
export const TABLE_OPS: ReadonlySet<string> = new Set([
  'HashTable',
  'HashTableV2',
  'MutableHashTable',
  'MutableHashTableV2',
  'MutableDenseHashTable',
  'MutableDenseHashTableV2',
  'MutableHashTableOfTensors',
  'MutableHashTableOfTensorsV2',
]);
/** The tables TensorFlow.js runs (as `HashTable`s shared with the model initializer). */
const TFJS_TABLE_OPS = new Set(['HashTable', 'HashTableV2']);
/** Ops that fill a table from key and value tensors; TensorFlow.js runs all of them. */
const FILLING_OPS = new Set([
  'LookupTableImport',
  'LookupTableImportV2',
  'InitializeTable',
  'InitializeTableV2',
]);
/** Ops that fill a table from a file or a dataset, which TensorFlow.js cannot. */
const FILE_FILLING_OPS = new Set([
  'InitializeTableFromTextFile',
  'InitializeTableFromTextFileV2',
  'InitializeTableFromDataset',
]);
/** The collections a TF1 SavedModel names its init op in, newest first. */
const INIT_OP_COLLECTIONS = ['saved_model_main_op', 'legacy_init_op', 'main_op'];

/** The model initializer: a graph run once before the first request, filling the tables. */
export interface TableInitializer {
  /** The filling ops, their tables (named as in the serving graph) and their inputs. */
  readonly nodes: NodeMap;
  /** The filling ops: running them fills every table. */
  readonly outputs: readonly string[];
}

/** The init op nodes: the TF2 `__saved_model_init_op` signature's, or a TF1 collection's. */
export function initOpRoots(metaGraph: MetaGraphDefMsg): string[] {
  const signature = metaGraph.signatureDef?.[INIT_OP_SIGNATURE];
  const fromSignature = Object.values(signature?.outputs ?? {}).map((info) => info.name ?? '');
  const fromCollections = INIT_OP_COLLECTIONS.flatMap(
    (key) => metaGraph.collectionDef?.[key]?.nodeList?.value ?? [],
  );
  return [...fromSignature, ...fromCollections]
    .filter((ref) => ref !== '')
    .map((ref) => parseRef(ref).node);
}

/**
 * Inlines the functions the init op calls and returns the table-filling ops it runs. Unlike
 * serving, initialisation is all side effects, so control inputs are followed, and every node
 * of an inlined body is looked at (inlining drops the control inputs inside bodies). An init
 * op that cannot be inlined is an error only for models whose serving graph needs a table, so
 * it is returned, not thrown.
 */
export function inlineInitOp(
  nodes: NodeMap,
  inliner: FunctionInliner,
  roots: readonly string[],
): GraphNode[] | ModelLoadError {
  try {
    return fillingOps(nodes, inliner, roots);
  } catch (error) {
    if (!(error instanceof ModelLoadError)) throw error;
    return new ModelLoadError(`the init op cannot be read: ${error.message}`, error.code);
  }
}

function fillingOps(
  nodes: NodeMap,
  inliner: FunctionInliner,
  roots: readonly string[],
): GraphNode[] {
  const seen = new Set<string>();
  const fillers: GraphNode[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const node = nodes.get(name);
    if (!node) continue;
    if (inliner.calls(node.op)) {
      stack.push(...inliner.inline(node), ...node.input.map((ref) => parseRef(ref).node));
      continue;
    }
    seen.add(name);
    if (FILLING_OPS.has(node.op) || FILE_FILLING_OPS.has(node.op)) fillers.push(node);
    for (const ref of node.input) stack.push(parseRef(ref).node);
  }
  return fillers;
}

const quoted = (nodes: readonly GraphNode[]) => nodes.map((n) => `'${n.name}'`).join(', ');

function unimplemented(message: string): ModelLoadError {
  return new ModelLoadError(message, GrpcStatusCode.UNIMPLEMENTED);
}

/**
 * The model initializer that fills the lookup tables the serving graph uses, from the init
 * op's filling ops: each with its table node (shared by name with the serving graph, as
 * TensorFlow.js shares `HashTable`s between a model and its initializer) and the constants or
 * frozen variables its keys and values come from.
 * @throws ModelLoadError (UNIMPLEMENTED) for mutable tables, tables filled from files, tables
 * the init op does not fill, and fillers computed with ops outside `isSupported`
 */
export function tableInitializer(
  nodes: NodeMap,
  served: NodeMap,
  fillers: readonly GraphNode[] | ModelLoadError,
  isSupported: (op: string) => boolean,
): TableInitializer | undefined {
  const tables = [...served.values()].filter((node) => TABLE_OPS.has(node.op));
  if (tables.length === 0) return undefined;
  if (fillers instanceof ModelLoadError) throw fillers;
  const mutable = tables.filter((table) => !TFJS_TABLE_OPS.has(table.op));
  if (mutable.length > 0) {
    throw unimplemented(
      `uses mutable lookup tables (${mutable.map((t) => `${t.op} '${t.name}'`).join(', ')}), which TensorFlow.js lacks`,
    );
  }
  const byTable = new Map<string, GraphNode[]>();
  for (const filler of fillers) {
    const handle = dataInputs(filler)[0];
    const table = handle === undefined ? undefined : traceIdentity(nodes, handle)?.node;
    if (table) byTable.set(table.name, [...(byTable.get(table.name) ?? []), filler]);
  }
  const unfilled = tables.filter((table) => !byTable.has(table.name));
  if (unfilled.length > 0) {
    throw unimplemented(
      `uses lookup tables the SavedModel's init op does not fill (${quoted(unfilled)}); every lookup would answer its default`,
    );
  }
  const used = tables.flatMap((table) => byTable.get(table.name) ?? []);
  const fromFiles = used.filter((filler) => FILE_FILLING_OPS.has(filler.op));
  if (fromFiles.length > 0) {
    throw unimplemented(
      `fills lookup tables from files (${fromFiles.map((f) => `${f.op} '${f.name}'`).join(', ')}), which is not supported: only tables filled from constants (LookupTableImportV2, InitializeTableV2) are`,
    );
  }
  const kept: NodeMap = new Map();
  const unsupported = new Set<string>();
  const stack = used.map((filler) => filler.name);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (kept.has(name)) continue;
    const node = nodes.get(name);
    if (!node) throw new ModelLoadError(`the init op needs node '${name}', which the graph lacks`);
    if (VARIABLE_OPS.has(node.op)) {
      throw new ModelLoadError(
        `the init op fills a lookup table from variable '${name}', which has no value in the checkpoint`,
        GrpcStatusCode.FAILED_PRECONDITION,
      );
    }
    if (!FILLING_OPS.has(node.op) && !isSupported(node.op)) unsupported.add(node.op);
    kept.set(name, { ...node, input: dataInputs(node), attr: { ...node.attr } });
    for (const ref of dataInputs(node)) stack.push(parseRef(ref).node);
  }
  if (unsupported.size > 0) {
    throw unimplemented(
      `fills lookup tables with ops TensorFlow.js does not run: ${[...unsupported].sort().join(', ')}`,
    );
  }
  return { nodes: kept, outputs: used.map((filler) => filler.name) };
}
