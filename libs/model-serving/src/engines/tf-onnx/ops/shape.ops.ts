import { type GraphNode } from '../../saved-model/graph-node.js';
import { elementCount, hostNumbers, hostTensor } from '../host-tensor.js';
import { type OpFamily, type OpScope, type OpTranslator } from '../op-translator.js';
import { type Dim, isStatic, permuted, type TfValue, TO_NCHW } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { constantInts, input, intAttr, intsAttr, typeAttr } from './attrs.js';
import { castTo } from './elementwise.ops.js';
import { concatHost, pickHost, transposeHost } from './fold.js';

/** "To the end" of an axis: ONNX clamps slice bounds, and 2^62 stays exact in int64. */
const INT64_MAX = 2 ** 62;

/** A value as int64 (ONNX's shape and index inputs take int64). */
function asInt64(scope: OpScope, value: TfValue): string {
  return castTo(scope, value, 'DT_INT64').name();
}

/** `axis` in [0, rank). */
function normalAxis(node: GraphNode, axis: number, rank: number | undefined): number {
  if (axis >= 0) return axis;
  if (rank === undefined) throw new Untranslatable(node.op, 'a negative axis on unknown rank');
  return axis + rank;
}

/** `Shape`: folded when the shape is static, else ONNX `Shape` (NCHW twins reordered). */
const shapeOp: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const x = input(node, inputs, 0);
  const outType = typeAttr(node, 'out_type', 'DT_INT32');
  if (isStatic(x.shape)) return [ctx.constant(hostTensor(outType, [x.shape!.length], x.shape!))];
  let shape = ctx.emit1({ op: 'Shape', inputs: [x.nchw ?? x.name()] }, node.name);
  if (x.nchw !== undefined) {
    shape = ctx.emit1({
      op: 'Gather',
      inputs: [shape, ctx.int64([0, 2, 3, 1])],
      attributes: { axis: 0 },
    });
  }
  const rank = x.shape ? [x.shape.length] : undefined;
  return [castTo(scope, ctx.value(shape, 'DT_INT64', rank), outType)];
};

const sizeOp: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const outType = typeAttr(node, 'out_type', 'DT_INT32');
  if (isStatic(x.shape)) {
    return [scope.ctx.constant(hostTensor(outType, [], [elementCount(x.shape!)]))];
  }
  const size = scope.ctx.emit1({ op: 'Size', inputs: [x.name()] });
  return [castTo(scope, scope.ctx.value(size, 'DT_INT64', []), outType)];
};

const rankOp: OpTranslator = (node, inputs, { ctx }) => {
  const x = input(node, inputs, 0);
  if (!x.shape) throw new Untranslatable('Rank', 'an input of unknown rank');
  return [ctx.constant(hostTensor('DT_INT32', [], [x.shape.length]))];
};

/** The shape a `Reshape` to `target` (one -1 at most) gives, as far as it is known. */
function reshaped(x: TfValue, target: readonly number[]): Dim[] {
  const known = target.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
  return target.map((d) =>
    d >= 0 ? d : isStatic(x.shape) && known > 0 ? elementCount(x.shape!) / known : -1,
  );
}

const reshape: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const x = input(node, inputs, 0);
  const target = input(node, inputs, 1);
  if (target.constant) {
    const dims = hostNumbers(target.constant);
    const shape = reshaped(x, dims);
    if (x.constant && isStatic(shape)) return [ctx.constant({ ...x.constant, shape }, node.name)];
    const out = ctx.emit1(
      { op: 'Reshape', inputs: [x.name(), ctx.int64(dims)], attributes: { allowzero: 1 } },
      node.name,
    );
    return [ctx.value(out, x.dtype, shape)];
  }
  const out = ctx.emit1(
    { op: 'Reshape', inputs: [x.name(), asInt64(scope, target)], attributes: { allowzero: 1 } },
    node.name,
  );
  const rank = target.shape?.[0];
  return [
    ctx.value(
      out,
      x.dtype,
      rank !== undefined && rank >= 0 ? new Array<number>(rank).fill(-1) : undefined,
    ),
  ];
};

/** Inserts size-1 axes at `axes` (of the output), folding constants. */
function unsqueeze(scope: OpScope, x: TfValue, axes: readonly number[]): TfValue {
  const rank = x.shape ? x.shape.length + axes.length : undefined;
  const shape = x.shape && rank !== undefined ? [...x.shape] : undefined;
  if (shape) for (const a of [...axes].sort((p, q) => p - q)) shape.splice(a, 0, 1);
  if (x.constant && shape) return scope.ctx.constant({ ...x.constant, shape: shape });
  const out = scope.ctx.emit1({ op: 'Unsqueeze', inputs: [x.name(), scope.ctx.int64([...axes])] });
  return scope.ctx.value(out, x.dtype, shape);
}

function squeeze(scope: OpScope, x: TfValue, axes: readonly number[]): TfValue {
  const shape = x.shape?.filter((_, i) => !axes.includes(i));
  if (x.constant && shape) return scope.ctx.constant({ ...x.constant, shape: shape });
  const out = scope.ctx.emit1({ op: 'Squeeze', inputs: [x.name(), scope.ctx.int64([...axes])] });
  return scope.ctx.value(out, x.dtype, shape);
}

const expandDims: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const [axis] = constantInts(node, input(node, inputs, 1), 'axis');
  const rank = x.shape ? x.shape.length + 1 : undefined;
  return [unsqueeze(scope, x, [normalAxis(node, axis!, rank)])];
};

const squeezeOp: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  let axes = intsAttr(node, 'squeeze_dims');
  if (axes.length === 0) axes = intsAttr(node, 'axis');
  const rank = x.shape?.length;
  if (axes.length === 0) {
    if (!x.shape || x.shape.some((d) => d < 0)) {
      throw new Untranslatable('Squeeze', 'squeezing every size-1 axis of an unknown shape');
    }
    axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  }
  return [
    squeeze(
      scope,
      x,
      axes.map((a) => normalAxis(node, a, rank)),
    ),
  ];
};

/** `Pack`: the inputs stacked along a new axis (folded when all are constants). */
const pack: OpTranslator = (node, inputs, scope) => {
  const rank = inputs[0]?.shape ? inputs[0].shape.length + 1 : undefined;
  const axis = normalAxis(node, intAttr(node, 'axis', 0), rank);
  const parts = inputs.map((x) => unsqueeze(scope, x, [axis]));
  return [concat(scope, node, parts, axis)];
};

/** Joins values along `axis`: folded for constants, NCHW when every part has a twin. */
function concat(scope: OpScope, node: GraphNode, parts: readonly TfValue[], axis: number): TfValue {
  const { ctx } = scope;
  const [first] = parts;
  if (!first) throw new Untranslatable(node.op, 'no inputs');
  if (parts.every((p) => p.constant)) {
    const folded = concatHost(
      parts.map((p) => p.constant!),
      axis,
    );
    if (folded) return ctx.constant(folded, node.name);
  }
  const shape = first.shape?.map((d, i) =>
    i === axis
      ? parts.reduce((n, p) => (n < 0 || (p.shape?.[i] ?? -1) < 0 ? -1 : n + p.shape![i]!), 0)
      : d,
  );
  if (shape?.length === 4 && axis === 3 && parts.every((p) => p.nchw !== undefined)) {
    const out = ctx.emit1({
      op: 'Concat',
      inputs: parts.map((p) => p.nchw!),
      attributes: { axis: 1 },
    });
    return ctx.nchwValue(out, first.dtype, shape);
  }
  const out = ctx.emit1(
    { op: 'Concat', inputs: parts.map((p) => p.name()), attributes: { axis } },
    node.name,
  );
  return ctx.value(out, first.dtype, shape);
}

const concatV2: OpTranslator = (node, inputs, scope) => {
  const values = inputs.slice(0, -1);
  const [axis] = constantInts(node, input(node, inputs, inputs.length - 1), 'axis');
  return [concat(scope, node, values, normalAxis(node, axis!, values[0]?.shape?.length))];
};

const unpack: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const rank = x.shape?.length;
  const axis = normalAxis(node, intAttr(node, 'axis', 0), rank);
  const num = intAttr(node, 'num');
  const partShape = x.shape?.map((d, i) => (i === axis ? 1 : d));
  const parts = scope.ctx.emit(
    { op: 'Split', inputs: [x.name()], attributes: { axis }, outputs: num },
    node.name,
  );
  return parts.map((p) => squeeze(scope, scope.ctx.value(p, x.dtype, partShape), [axis]));
};

/** `Transpose` with a constant permutation; an NHWC → NCHW one of a twin costs nothing. */
const transpose: OpTranslator = (node, inputs, { ctx }) => {
  const x = input(node, inputs, 0);
  const perm = constantInts(node, input(node, inputs, 1), 'permutation');
  if (x.constant) return [ctx.constant(transposeHost(x.constant, perm), node.name)];
  const shape = permuted(x.shape, perm);
  if (x.nchw !== undefined && perm.join() === TO_NCHW.join())
    return [ctx.value(x.nchw, x.dtype, shape)];
  const out = ctx.emit1({ op: 'Transpose', inputs: [x.name()], attributes: { perm } }, node.name);
  return [ctx.value(out, x.dtype, shape)];
};

/** A slice of known bounds: ONNX `Slice`, or picked on the host for constants. */
function slice(
  scope: OpScope,
  node: GraphNode,
  x: TfValue,
  spec: { starts: number[]; ends: number[]; axes: number[]; steps: number[] },
): TfValue {
  const { ctx } = scope;
  const shape = x.shape?.map((d, i) => {
    const k = spec.axes.indexOf(i);
    if (k < 0) return d;
    if (d < 0) return -1;
    return sliceIndices(d, spec.starts[k]!, spec.ends[k]!, spec.steps[k]!).length;
  });
  if (x.constant && isStatic(x.shape)) {
    const picks = x.shape!.map((d, i) => {
      const k = spec.axes.indexOf(i);
      return k < 0
        ? [...Array(d).keys()]
        : sliceIndices(d, spec.starts[k]!, spec.ends[k]!, spec.steps[k]!);
    });
    return ctx.constant(pickHost(x.constant, picks), node.name);
  }
  const out = ctx.emit1(
    {
      op: 'Slice',
      inputs: [
        x.name(),
        ctx.int64(spec.starts),
        ctx.int64(spec.ends),
        ctx.int64(spec.axes),
        ctx.int64(spec.steps),
      ],
    },
    node.name,
  );
  return ctx.value(out, x.dtype, shape);
}

/** The indices numpy's `start:end:step` takes from an axis of `size` (ends clamped). */
function sliceIndices(size: number, start: number, end: number, step: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + size : start;
  let e = end < 0 ? end + size : end;
  if (end >= INT64_MAX / 2) e = size;
  if (end <= -INT64_MAX / 2) e = -1;
  s = step > 0 ? clamp(s, 0, size) : clamp(s, -1, size - 1);
  e = step > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/**
 * `StridedSlice` with constant begin, end and strides: masks resolved at translation time into
 * an ONNX `Slice`, then `Squeeze` for shrunk axes and `Unsqueeze` for new ones.
 */
const stridedSlice: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const begin = constantInts(node, input(node, inputs, 1), 'begin');
  const end = constantInts(node, input(node, inputs, 2), 'end');
  const stride = constantInts(node, input(node, inputs, 3), 'strides');
  const mask = (name: string) => intAttr(node, name, 0);
  const [beginMask, endMask, ellipsisMask, newAxisMask, shrinkMask] = [
    mask('begin_mask'),
    mask('end_mask'),
    mask('ellipsis_mask'),
    mask('new_axis_mask'),
    mask('shrink_axis_mask'),
  ];
  const rank = x.shape?.length;
  const spec = {
    starts: [] as number[],
    ends: [] as number[],
    axes: [] as number[],
    steps: [] as number[],
  };
  const shrink: number[] = [];
  const newAxes: number[] = [];
  let axis = 0;
  let outAxis = 0;
  for (let k = 0; k < begin.length; k++) {
    const bit = 1 << k;
    if (ellipsisMask & bit) {
      if (rank === undefined)
        throw new Untranslatable('StridedSlice', 'an ellipsis on unknown rank');
      const later = begin.slice(k + 1).filter((_, j) => !(newAxisMask & (1 << (k + 1 + j)))).length;
      const skipped = rank - axis - later;
      axis += skipped;
      outAxis += skipped;
      continue;
    }
    if (newAxisMask & bit) {
      newAxes.push(outAxis++);
      continue;
    }
    const step = stride[k] ?? 1;
    if (shrinkMask & bit) {
      const b = begin[k]!;
      spec.starts.push(b);
      spec.ends.push(b === -1 ? INT64_MAX : b + 1);
      spec.axes.push(axis);
      spec.steps.push(1);
      shrink.push(axis);
    } else {
      const full = step > 0 ? [0, INT64_MAX] : [-1, -INT64_MAX];
      const b = beginMask & bit ? full[0]! : begin[k]!;
      const e = endMask & bit ? full[1]! : end[k]!;
      if (!(beginMask & bit && endMask & bit && step === 1)) {
        spec.starts.push(b);
        spec.ends.push(e);
        spec.axes.push(axis);
        spec.steps.push(step);
      }
      outAxis++;
    }
    axis++;
  }
  let value = spec.axes.length > 0 ? slice(scope, node, x, spec) : x;
  if (shrink.length > 0) value = squeeze(scope, value, shrink);
  if (newAxes.length > 0) value = unsqueeze(scope, value, newAxes);
  return [value];
};

const sliceOp: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const begin = constantInts(node, input(node, inputs, 1), 'begin');
  const size = constantInts(node, input(node, inputs, 2), 'size');
  return [
    slice(scope, node, x, {
      starts: begin,
      ends: size.map((s, i) => (s < 0 ? INT64_MAX : begin[i]! + s)),
      axes: begin.map((_, i) => i),
      steps: begin.map(() => 1),
    }),
  ];
};

/** Shapes and layout: shape queries, reshapes, axes, stacking, joins, slices, transposes. */
export const SHAPE_OPS: OpFamily = {
  Shape: shapeOp,
  Size: sizeOp,
  Rank: rankOp,
  Reshape: reshape,
  ExpandDims: expandDims,
  Squeeze: squeezeOp,
  Pack: pack,
  Unpack: unpack,
  ConcatV2: concatV2,
  Concat: (node, inputs, scope) => concatV2(node, [...inputs.slice(1), inputs[0]!], scope),
  Transpose: transpose,
  StridedSlice: stridedSlice,
  Slice: sliceOp,
};

export { asInt64, normalAxis };
