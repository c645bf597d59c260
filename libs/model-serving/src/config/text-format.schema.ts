import { type TextLocation } from './text-format.tokenizer.js';

/** Field kinds whose value is one token (a string may be several, concatenated). */
export type TextScalarKind = 'string' | 'int' | 'float' | 'bool' | 'enum';

/**
 * How one field of a protobuf message is read from text format:
 * - `string`: quoted strings, adjacent ones concatenated; `int`: integers within ±2^53;
 *   `float`: integers, decimals, `inf`, `infinity`, `nan` (any case), optionally negative;
 *   `bool`: `true`, `True`, `t`, `1`, `false`, `False`, `f`, `0`; `enum`: an identifier or integer.
 * - `message`: a nested message of type `message`; without `message`, its content is read
 *   without checks and kept untyped.
 * - `any`: any value, message or scalar, read without checks (scalars kept as their text).
 * - `unsupported`: a known field that is refused, with `hint` saying what to use instead.
 *
 * Fields with `repeated` may appear more than once and take `[a, b]` lists; of the fields sharing a
 * `oneof` name, at most one may be set.
 */
export type TextFieldSpec<M extends string = string> =
  | { readonly kind: TextScalarKind | 'any'; readonly repeated?: boolean; readonly oneof?: string }
  | {
      readonly kind: 'message';
      readonly message?: M;
      readonly repeated?: boolean;
      readonly oneof?: string;
    }
  | { readonly kind: 'unsupported'; readonly hint?: string };

/**
 * The messages a text-format parser understands: message name → field name → spec. Declare it
 * `as const satisfies TextFormatSchema<Names>` so parsed trees get typed fields.
 */
export type TextFormatSchema<M extends string = string> = {
  readonly [N in M]: { readonly [field: string]: TextFieldSpec<M> };
};

/** A field's value, where the field's name (`at`) and its value (`valueAt`) start. */
export interface TextEntry<V> {
  readonly at: TextLocation;
  readonly valueAt: TextLocation;
  readonly value: V;
}

/** A message read without a schema: every field repeated, scalars kept as their text. */
export interface TextUntypedMessage {
  readonly [field: string]: readonly TextEntry<string | TextUntypedMessage>[] | undefined;
}

type ScalarValue<K> = K extends 'int' | 'float' ? number : K extends 'bool' ? boolean : string;

/** The value type of a field with spec `F` in schema `S`. */
export type TextValueOf<S extends TextFormatSchema<keyof S & string>, F> = F extends {
  kind: 'message';
  message: infer N extends keyof S & string;
}
  ? TextMessage<S, N>
  : F extends { kind: 'message' }
    ? TextUntypedMessage
    : F extends { kind: 'any' }
      ? string | TextUntypedMessage
      : F extends { kind: infer K extends TextScalarKind }
        ? ScalarValue<K>
        : never;

/**
 * A parsed message of type `N`: each field that was set, as one entry, or an array of entries
 * when repeated. The object has no prototype, so any field name is an ordinary key.
 */
export type TextMessage<
  S extends TextFormatSchema<keyof S & string>,
  N extends keyof S & string,
> = {
  readonly [F in keyof S[N]]?: S[N][F] extends { repeated: true }
    ? readonly TextEntry<TextValueOf<S, S[N][F]>>[]
    : TextEntry<TextValueOf<S, S[N][F]>>;
};
