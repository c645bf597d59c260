import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type SignatureMap } from '../../models/signature.js';
import { type CheckpointIndex } from './checkpoint-index.js';
import { type ExampleParsingSpec } from './example-parsing.js';
import { FunctionInliner } from './function-inliner.js';
import { fromNodeDef, type NodeMap, parseRef } from './graph-node.js';
import { OpRegistry } from './op-registry.js';
import { traceRestoreMap } from './restore-map.js';
import { freezeVariables } from './variable-freezer.js';
import { buildSignatureGraph } from './signature-graph.js';
import { signatureSpecs } from './signature-specs.js';
import {
  inlineInitOp,
  initOpRoots,
  TABLE_OPS,
  type TableInitializer,
  tableInitializer,
} from './table-initializer.js';
import { type FunctionDefMsg, type MetaGraphDefMsg } from './tf-messages.js';
import { referencedFunctions, type TfjsGraph, toTfjsGraph } from './tfjs-graph.js';

/** What serving a MetaGraph with TensorFlow.js takes. */
export interface ServingGraph {
  readonly graph: TfjsGraph;
  readonly signatures: SignatureMap;
  /** Signature key → why requests to it fail with UNIMPLEMENTED. */
  readonly unavailable: ReadonlyMap<string, string>;
  /** Signature key → how it parses tf.Examples (the graph is kept from the parse op on). */
  readonly parsing: ReadonlyMap<string, ExampleParsingSpec>;
  /** The frozen, pruned graph `graph` was made from (what the ONNX translation reads). */
  readonly nodes: NodeMap;
  /** The MetaGraph's function library (bodies of control-flow ops). */
  readonly library: ReadonlyMap<string, FunctionDefMsg>;
  /** What fills the lookup tables the graph uses, if any (the ONNX translation reads it). */
  readonly tables?: TableInitializer;
}

function listing(map: ReadonlyMap<string, string[]>): string {
  return [...map]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, signatures]) =>
        `${name} (signature${signatures.length > 1 ? 's' : ''} ${signatures.map((s) => `'${s}'`).join(', ')})`,
    )
    .join(', ');
}

/**
 * Rewrites a MetaGraph into one TensorFlow.js graph for all its servable signatures: maps
 * variables to checkpoint keys through the restore graph, inlines function calls, freezes
 * variables into constants, cuts and prunes per signature. Lookup tables the graph uses are
 * filled by a model initializer made from the init op's filling ops. Unsupported ops and
 * variables without a value are load errors that name them all.
 */
export function buildServingGraph(
  metaGraph: MetaGraphDefMsg,
  index: CheckpointIndex | undefined,
  isSupported: (op: string) => boolean,
): ServingGraph {
  const graphDef = metaGraph.graphDef ?? {};
  const functions = graphDef.library?.function ?? [];
  const library = new Map<string, FunctionDefMsg>(
    functions.map((fn) => [fn.signature?.name ?? '', fn]),
  );
  const ops = new OpRegistry(metaGraph.metaInfoDef?.strippedOpList?.op ?? [], functions);
  const nodes: NodeMap = new Map();
  for (const def of graphDef.node ?? []) {
    const node = fromNodeDef(def);
    ops.fillDefaults(node);
    nodes.set(node.name, node);
  }
  const { signatures, unavailable } = signatureSpecs(metaGraph.signatureDef ?? {});
  const inliner = new FunctionInliner(nodes, library, ops);
  const restoreMap = traceRestoreMap(nodes, inliner, metaGraph.saverDef, index);
  const roots = Object.entries(signatures)
    .filter(([key]) => !unavailable.has(key))
    .flatMap(([, sig]) => Object.values(sig.outputs).map((spec) => parseRef(spec.name).node));
  inliner.inlineReachable(roots);
  // Lookup tables are filled by the init op: its filling ops become the model initializer.
  const hasTables = [...(graphDef.node ?? []), ...functions.flatMap((fn) => fn.nodeDef ?? [])].some(
    (node) => TABLE_OPS.has(node.op ?? ''),
  );
  const fillers = hasTables ? inlineInitOp(nodes, inliner, initOpRoots(metaGraph)) : [];
  freezeVariables(nodes, restoreMap, index);
  const pruned = buildSignatureGraph(nodes, signatures, unavailable, isSupported);
  for (const fn of referencedFunctions(pruned.nodes, library)) {
    for (const node of fn.nodeDef ?? []) {
      if (node.op && !isSupported(node.op) && !library.has(node.op)) {
        const users = pruned.unsupportedOps.get(node.op) ?? [];
        pruned.unsupportedOps.set(node.op, [...users, `function ${fn.signature?.name}`]);
      }
    }
  }
  if (pruned.unrestoredVariables.size > 0) {
    throw new ModelLoadError(
      `variables without a value in the checkpoint: ${listing(pruned.unrestoredVariables)}`,
      GrpcStatusCode.FAILED_PRECONDITION,
    );
  }
  if (pruned.unsupportedOps.size > 0) {
    throw new ModelLoadError(
      `uses ops TensorFlow.js does not run: ${listing(pruned.unsupportedOps)}; register kernels for them with SavedModelLoader's customOps option`,
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  const initializer = tableInitializer(nodes, pruned.nodes, fillers, isSupported);
  const graph = toTfjsGraph(
    pruned.nodes,
    library,
    graphDef.versions ?? {},
    (key) => index?.entries.get(key),
    initializer,
  );
  return {
    graph,
    signatures,
    unavailable: pruned.unavailable,
    parsing: pruned.parsing,
    nodes: pruned.nodes,
    library,
    ...(initializer ? { tables: initializer } : {}),
  };
}
