import { dataInputs, type NodeMap, traceIdentity } from '../saved-model/graph-node.js';
import { type TableInitializer } from '../saved-model/table-initializer.js';
import { fromTensorProto, type HostTensor } from './host-tensor.js';

/** A lookup table's contents, from the init op's filling op: keys and values, in order. */
export interface LookupTableContents {
  readonly keys: HostTensor;
  readonly values: HostTensor;
}

/**
 * The contents of every table the model initializer fills from constants (or frozen
 * variables, whose values `variables` holds), by the table node's name in the serving graph.
 * A table filled twice, or from anything else, is left out (its lookups do not translate).
 */
export function lookupTables(
  initializer: TableInitializer | undefined,
  variables: ReadonlyMap<string, HostTensor>,
): Map<string, LookupTableContents> {
  const tables = new Map<string, LookupTableContents | undefined>();
  if (!initializer) return new Map();
  const nodes: NodeMap = initializer.nodes;
  const valueOf = (ref: string | undefined): HostTensor | undefined => {
    const source = ref === undefined ? undefined : traceIdentity(nodes, ref)?.node;
    if (source?.op !== 'Const') return undefined;
    const tensor = source.attr['value']?.tensor;
    return variables.get(source.name) ?? (tensor && fromTensorProto(source.name, tensor));
  };
  for (const name of initializer.outputs) {
    const filler = nodes.get(name);
    if (!filler) continue;
    const [handle, keysRef, valuesRef] = dataInputs(filler);
    const table = handle === undefined ? undefined : traceIdentity(nodes, handle)?.node.name;
    if (table === undefined) continue;
    const keys = valueOf(keysRef);
    const values = valueOf(valuesRef);
    tables.set(table, tables.has(table) || !keys || !values ? undefined : { keys, values });
  }
  return new Map(
    [...tables].filter((entry): entry is [string, LookupTableContents] => entry[1] !== undefined),
  );
}
