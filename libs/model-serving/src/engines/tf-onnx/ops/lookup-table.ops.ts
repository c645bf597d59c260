import { type OnnxAttribute } from '../../onnx/onnx-model-writer.js';
import { type GraphNode } from '../../saved-model/graph-node.js';
import { type HostTensor } from '../host-tensor.js';
import { type LookupTableContents } from '../lookup-tables.js';
import { type OpFamily, type OpTranslator } from '../op-translator.js';
import { type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { input } from './attrs.js';
import { castTo } from './elementwise.ops.js';

/** The `ai.onnx.ml` opset whose `LabelEncoder` maps strings, int64s and floats. */
const ML_OPSET = 2;
const TABLES = new WeakMap<TfValue, LookupTableContents>();

/** `HashTableV2`: a handle carrying the contents the init op fills it with. */
const table: OpTranslator = (node, _inputs, scope) => {
  const contents = scope.tables?.get(node.name);
  if (!contents) {
    throw new Untranslatable(node.op, `the init op does not fill '${node.name}' from constants`);
  }
  const handle: TfValue = {
    dtype: 'DT_RESOURCE',
    name: () => {
      throw new Untranslatable(node.op, 'a table handle used as a tensor');
    },
  };
  TABLES.set(handle, contents);
  return [handle];
};

function contentsOf(node: GraphNode, value: TfValue): LookupTableContents {
  const contents = TABLES.get(value);
  if (!contents) throw new Untranslatable(node.op, 'its table does not come from a HashTableV2');
  return contents;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A LabelEncoder attribute's values: strings, or int64s / floats as numbers. */
function attrValues(node: GraphNode, t: HostTensor): { kind: string; values: OnnxAttribute } {
  if (Array.isArray(t.data)) {
    const strings = t.data as readonly Uint8Array[];
    try {
      return { kind: 'strings', values: { strings: strings.map((b) => utf8.decode(b)) } };
    } catch {
      throw new Untranslatable(node.op, 'table strings that are not UTF-8');
    }
  }
  const numbers = Array.from(t.data as ArrayLike<number | bigint>, Number);
  switch (t.dtype) {
    case 'DT_INT64':
    case 'DT_INT32':
      if (numbers.some((n) => !Number.isSafeInteger(n))) {
        throw new Untranslatable(node.op, 'int64 table entries beyond 2^53');
      }
      return { kind: 'int64s', values: numbers };
    case 'DT_FLOAT':
      return { kind: 'floats', values: { floats: numbers } };
    default:
      throw new Untranslatable(node.op, `a table of ${t.dtype}`);
  }
}

/** The op's default as LabelEncoder's `default_*` attribute (it must be a constant scalar). */
function defaultAttr(node: GraphNode, kind: string, value: TfValue): OnnxAttribute {
  const data = value.constant?.data;
  if (!data || data.length !== 1) {
    throw new Untranslatable(node.op, 'a default value that is not a constant scalar');
  }
  if (Array.isArray(data)) return utf8.decode(data[0] as Uint8Array);
  const n = Number((data as ArrayLike<number | bigint>)[0]!);
  return kind === 'floats' ? { float: n } : n;
}

/**
 * `LookupTableFindV2(table, keys, default)` as `ai.onnx.ml` `LabelEncoder` with the table's
 * keys and values as attributes. int32 keys and values go through int64.
 */
const find: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const contents = contentsOf(node, input(node, inputs, 0));
  const keys = input(node, inputs, 1);
  const keyAttr = attrValues(node, contents.keys);
  const valueAttr = attrValues(node, contents.values);
  const wide = (dtype: string) => (dtype === 'DT_INT32' ? 'DT_INT64' : dtype);
  const keyIn = castTo(scope, keys, wide(contents.keys.dtype)).name();
  const out = ctx.emit1(
    {
      op: 'LabelEncoder',
      domain: 'ai.onnx.ml',
      inputs: [keyIn],
      attributes: {
        [`keys_${keyAttr.kind}`]: keyAttr.values,
        [`values_${valueAttr.kind}`]: valueAttr.values,
        [`default_${valueAttr.kind.replace(/s$/, '')}`]: defaultAttr(
          node,
          valueAttr.kind,
          input(node, inputs, 2),
        ),
      },
    },
    node.name,
  );
  ctx.useDomain('ai.onnx.ml', ML_OPSET);
  const found = ctx.value(out, wide(contents.values.dtype), keys.shape);
  return [castTo(scope, found, contents.values.dtype)];
};

export const LOOKUP_TABLE_OPS: OpFamily = {
  HashTableV2: table,
  LookupTableFindV2: find,
};
