import {
  func,
  node,
  type NodeObject,
  placeholder,
  predictSignature,
  restoreV2,
  shape,
  type,
  typeList,
} from './graph-defs.js';
import { type SavedVariable } from './tf1-scaffold.js';

/** A FunctionDef argument. */
export const arg = (name: string, dtype: string) => ({ name, type: dtype });

/** The attributes of a `StatefulPartitionedCall` of function `f`. */
export const callAttrs = (f: string, tin: string[], tout: string[]) => ({
  f: func(f),
  Tin: typeList(tin),
  Tout: typeList(tout),
});

/** The `__saved_model_init_op` SignatureDef, naming the `NoOp` node. */
export const initOpSignature = () => ({
  outputs: { __saved_model_init_op: { name: 'NoOp', tensorShape: { unknownRank: true } } },
});

/** The call function's resource argument names, one per variable. */
export const resourceArgs = (vars: readonly SavedVariable[]) => vars.map((_, k) => `resource_${k}`);

export interface Tf2PredictGraph {
  readonly inputDims: readonly number[];
  readonly outputDims: readonly number[];
  readonly vars: readonly SavedVariable[];
  /** The call function's nodes: from `x` and the `resourceArgs` to `Identity`. */
  readonly body: NodeObject[];
  /** Added to the functions' numbers (`__inference_call_10` and so on). */
  readonly idBase: number;
  /** Whether the functions' signatures are marked `isStateful`. */
  readonly stateful?: boolean;
}

/** TF2: `VarHandleOp`s, the signature as nested `StatefulPartitionedCall`s, a traced restore. */
export function tf2PredictGraph(g: Tf2PredictGraph): object {
  const { vars } = g;
  const resources = resourceArgs(vars);
  const stateful = g.stateful ? { isStateful: true } : {};
  const tin = ['DT_FLOAT', ...resources.map(() => 'DT_RESOURCE')];
  const call = {
    signature: {
      name: `__inference_call_${g.idBase + 10}`,
      inputArg: [arg('x', 'DT_FLOAT'), ...resources.map((r) => arg(r, 'DT_RESOURCE'))],
      outputArg: [arg('identity', 'DT_FLOAT')],
      ...stateful,
    },
    nodeDef: g.body,
    ret: { identity: 'Identity:output:0' },
  };
  const wrapper = {
    signature: {
      name: `__inference_signature_wrapper_${g.idBase + 20}`,
      inputArg: [
        arg('x', 'DT_FLOAT'),
        ...resources.map((_, k) => arg(`unknown_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_FLOAT')],
      ...stateful,
    },
    nodeDef: [
      node(
        'StatefulPartitionedCall',
        'StatefulPartitionedCall',
        ['x', ...resources.map((_, k) => `unknown_${k}`)],
        callAttrs(call.signature.name, tin, ['DT_FLOAT']),
      ),
      node(
        'Identity',
        'Identity',
        ['StatefulPartitionedCall:output:0', '^StatefulPartitionedCall'],
        { T: type() },
      ),
    ],
    ret: { identity: 'Identity:output:0' },
  };
  const restoreBody = restoreV2(
    '',
    'file_prefix',
    vars.map((v) => v.key),
    'DT_FLOAT',
    (name) => `${name}:output:0`,
  );
  vars.forEach((_, k) => {
    restoreBody.push(node(`Identity_${k}`, 'Identity', [`RestoreV2:tensors:${k}`], { T: type() }));
    restoreBody.push(
      node(
        `AssignVariableOp_${k}`,
        'AssignVariableOp',
        [`assignvariableop_${k}`, `Identity_${k}:output:0`],
        { dtype: type() },
      ),
    );
  });
  restoreBody.push(
    node(
      'Identity_final',
      'Identity',
      ['file_prefix', ...vars.map((_, k) => `^AssignVariableOp_${k}`)],
      { T: type('DT_STRING') },
    ),
  );
  const restore = {
    signature: {
      name: `__inference__traced_restore_${g.idBase + 30}`,
      inputArg: [
        arg('file_prefix', 'DT_STRING'),
        ...vars.map((_, k) => arg(`assignvariableop_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_STRING')],
      ...stateful,
    },
    nodeDef: restoreBody,
    ret: { identity: 'Identity_final:output:0' },
  };
  const nodes: NodeObject[] = [
    ...vars.map((v) =>
      node(v.name, 'VarHandleOp', [], {
        dtype: type(),
        shape: shape(v.dims),
        shared_name: { s: Buffer.from(v.name) },
      }),
    ),
    placeholder('serving_default_x', g.inputDims),
    node(
      'StatefulPartitionedCall',
      'StatefulPartitionedCall',
      ['serving_default_x', ...vars.map((v) => v.name)],
      callAttrs(wrapper.signature.name, tin, ['DT_FLOAT']),
    ),
    placeholder('saver_filename', [], 'DT_STRING'),
    node(
      'StatefulPartitionedCall_1',
      'StatefulPartitionedCall',
      ['saver_filename', ...vars.map((v) => v.name)],
      callAttrs(
        restore.signature.name,
        ['DT_STRING', ...resources.map(() => 'DT_RESOURCE')],
        ['DT_STRING'],
      ),
    ),
    node('NoOp', 'NoOp'),
  ];
  return {
    graphDef: {
      node: nodes,
      library: { function: [call, wrapper, restore] },
      versions: { producer: 1205 },
    },
    saverDef: {
      filenameTensorName: 'saver_filename:0',
      restoreOpName: 'StatefulPartitionedCall_1',
      version: 'V2',
    },
    signatureDef: {
      serving_default: predictSignature(
        'serving_default_x:0',
        g.inputDims,
        ['output_0', 'StatefulPartitionedCall:0'],
        g.outputDims,
      ),
      __saved_model_init_op: initOpSignature(),
    },
  };
}
