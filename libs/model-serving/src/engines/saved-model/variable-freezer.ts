import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointIndex } from './checkpoint-index.js';
import { dataInputs, type GraphNode, type NodeMap, traceIdentity } from './graph-node.js';
import { VARIABLE_OPS } from './restore-map.js';
import { knownShape } from './tensor-values.js';

const baseType = (type: string | undefined) =>
  type?.endsWith('_REF') ? type.slice(0, -4) : (type ?? 'DT_INVALID');

/** The frozen variable a resource input refers to, if any. */
function frozenSource(nodes: NodeMap, node: GraphNode): GraphNode | undefined {
  const handle = dataInputs(node)[0];
  const source = handle === undefined ? undefined : traceIdentity(nodes, handle)?.node;
  return source?.checkpointKey !== undefined ? source : undefined;
}

/**
 * Turns restored variables into constants whose values are read from the checkpoint when the
 * model is built: each `VariableV2` / `VarHandleOp` in `restoreMap` becomes a `Const` of the
 * same name (so every reader shares one weight), `ReadVariableOp` becomes `Identity` of it,
 * `ResourceGather` a `GatherV2`, `VariableShape` a `Shape`. Variables outside the checkpoint
 * stay as they are (a signature that needs one is reported when the graph is checked).
 * @throws ModelLoadError when a variable and its checkpoint entry disagree
 */
export function freezeVariables(
  nodes: NodeMap,
  restoreMap: ReadonlyMap<string, string>,
  index: CheckpointIndex | undefined,
): void {
  for (const node of [...nodes.values()]) {
    if (!VARIABLE_OPS.has(node.op)) continue;
    const key = restoreMap.get(node.name);
    if (key === undefined) continue;
    if (!index) {
      throw new IncompleteVersionError(
        `variables/variables.index is missing, and variable '${node.name}' is restored from it`,
      );
    }
    const entry = index.entries.get(key);
    if (!entry) {
      throw new ModelLoadError(
        `variable '${node.name}' is restored from checkpoint key '${key}', which variables/variables.index lacks`,
        GrpcStatusCode.DATA_LOSS,
      );
    }
    const declaredType = baseType(node.attr['dtype']?.type);
    const declaredShape = knownShape(node.attr['shape']?.shape);
    if (declaredType !== entry.dtype) {
      throw new ModelLoadError(
        `variable '${node.name}' is ${declaredType}, but checkpoint entry '${key}' holds ${entry.dtype}`,
        GrpcStatusCode.DATA_LOSS,
      );
    }
    const declaredDims = node.attr['shape']?.shape?.dim ?? [];
    const compatible =
      node.attr['shape']?.shape?.unknownRank ||
      node.attr['shape'] === undefined ||
      (declaredDims.length === entry.shape.length &&
        declaredDims.every(
          (d, i) => Number(d.size ?? -1) < 0 || Number(d.size) === entry.shape[i],
        ));
    if (!compatible) {
      throw new ModelLoadError(
        `variable '${node.name}' has shape [${(declaredShape ?? declaredDims.map((d) => d.size)).join(', ')}], but checkpoint entry '${key}' holds [${entry.shape.join(', ')}]`,
        GrpcStatusCode.DATA_LOSS,
      );
    }
    nodes.set(node.name, {
      name: node.name,
      op: 'Const',
      input: [],
      attr: {
        dtype: { type: entry.dtype },
        value: {
          tensor: {
            dtype: entry.dtype,
            tensorShape: { dim: entry.shape.map((size) => ({ size: String(size) })) },
          },
        },
      },
      checkpointKey: key,
    });
  }
  for (const node of [...nodes.values()]) {
    const source =
      node.op === 'ReadVariableOp' ||
      node.op === 'ResourceGather' ||
      node.op === 'VariableShape' ||
      node.op === 'ResourceGatherNd'
        ? frozenSource(nodes, node)
        : undefined;
    if (!source) continue;
    const dtype = { type: source.attr['dtype']?.type };
    const rest = dataInputs(node).slice(1);
    if (node.op === 'ReadVariableOp') {
      nodes.set(node.name, {
        name: node.name,
        op: 'Identity',
        input: [source.name],
        attr: { T: dtype },
      });
    } else if (node.op === 'VariableShape') {
      const outType = node.attr['out_type'] ?? { type: 'DT_INT32' };
      nodes.set(node.name, {
        name: node.name,
        op: 'Shape',
        input: [source.name],
        attr: { T: dtype, out_type: outType },
      });
    } else if (node.op === 'ResourceGatherNd') {
      nodes.set(node.name, {
        name: node.name,
        op: 'GatherNd',
        input: [source.name, ...rest],
        attr: { Tparams: dtype, Tindices: node.attr['Tindices'] ?? { type: 'DT_INT32' } },
      });
    } else {
      const batchDims = Number(node.attr['batch_dims']?.i ?? 0);
      const axis = `${node.name}/frozen_axis`;
      nodes.set(axis, {
        name: axis,
        op: 'Const',
        input: [],
        attr: {
          dtype: { type: 'DT_INT32' },
          value: { tensor: { dtype: 'DT_INT32', tensorShape: {}, intVal: [batchDims] } },
        },
      });
      nodes.set(node.name, {
        name: node.name,
        op: 'GatherV2',
        input: [source.name, ...rest, axis],
        attr: {
          Tparams: dtype,
          Tindices: node.attr['Tindices'] ?? { type: 'DT_INT32' },
          Taxis: { type: 'DT_INT32' },
          batch_dims: { i: String(batchDims) },
        },
      });
    }
  }
}
