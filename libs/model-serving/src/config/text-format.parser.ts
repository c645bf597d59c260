import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import {
  type TextFieldSpec,
  type TextFormatSchema,
  type TextMessage,
  type TextScalarKind,
} from './text-format.schema.js';
import { TextFormatTokenizer, type TextLocation, type TextToken } from './text-format.tokenizer.js';

type Value = string | number | boolean | Fields;
type Entry = { at: TextLocation; valueAt: TextLocation; value: Value };
type Fields = Record<string, Entry | Entry[]>;
type ReadableSpec = Exclude<TextFieldSpec, { kind: 'unsupported' }>;

/** Every field of a message read without a schema. */
const ANY: ReadableSpec = { kind: 'any', repeated: true };
const TRUE = ['true', 'True', 't'];
const BOOL = [...TRUE, 'false', 'False', 'f'];
const FLOAT_WORD = /^(?:inf|infinity|nan)$/i;

/** An integer literal's value: hex as written, a leading 0 meaning octal. */
const integer = (text: string): bigint => BigInt(/^0\d/.test(text) ? `0o${text.slice(1)}` : text);
const numeric = (t: TextToken): boolean => t.kind === 'int' || t.kind === 'float';
/** What each kind is called in errors, and whether it takes a token (after a `-` if negative). */
const SCALARS: Record<
  TextScalarKind | 'any',
  [label: string, takes: (t: TextToken, negative: boolean) => boolean]
> = {
  string: ['a string', (t, negative) => t.kind === 'string' && !negative],
  int: ['an integer', (t) => t.kind === 'int'],
  float: ['a number', (t) => numeric(t) || (t.kind === 'ident' && FLOAT_WORD.test(t.text))],
  bool: [
    'a boolean',
    (t, negative) =>
      !negative &&
      ((t.kind === 'ident' && BOOL.includes(t.text)) || (t.kind === 'int' && integer(t.text) < 2n)),
  ],
  enum: ['an enum value', (t, negative) => t.kind === 'int' || (t.kind === 'ident' && !negative)],
  any: [
    'a value',
    (t, negative) => numeric(t) || t.kind === 'ident' || (t.kind === 'string' && !negative),
  ],
};
const oneofOf = (spec?: TextFieldSpec): string | undefined =>
  spec?.kind === 'unsupported' ? undefined : spec?.oneof;
const describe = (t: TextToken): string => (t.kind === 'eof' ? t.text : JSON.stringify(t.text));
const location = ({ line, column }: TextLocation): TextLocation => ({ line, column });

/**
 * A recursive-descent parser of protobuf text format, driven by a {@link TextFormatSchema}.
 * Fields are checked while they are read, so every error points at the first offending token.
 * @example
 * const parser = new TextFormatParser(SCHEMA, 'batching.config');
 * const params = parser.parse(text, 'BatchingParameters');
 * const maxBatchSize = params.max_batch_size?.value.value?.value;
 */
export class TextFormatParser<S extends TextFormatSchema<keyof S & string>> {
  private readonly messages: TextFormatSchema;
  private tokens!: TextFormatTokenizer;

  /** @param fileName - named in error messages */
  constructor(
    schema: S,
    private readonly fileName?: string,
  ) {
    this.messages = schema;
  }

  /**
   * Parses a whole text as a message of type `root`.
   * @throws ModelServingConfigError naming `file:line:column` on bad syntax, unknown or unsupported
   * fields, wrong value kinds, duplicate fields, lists for singular fields and rival oneof fields.
   */
  parse<N extends keyof S & string>(text: string, root: N): TextMessage<S, N> {
    this.tokens = new TextFormatTokenizer(text, (at, message) => this.fail(at, message));
    // The schema decides each field's kind at run time; TextMessage states the same in types.
    return this.message(root, 'end of file') as unknown as TextMessage<S, N>;
  }

  /**
   * Throws a ModelServingConfigError at `at`, for checks made on the parsed tree.
   * @throws ModelServingConfigError with message `file:line:column: message`
   */
  fail(at: TextLocation, message: string): never {
    const where = `${this.fileName ? `${this.fileName}:` : ''}${at.line}:${at.column}`;
    throw new ModelServingConfigError(`${where}: ${message}`, {
      ...(this.fileName && { file: this.fileName }),
      line: at.line,
      column: at.column,
    });
  }

  private get token(): TextToken {
    return this.tokens.token;
  }

  private is(text: string): boolean {
    return (this.token.kind === 'punct' || this.token.kind === 'eof') && this.token.text === text;
  }

  private eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.tokens.next();
    return true;
  }

  private expect(text: string): void {
    if (!this.eat(text)) this.fail(this.token, `expected "${text}", got ${describe(this.token)}`);
  }

  /** Reads fields up to `close` (`}`, `>` or end of file) and consumes it. */
  private message(type: string | undefined, close: string): Fields {
    const fields: Fields = Object.create(null) as Fields;
    while (!this.is(close)) {
      if (this.token.kind === 'eof') this.fail(this.token, `expected "${close}", got end of file`);
      this.field(type, fields);
      if (!this.eat(';')) this.eat(',');
    }
    if (this.token.kind !== 'eof') this.tokens.next();
    return fields;
  }

  private field(type: string | undefined, fields: Fields): void {
    const name = this.token;
    if (name.kind !== 'ident') this.fail(name, `expected a field name, got ${describe(name)}`);
    const specs = type === undefined ? undefined : this.messages[type];
    const spec = type === undefined ? ANY : specs?.[name.text];
    if (!spec) this.fail(name, `unknown field "${name.text}" in ${type}`);
    if (spec.kind === 'unsupported') {
      this.fail(name, `"${name.text}" is not supported${spec.hint ? `; ${spec.hint}` : ''}`);
    }
    if (name.text in fields && !spec.repeated) {
      this.fail(name, `duplicate field "${name.text}" in ${type}`);
    }
    const oneof = spec.oneof;
    const rival = oneof && Object.keys(fields).find((k) => oneofOf(specs?.[k]) === oneof);
    if (rival) this.fail(name, `"${name.text}" and "${rival}" are both set; ${type} takes one`);
    this.tokens.next();
    const colon = this.eat(':');
    if (!this.eat('[')) return this.value(name, spec, colon, fields);
    if (!spec.repeated) this.fail(name, `list given for "${name.text}", which is not repeated`);
    if (!this.is(']')) {
      do this.value(name, spec, colon, fields);
      while (this.eat(','));
    }
    this.expect(']');
  }

  private value(name: TextToken, spec: ReadableSpec, colon: boolean, fields: Fields): void {
    const at = this.token;
    const open = this.is('{') ? '}' : this.is('<') ? '>' : undefined;
    let value: Value;
    if (open && (spec.kind === 'message' || spec.kind === 'any')) {
      this.tokens.next();
      value = this.message(spec.kind === 'message' ? spec.message : undefined, open);
    } else if (spec.kind === 'message') {
      this.fail(at, `expected "{" or "<" to open "${name.text}", got ${describe(at)}`);
    } else if (!colon && !open) {
      // Scalars need the colon; a "{" is left for scalar() to report as the wrong kind of value.
      this.fail(at, `expected ":" after "${name.text}", got ${describe(at)}`);
    } else value = this.scalar(name.text, spec.kind);
    const entry: Entry = { at: location(name), valueAt: location(at), value };
    const previous = fields[name.text];
    if (!spec.repeated) fields[name.text] = entry;
    else if (Array.isArray(previous)) previous.push(entry);
    else fields[name.text] = [entry];
  }

  private scalar(name: string, kind: TextScalarKind | 'any'): string | number | boolean {
    const negative = this.eat('-');
    const t = this.token;
    const [label, takes] = SCALARS[kind];
    if (!takes(t, negative)) this.fail(t, `expected ${label} for "${name}", got ${describe(t)}`);
    this.tokens.next();
    if (t.kind === 'string') {
      let text = t.text;
      for (; this.token.kind === 'string'; this.tokens.next()) text += this.token.text;
      return text;
    }
    const sign = negative ? -1 : 1;
    switch (kind) {
      case 'int': {
        const n = integer(t.text) * BigInt(sign);
        if (n > Number.MAX_SAFE_INTEGER || n < Number.MIN_SAFE_INTEGER) {
          this.fail(t, `integer ${negative ? '-' : ''}${t.text} is out of range`);
        }
        return Number(n);
      }
      case 'float':
        if (t.kind === 'ident') return sign * (/^nan$/i.test(t.text) ? NaN : Infinity);
        return sign * (t.kind === 'int' ? Number(integer(t.text)) : parseFloat(t.text));
      case 'bool':
        return TRUE.includes(t.text) || (t.kind === 'int' && integer(t.text) === 1n);
      case 'string': // read above
      case 'enum':
      case 'any':
        return t.text;
    }
  }
}
