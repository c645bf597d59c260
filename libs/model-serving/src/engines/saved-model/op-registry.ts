import { ModelLoadError } from '../../errors/model-load.error.js';
import { type GraphNode } from './graph-node.js';
import { MULTI_OUTPUT_OPS } from './op-outputs.js';
import { type ArgDefMsg, type FunctionDefMsg, type OpDefMsg } from './tf-messages.js';

/**
 * The OpDefs a SavedModel carries (`stripped_op_list`) plus its library functions (which
 * graphs may call as ops). Used to fill attributes left at their defaults and to turn a
 * function body's `node:out_arg:i` references into flat output indices.
 */
export class OpRegistry {
  private readonly ops = new Map<string, OpDefMsg>();

  constructor(opList: readonly OpDefMsg[], functions: readonly FunctionDefMsg[]) {
    for (const op of opList) if (op.name) this.ops.set(op.name, op);
    for (const fn of functions) {
      const name = fn.signature?.name;
      if (name && !this.ops.has(name)) this.ops.set(name, fn.signature!);
    }
  }

  get(op: string): OpDefMsg | undefined {
    return this.ops.get(op);
  }

  /** Sets every attribute the node omits to its OpDef default (TensorFlow strips those). */
  fillDefaults(node: GraphNode): void {
    for (const attr of this.ops.get(node.op)?.attr ?? []) {
      if (attr.name && attr.defaultValue && node.attr[attr.name] === undefined) {
        node.attr[attr.name] = attr.defaultValue;
      }
    }
  }

  /** How many tensors one output (or input) argument stands for on `node`. */
  private argSize(node: GraphNode, arg: ArgDefMsg): number {
    if (arg.numberAttr) return Number(node.attr[arg.numberAttr]?.i ?? 0);
    if (arg.typeListAttr) return node.attr[arg.typeListAttr]?.list?.type?.length ?? 0;
    return 1;
  }

  /**
   * The flat output index of `outArg:i` of `node` (a function body reference), from the
   * op's OpDef, else the built-in table of multi-output ops, else as the op's only output.
   * @throws ModelLoadError when the OpDef has no such output
   */
  outputIndex(node: GraphNode, outArg: string, i: number): number {
    const args = this.ops.get(node.op)?.outputArg ?? MULTI_OUTPUT_OPS[node.op];
    if (!args) return i;
    let base = 0;
    for (const arg of args) {
      if (arg.name === outArg) return base + i;
      base += this.argSize(node, arg);
    }
    throw new ModelLoadError(`op ${node.op} (node '${node.name}') has no output named '${outArg}'`);
  }

  /** The `DT_*` of each flat output of `node`, where the OpDef makes them known. */
  outputTypes(node: GraphNode): (string | undefined)[] {
    const types: (string | undefined)[] = [];
    for (const arg of this.ops.get(node.op)?.outputArg ?? []) {
      const size = this.argSize(node, arg);
      for (let k = 0; k < size; k++) {
        if (arg.typeListAttr) types.push(node.attr[arg.typeListAttr]?.list?.type?.[k]);
        else if (arg.typeAttr) types.push(node.attr[arg.typeAttr]?.type);
        else types.push(arg.type);
      }
    }
    return types;
  }
}
