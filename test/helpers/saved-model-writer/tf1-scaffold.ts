import {
  type AttrObject,
  node,
  type NodeObject,
  placeholder,
  predictSignature,
  restoreV2,
  shape,
  stringConst,
  type,
} from './graph-defs.js';

/** A saved variable: its graph name, checkpoint key and shape. */
export interface SavedVariable {
  readonly name: string;
  readonly key: string;
  readonly dims: readonly number[];
}

/** A `VariableV2` and its `/read` identity per variable. */
export function tf1Variables(vars: readonly SavedVariable[], dtype = 'DT_FLOAT'): NodeObject[] {
  return vars.flatMap((v) => [
    node(v.name, 'VariableV2', [], { dtype: type(dtype), shape: shape(v.dims) }),
    node(`${v.name}/read`, 'Identity', [v.name], { T: type(dtype) }),
  ]);
}

export interface Tf1RestoreOptions {
  /** The variables' dtype. @defaultValue 'DT_FLOAT' */
  dtype?: string;
  /** Attributes of each `Assign` besides `T`. */
  assignAttrs?: AttrObject;
  /** The `k`th `Assign`'s name. @defaultValue `save/Assign_${k}` */
  assignName?: (k: number) => string;
}

/** Saver's restore subgraph: `save/Const`, `save/RestoreV2`, an `Assign` each, `restore_all`. */
export function tf1Restore(
  vars: readonly SavedVariable[],
  {
    dtype = 'DT_FLOAT',
    assignAttrs = {},
    assignName = (k) => `save/Assign_${k}`,
  }: Tf1RestoreOptions = {},
): NodeObject[] {
  return [
    stringConst('save/Const', ['model'], true),
    ...restoreV2(
      'save/',
      'save/Const',
      vars.map((v) => v.key),
      dtype,
      (name) => name,
    ),
    ...vars.map((v, k) =>
      node(assignName(k), 'Assign', [v.name, k ? `save/RestoreV2:${k}` : 'save/RestoreV2'], {
        T: type(dtype),
        ...assignAttrs,
      }),
    ),
    node(
      'save/restore_all',
      'NoOp',
      vars.map((_, k) => `^${assignName(k)}`),
    ),
  ];
}

/** A TF1 MetaGraphDef of `nodes` restored by the `tf1Restore` subgraph. */
export function tf1MetaGraph(
  nodes: NodeObject[],
  signatureDef: object,
  extra: object = {},
): object {
  return {
    graphDef: { node: nodes, versions: { producer: 27 } },
    saverDef: {
      filenameTensorName: 'save/Const:0',
      restoreOpName: 'save/restore_all',
      version: 'V2',
    },
    ...extra,
    signatureDef,
  };
}

export interface Tf1PredictGraph {
  readonly inputDims: readonly number[];
  readonly outputDims: readonly number[];
  readonly vars: readonly SavedVariable[];
  /** The forward pass from `x`, reading each variable's `/read`. */
  readonly body: readonly NodeObject[];
  /** The forward pass's output, which `y` copies. */
  readonly output: string;
  readonly assignAttrs?: AttrObject;
}

/** TF1: placeholder `x`, variables with `/read` identities, `body`, `y`, and Saver's restore. */
export function tf1PredictGraph(g: Tf1PredictGraph): object {
  const nodes: NodeObject[] = [
    placeholder('x', g.inputDims),
    ...tf1Variables(g.vars),
    ...g.body,
    node('y', 'Identity', [g.output], { T: type() }),
    ...tf1Restore(g.vars, { assignAttrs: g.assignAttrs }),
  ];
  return tf1MetaGraph(nodes, {
    serving_default: predictSignature('x:0', g.inputDims, ['y', 'y:0'], g.outputDims),
  });
}
