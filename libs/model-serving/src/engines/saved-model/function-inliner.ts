import { ModelLoadError } from '../../errors/model-load.error.js';
import {
  dataInputs,
  formatRef,
  fromNodeDef,
  type GraphNode,
  type NodeMap,
  parseRef,
} from './graph-node.js';
import { type OpRegistry } from './op-registry.js';
import { type AttrValueMsg, type FunctionDefMsg } from './tf-messages.js';

/** Ops that call a library function named in their `f` attribute. */
export const CALL_OPS: ReadonlySet<string> = new Set([
  'StatefulPartitionedCall',
  'PartitionedCall',
]);

/**
 * Replaces function calls with the called function's nodes, recursively: arguments become
 * the call's inputs, body references (`node:out_arg:i`) become flat graph references, omitted
 * attributes get their defaults, and the call node itself becomes an `Identity` (one output)
 * or `IdentityN` of the function's results, so references to `call:i` still hold. Control
 * inputs inside bodies are dropped: only data flow matters for inference.
 */
export class FunctionInliner {
  constructor(
    private readonly nodes: NodeMap,
    private readonly library: ReadonlyMap<string, FunctionDefMsg>,
    private readonly ops: OpRegistry,
  ) {}

  /** Whether nodes of `op` call a library function (and are inlined). */
  calls(op: string): boolean {
    return CALL_OPS.has(op) || this.library.has(op);
  }

  /** Inlines every call the nodes named in `roots` depend on. */
  inlineReachable(roots: Iterable<string>): void {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      const node = this.nodes.get(name);
      if (!node) continue;
      if (this.calls(node.op)) {
        // The call's replacement keeps its name: visit it again.
        this.inline(node);
        stack.push(name);
        continue;
      }
      seen.add(name);
      for (const ref of dataInputs(node)) stack.push(parseRef(ref).node);
    }
  }

  private functionOf(call: GraphNode): FunctionDefMsg {
    const name = CALL_OPS.has(call.op) ? (call.attr['f']?.func?.name ?? '') : call.op;
    const fn = this.library.get(name);
    if (!fn) {
      throw new ModelLoadError(
        `node '${call.name}' calls function '${name}', which the SavedModel's function library lacks`,
      );
    }
    return fn;
  }

  /**
   * Inlines one call node (not the calls inside it) and returns the names of the nodes it
   * added, the call's replacement included.
   */
  inline(call: GraphNode): string[] {
    const fn = this.functionOf(call);
    const signature = fn.signature ?? {};
    const inputArgs = signature.inputArg ?? [];
    const callInputs = dataInputs(call);
    if (callInputs.length !== inputArgs.length) {
      throw new ModelLoadError(
        `node '${call.name}' passes ${callInputs.length} inputs to function '${signature.name}', which takes ${inputArgs.length}`,
      );
    }
    const args = new Map(inputArgs.map((arg, i) => [arg.name ?? '', callInputs[i]!]));
    const bound: Record<string, AttrValueMsg> = CALL_OPS.has(call.op)
      ? (call.attr['f']?.func?.attr ?? {})
      : call.attr;
    const body = new Map<string, GraphNode>();
    for (const def of fn.nodeDef ?? []) {
      const node = fromNodeDef(def);
      for (const [key, value] of Object.entries(node.attr)) {
        if (value.placeholder !== undefined) {
          const actual = bound[value.placeholder];
          if (actual) node.attr[key] = actual;
        }
      }
      this.ops.fillDefaults(node);
      body.set(node.name, node);
    }
    const prefix = this.freePrefix(call.name, body.keys());
    const added: string[] = [];
    const rewrite = (ref: string): string => {
      const parts = ref.split(':');
      const head = parts[0] ?? '';
      const arg = args.get(head);
      if (arg !== undefined && (parts.length === 1 || (parts.length === 2 && parts[1] === '0'))) {
        return arg;
      }
      const inner = body.get(head);
      if (!inner) {
        throw new ModelLoadError(
          `function '${signature.name}' refers to '${ref}', which is neither an argument nor one of its nodes`,
        );
      }
      if (parts.length === 1) return `${prefix}/${head}`;
      if (parts.length === 2) return formatRef(`${prefix}/${head}`, Number(parts[1]));
      const index = this.ops.outputIndex(inner, parts[1] ?? '', Number(parts[2]));
      return formatRef(`${prefix}/${head}`, index);
    };
    for (const node of body.values()) {
      node.input = node.input.filter((ref) => !ref.startsWith('^')).map(rewrite);
      node.name = `${prefix}/${node.name}`;
      this.nodes.set(node.name, node);
      added.push(node.name);
    }
    const outputArgs = signature.outputArg ?? [];
    const results = outputArgs.map((arg) => {
      const ret = fn.ret?.[arg.name ?? ''];
      if (ret === undefined) {
        throw new ModelLoadError(
          `function '${signature.name}' does not say which tensor its output '${arg.name}' returns`,
        );
      }
      return rewrite(ret);
    });
    const types = outputArgs.map(
      (arg, i) => call.attr['Tout']?.list?.type?.[i] ?? arg.type ?? bound[arg.typeAttr ?? '']?.type,
    );
    const replacement: GraphNode =
      results.length === 1
        ? { name: call.name, op: 'Identity', input: results, attr: { T: { type: types[0] } } }
        : results.length === 0
          ? { name: call.name, op: 'NoOp', input: [], attr: {} }
          : {
              name: call.name,
              op: 'IdentityN',
              input: results,
              attr: { T: { list: { type: types.map((t) => t ?? 'DT_INVALID') } } },
            };
    this.nodes.set(call.name, replacement);
    added.push(call.name);
    return added;
  }

  /** `call`, or `call_inlined_N` when a body node's name under `call/` is already taken. */
  private freePrefix(call: string, names: Iterable<string>): string {
    const list = [...names];
    for (let n = 0; ; n++) {
      const prefix = n === 0 ? call : `${call}_inlined_${n}`;
      if (list.every((name) => !this.nodes.has(`${prefix}/${name}`))) return prefix;
    }
  }
}
