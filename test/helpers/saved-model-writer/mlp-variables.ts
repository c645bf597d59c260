/** A variable of the MLP: its graph name, checkpoint key and shape. */
export interface Variable {
  readonly name: string;
  readonly key: string;
  readonly dims: number[];
}

export function variablesOf(layers: readonly number[], style: 'tf1' | 'tf2'): Variable[] {
  return layers.slice(1).flatMap((out, i) =>
    (['kernel', 'bias'] as const).map((part) => ({
      name: `dense_${i}/${part}`,
      key:
        style === 'tf1'
          ? `dense_${i}/${part}`
          : `layer_with_weights-${i}/${part}/.ATTRIBUTES/VARIABLE_VALUE`,
      dims: part === 'kernel' ? [layers[i]!, out] : [out],
    })),
  );
}
