import { hostNumbers, hostTensor } from '../host-tensor.js';
import { type OpFamily, type OpTranslator } from '../op-translator.js';
import { isStatic, type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { constantInts, input, intAttr, stringAttr, typeAttr } from './attrs.js';
import { castTo } from './elementwise.ops.js';
import { pickHost } from './fold.js';
import { asInt64, normalAxis } from './shape.ops.js';

/** `Fill(dims, value)`: ONNX `Expand` of the scalar. */
const fill: OpTranslator = (node, inputs, scope) => {
  const dims = input(node, inputs, 0);
  const value = input(node, inputs, 1);
  const shape = dims.constant ? hostNumbers(dims.constant) : undefined;
  const out = scope.ctx.emit1(
    { op: 'Expand', inputs: [value.name(), asInt64(scope, dims)] },
    node.name,
  );
  return [scope.ctx.value(out, value.dtype, shape)];
};

/** `ZerosLike` / `OnesLike`: a constant of the input's shape. */
function like(v: number): OpTranslator {
  return (node, inputs, scope) => {
    const x = input(node, inputs, 0);
    const scalar = scope.ctx.constant(hostTensor(x.dtype, [], [v]));
    if (isStatic(x.shape)) {
      const out = scope.ctx.emit1({
        op: 'Expand',
        inputs: [scalar.name(), scope.ctx.int64([...x.shape!])],
      });
      return [scope.ctx.value(out, x.dtype, x.shape)];
    }
    const shape = scope.ctx.emit1({ op: 'Shape', inputs: [x.name()] });
    const out = scope.ctx.emit1({ op: 'Expand', inputs: [scalar.name(), shape] }, node.name);
    return [scope.ctx.value(out, x.dtype, x.shape)];
  };
}

const tile: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const multiples = input(node, inputs, 1);
  const m = multiples.constant ? hostNumbers(multiples.constant) : undefined;
  const shape = x.shape?.map((d, i) => (d < 0 || !m ? -1 : d * m[i]!));
  const out = scope.ctx.emit1(
    { op: 'Tile', inputs: [x.name(), asInt64(scope, multiples)] },
    node.name,
  );
  return [scope.ctx.value(out, x.dtype, shape)];
};

/** `GatherV2` (batch_dims 0) as ONNX `Gather`, folded for constants along axis 0 of a vector. */
const gather: OpTranslator = (node, inputs, scope) => {
  const params = input(node, inputs, 0);
  const indices = input(node, inputs, 1);
  const axisValue = inputs[2];
  const [rawAxis] = axisValue ? constantInts(node, axisValue, 'axis') : [0];
  if (intAttr(node, 'batch_dims', 0) !== 0) throw new Untranslatable(node.op, 'batch_dims');
  const axis = normalAxis(node, rawAxis!, params.shape?.length);
  const shape =
    params.shape && indices.shape
      ? [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)]
      : undefined;
  if (
    params.constant &&
    indices.constant &&
    params.shape?.length === 1 &&
    indices.shape?.length === 1
  ) {
    return [
      scope.ctx.constant(pickHost(params.constant, [hostNumbers(indices.constant)]), node.name),
    ];
  }
  const out = scope.ctx.emit1(
    { op: 'Gather', inputs: [params.name(), indices.name()], attributes: { axis } },
    node.name,
  );
  return [scope.ctx.value(out, params.dtype, shape)];
};

const gatherNd: OpTranslator = (node, inputs, scope) => {
  const params = input(node, inputs, 0);
  const indices = input(node, inputs, 1);
  const out = scope.ctx.emit1(
    { op: 'GatherND', inputs: [params.name(), asInt64(scope, indices)] },
    node.name,
  );
  return [scope.ctx.value(out, params.dtype, undefined)];
};

/** `Pad`, `PadV2`, `MirrorPad` with constant paddings `[rank, 2]`. */
const pad: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const p = constantInts(node, input(node, inputs, 1), 'paddings');
  const rank = p.length / 2;
  const pads = [...Array(rank).keys()].map((i) => p[2 * i]!);
  const ends = [...Array(rank).keys()].map((i) => p[2 * i + 1]!);
  const mode =
    node.op === 'MirrorPad'
      ? stringAttr(node, 'mode', 'REFLECT') === 'REFLECT'
        ? 'reflect'
        : undefined
      : 'constant';
  if (!mode) throw new Untranslatable(node.op, 'SYMMETRIC mode');
  const padInputs = [x.name(), scope.ctx.int64([...pads, ...ends])];
  if (node.op === 'PadV2') padInputs.push(castTo(scope, input(node, inputs, 2), x.dtype).name());
  const shape = x.shape?.map((d, i) => (d < 0 ? -1 : d + pads[i]! + ends[i]!));
  const out = scope.ctx.emit1({ op: 'Pad', inputs: padInputs, attributes: { mode } }, node.name);
  return [scope.ctx.value(out, x.dtype, shape)];
};

const range: OpTranslator = (node, inputs, scope) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => input(node, inputs, i));
  const dtype = typeAttr(node, 'Tidx', start!.dtype);
  if (start!.constant && limit!.constant && delta!.constant) {
    const [s, l, d] = [start!, limit!, delta!].map((v) => hostNumbers(v.constant!)[0]!);
    const n = Math.max(0, Math.ceil((l! - s!) / d!));
    return [
      scope.ctx.constant(
        hostTensor(
          dtype,
          [n],
          Array.from({ length: n }, (_, i) => s! + i * d!),
        ),
        node.name,
      ),
    ];
  }
  const args = [start!, limit!, delta!].map((v) => castTo(scope, v, dtype).name());
  const out = scope.ctx.emit1({ op: 'Range', inputs: args }, node.name);
  return [scope.ctx.value(out, dtype, [-1])];
};

function splitParts(
  node: Parameters<OpTranslator>[0],
  x: TfValue,
  axis: number,
  sizes: number[] | undefined,
  count: number,
  scope: Parameters<OpTranslator>[2],
) {
  const inputsList = [x.name()];
  if (sizes) inputsList.push(scope.ctx.int64(sizes));
  const outs = scope.ctx.emit(
    { op: 'Split', inputs: inputsList, attributes: { axis }, outputs: count },
    node.name,
  );
  return outs.map((name, k) => {
    const dim = x.shape?.[axis];
    const size = sizes ? sizes[k]! : dim !== undefined && dim >= 0 ? dim / count : -1;
    return scope.ctx.value(
      name,
      x.dtype,
      x.shape?.map((d, i) => (i === axis ? size : d)),
    );
  });
}

const split: OpTranslator = (node, inputs, scope) => {
  const [axisRaw] = constantInts(node, input(node, inputs, 0), 'axis');
  const x = input(node, inputs, 1);
  const axis = normalAxis(node, axisRaw!, x.shape?.length);
  return splitParts(node, x, axis, undefined, intAttr(node, 'num_split'), scope);
};

const splitV: OpTranslator = (node, inputs, scope) => {
  const x = input(node, inputs, 0);
  const sizes = constantInts(node, input(node, inputs, 1), 'sizes');
  const [axisRaw] = constantInts(node, input(node, inputs, 2), 'axis');
  const axis = normalAxis(node, axisRaw!, x.shape?.length);
  const unknown = sizes.indexOf(-1);
  if (unknown >= 0) {
    const dim = x.shape?.[axis];
    if (dim === undefined || dim < 0)
      throw new Untranslatable('SplitV', 'a -1 size on an unknown axis');
    sizes[unknown] = dim - sizes.reduce((a, b) => a + (b < 0 ? 0 : b), 0);
  }
  return splitParts(node, x, axis, sizes, sizes.length, scope);
};

/** `OneHot(indices, depth, on, off)` as ONNX `OneHot` with values `[off, on]`. */
const oneHot: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const indices = input(node, inputs, 0);
  const depth = input(node, inputs, 1);
  const on = input(node, inputs, 2);
  const off = input(node, inputs, 3);
  const values = ctx.emit1({
    op: 'Concat',
    inputs: [
      ctx.emit1({ op: 'Reshape', inputs: [off.name(), ctx.int64([1])] }),
      ctx.emit1({ op: 'Reshape', inputs: [on.name(), ctx.int64([1])] }),
    ],
    attributes: { axis: 0 },
  });
  const axis = intAttr(node, 'axis', -1);
  const out = ctx.emit1(
    {
      op: 'OneHot',
      // ONNX Runtime's kernels take int64 indices and depth.
      inputs: [asInt64(scope, indices), asInt64(scope, depth), values],
      attributes: { axis },
    },
    node.name,
  );
  return [ctx.value(out, on.dtype, undefined)];
};

/** `ClipByValue`: `Min` then `Max` (TensorFlow's bounds may be tensors that broadcast). */
const clipByValue: OpTranslator = (node, inputs, { ctx }) => {
  const [x, lo, hi] = [0, 1, 2].map((i) => input(node, inputs, i));
  const upper = ctx.emit1({ op: 'Min', inputs: [x!.name(), hi!.name()] });
  return [
    ctx.value(ctx.emit1({ op: 'Max', inputs: [upper, lo!.name()] }, node.name), x!.dtype, x!.shape),
  ];
};

/** `AddN`: a chain of `Add`s (ONNX `Sum` takes floats only). */
const addN: OpTranslator = (node, inputs, { ctx }) => {
  const [first, ...rest] = inputs;
  if (!first) throw new Untranslatable('AddN', 'no inputs');
  const out = rest.reduce(
    (sum, v) => ctx.emit1({ op: 'Add', inputs: [sum, v.name()] }, node.name),
    first.name(),
  );
  return [ctx.value(out, first.dtype, first.shape)];
};

const einsum: OpTranslator = (node, inputs, { ctx }) => {
  const equation = stringAttr(node, 'equation', '');
  const out = ctx.emit1(
    { op: 'Einsum', inputs: inputs.map((v) => v.name()), attributes: { equation } },
    node.name,
  );
  return [ctx.value(out, inputs[0]!.dtype, undefined)];
};

/** Values made, gathered, padded, split and combined. */
export const ARRAY_OPS: OpFamily = {
  Fill: fill,
  ZerosLike: like(0),
  OnesLike: like(1),
  Tile: tile,
  GatherV2: gather,
  Gather: gather,
  GatherNd: gatherNd,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  Range: range,
  Split: split,
  SplitV: splitV,
  OneHot: oneHot,
  ClipByValue: clipByValue,
  AddN: addN,
  Einsum: einsum,
};
