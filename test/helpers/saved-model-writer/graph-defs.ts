/** Plain NodeDef / AttrValue objects (protobufjs `fromObject` form) for synthetic graphs. */

export type AttrObject = Record<string, unknown>;

export interface NodeObject {
  name: string;
  op: string;
  input: string[];
  attr: AttrObject;
}

export function node(
  name: string,
  op: string,
  input: string[] = [],
  attr: AttrObject = {},
): NodeObject {
  return { name, op, input, attr };
}

export const type = (dtype = 'DT_FLOAT') => ({ type: dtype });
export const typeList = (dtypes: string[]) => ({ list: { type: dtypes } });
export const shape = (dims: readonly number[]) => ({
  shape: { dim: dims.map((size) => ({ size })) },
});
export const func = (name: string) => ({ func: { name } });

/** A `Const` of strings (checkpoint key lists, file names). */
export function stringConst(name: string, strings: readonly string[], scalar = false): NodeObject {
  return node(name, 'Const', [], {
    dtype: type('DT_STRING'),
    value: {
      tensor: {
        dtype: 'DT_STRING',
        tensorShape: scalar ? {} : { dim: [{ size: strings.length }] },
        stringVal: strings.map((s) => Buffer.from(s)),
      },
    },
  });
}

/** A `Placeholder`. */
export function placeholder(name: string, dims: readonly number[], dtype = 'DT_FLOAT'): NodeObject {
  return node(name, 'Placeholder', [], {
    dtype: type(dtype),
    shape: shape(dims).shape && shape(dims),
  });
}

/** A TensorInfo of a SignatureDef. */
export function tensorInfo(name: string, dims: readonly number[], dtype = 'DT_FLOAT'): object {
  return { name, dtype, tensorShape: { dim: dims.map((size) => ({ size })) } };
}
