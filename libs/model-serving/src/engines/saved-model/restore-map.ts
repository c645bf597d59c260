import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointIndex } from './checkpoint-index.js';
import { CALL_OPS, type FunctionInliner } from './function-inliner.js';
import { type GraphNode, type NodeMap, parseRef, traceIdentity } from './graph-node.js';
import { type SaverDefMsg } from './tf-messages.js';

/** Ops that hold a variable's value or a handle to it. */
export const VARIABLE_OPS: ReadonlySet<string> = new Set(['VariableV2', 'Variable', 'VarHandleOp']);

const ASSIGN_OPS = new Set(['Assign', 'AssignVariableOp']);
const decoder = new TextDecoder();

/** The checkpoint key a restore op reads at output `index`, from its `tensor_names` constant. */
function restoredKey(nodes: NodeMap, restore: GraphNode, index: number): string | undefined {
  const namesRef = restore.input.filter((ref) => !ref.startsWith('^'))[1];
  const names = namesRef === undefined ? undefined : traceIdentity(nodes, namesRef)?.node;
  const value = names?.op === 'Const' ? names.attr['value']?.tensor?.stringVal : undefined;
  const bytes = value?.[index] ?? (value?.length === 1 ? value[0] : undefined);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** Every node reachable from `start` over data and control inputs. */
function reachable(nodes: NodeMap, start: string): GraphNode[] {
  const seen = new Set<string>();
  const stack = [start];
  const out: GraphNode[] = [];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = nodes.get(name);
    if (!node) continue;
    out.push(node);
    for (const ref of node.input) stack.push(parseRef(ref).node);
  }
  return out;
}

/**
 * Which checkpoint key restores each variable, found by tracing the restore op that
 * `saver_def` names: TF1 graphs `Assign(var, RestoreV2:k)`; TF2 exports call a
 * `__inference__traced_restore_*` function, inlined here, whose `AssignVariableOp`s take the
 * variable handles passed to the call. Without a saver, variables whose names are keys match.
 * @returns variable node name → checkpoint key
 */
export function traceRestoreMap(
  nodes: NodeMap,
  inliner: FunctionInliner,
  saver: SaverDefMsg | undefined,
  index: CheckpointIndex | undefined,
): Map<string, string> {
  const map = new Map<string, string>();
  const restoreName = saver?.restoreOpName ? parseRef(saver.restoreOpName).node : undefined;
  if (restoreName !== undefined) {
    const restore = nodes.get(restoreName);
    if (!restore) {
      throw new ModelLoadError(
        `saver_def names the restore op '${restoreName}', which the graph lacks`,
        GrpcStatusCode.DATA_LOSS,
      );
    }
    let candidates: GraphNode[];
    if (CALL_OPS.has(restore.op)) {
      candidates = [];
      const pending = inliner.inline(restore);
      while (pending.length > 0) {
        const node = nodes.get(pending.pop()!);
        if (!node) continue;
        if (CALL_OPS.has(node.op)) pending.push(...inliner.inline(node));
        else candidates.push(node);
      }
    } else {
      candidates = reachable(nodes, restoreName);
    }
    for (const node of candidates) {
      if (!ASSIGN_OPS.has(node.op)) continue;
      const [varRef, valueRef] = node.input.filter((ref) => !ref.startsWith('^'));
      const variable = varRef === undefined ? undefined : traceIdentity(nodes, varRef)?.node;
      const value = valueRef === undefined ? undefined : traceIdentity(nodes, valueRef);
      if (!variable || !VARIABLE_OPS.has(variable.op) || !value) continue;
      if (value.node.op === 'RestoreSlice' || value.node.op === 'Restore') {
        throw new ModelLoadError(
          'the variables were saved in the V1 checkpoint format, which this loader does not read',
          GrpcStatusCode.UNIMPLEMENTED,
        );
      }
      if (value.node.op !== 'RestoreV2') continue;
      const key = restoredKey(nodes, value.node, value.index);
      if (key !== undefined) map.set(variable.name, key);
    }
  }
  if (map.size === 0 && index) {
    for (const node of nodes.values()) {
      if (!VARIABLE_OPS.has(node.op)) continue;
      const shared = node.attr['shared_name']?.s;
      const name = shared && shared.length > 0 ? decoder.decode(shared) : node.name;
      if (index.entries.has(node.name)) map.set(node.name, node.name);
      else if (index.entries.has(name)) map.set(node.name, name);
    }
  }
  return map;
}
