import { hostNumbers, hostTensor } from '../host-tensor.js';
import { type OpFamily, type OpTranslator } from '../op-translator.js';
import { boolAttr, constantInts, input, typeAttr } from './attrs.js';
import { castTo } from './elementwise.ops.js';
import { normalAxis } from './shape.ops.js';

/**
 * A reduction over constant axes. Opset 17 takes `ReduceSum`'s axes as an input and the
 * others' as an attribute; TensorFlow's empty axes reduce nothing. A constant vector folds.
 */
function reduce(op: string, fold?: (values: number[]) => number): OpTranslator {
  return (node, inputs, scope) => {
    const { ctx } = scope;
    const x = input(node, inputs, 0);
    const rank = x.shape?.length;
    const axes = constantInts(node, input(node, inputs, 1), 'axes').map((a) =>
      normalAxis(node, a, rank),
    );
    const keep = boolAttr(node, 'keep_dims');
    if (axes.length === 0) return [x];
    if (fold && x.constant && x.shape?.length === 1 && !keep) {
      return [ctx.constant(hostTensor(x.dtype, [], [fold(hostNumbers(x.constant))]), node.name)];
    }
    const shape = x.shape?.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
    const bool = x.dtype === 'DT_BOOL';
    // ONNX has no boolean reductions: Any/All reduce 0/1 with Max/Min.
    const source = bool ? castTo(scope, x, 'DT_INT32').name() : x.name();
    const out =
      op === 'ReduceSum'
        ? ctx.emit1(
            { op, inputs: [source, ctx.int64(axes)], attributes: { keepdims: keep ? 1 : 0 } },
            node.name,
          )
        : ctx.emit1(
            { op, inputs: [source], attributes: { axes, keepdims: keep ? 1 : 0 } },
            node.name,
          );
    const value = ctx.value(out, bool ? 'DT_INT32' : x.dtype, shape);
    return [bool ? castTo(scope, value, 'DT_BOOL') : value];
  };
}

/** `ArgMax` / `ArgMin` along a constant axis; ONNX answers int64. */
function arg(op: string): OpTranslator {
  return (node, inputs, scope) => {
    const x = input(node, inputs, 0);
    const [raw] = constantInts(node, input(node, inputs, 1), 'dimension');
    const axis = normalAxis(node, raw!, x.shape?.length);
    const out = scope.ctx.emit1(
      { op, inputs: [x.name()], attributes: { axis, keepdims: 0 } },
      node.name,
    );
    const shape = x.shape?.filter((_, i) => i !== axis);
    return [
      castTo(
        scope,
        scope.ctx.value(out, 'DT_INT64', shape),
        typeAttr(node, 'output_type', 'DT_INT64'),
      ),
    ];
  };
}

/** Reductions over axes and arg-extremes. */
export const REDUCTION_OPS: OpFamily = {
  Sum: reduce('ReduceSum', (v) => v.reduce((a, b) => a + b, 0)),
  Prod: reduce('ReduceProd', (v) => v.reduce((a, b) => a * b, 1)),
  Mean: reduce('ReduceMean'),
  Max: reduce('ReduceMax', (v) => Math.max(...v)),
  Min: reduce('ReduceMin', (v) => Math.min(...v)),
  Any: reduce('ReduceMax'),
  All: reduce('ReduceMin'),
  ArgMax: arg('ArgMax'),
  ArgMin: arg('ArgMin'),
};
