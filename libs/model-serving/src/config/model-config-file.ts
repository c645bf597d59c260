import { readFile } from 'node:fs/promises';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { type ModelConfig, type VersionPolicy } from './model-serving-options.interface.js';

type Loc = { line: number; col: number };
/** `text` is the source text; for strings, the decoded value. */
type Token = Loc & { kind: 'ident' | 'string' | 'int' | 'float' | 'punct' | 'eof'; text: string };
/** A field's value, where its name (`at`) and its value (`valueAt`) start. */
type Entry = { at: Loc; valueAt: Loc; value: string | number | Fields };
type Fields = Map<string, Entry[]>;

type MessageName =
  | 'ModelServerConfig'
  | 'ModelConfigList'
  | 'ModelConfig'
  | 'ServableVersionPolicy'
  | 'Latest'
  | 'All'
  | 'Specific'
  | 'VersionLabelsEntry';
interface FieldSpec {
  kind: 'string' | 'int' | 'enum' | 'message' | 'any' | 'unsupported';
  /** The message type; absent for a message whose content is accepted and ignored. */
  of?: MessageName;
  repeated?: boolean;
  /** At most one field marked `oneof` may be set per message. */
  oneof?: boolean;
}

const STRING: FieldSpec = { kind: 'string' };
const INT: FieldSpec = { kind: 'int' };
const ANY: FieldSpec = { kind: 'any', repeated: true };
/** The part of TF Serving's `model_server_config.proto` this parser understands. */
const SCHEMA: Record<MessageName, Record<string, FieldSpec | undefined>> = {
  ModelServerConfig: {
    model_config_list: { kind: 'message', of: 'ModelConfigList' },
    custom_model_config: { kind: 'unsupported' },
  },
  ModelConfigList: { config: { kind: 'message', of: 'ModelConfig', repeated: true } },
  ModelConfig: {
    name: STRING,
    base_path: STRING,
    model_type: { kind: 'enum' },
    model_platform: STRING,
    model_version_policy: { kind: 'message', of: 'ServableVersionPolicy' },
    version_labels: { kind: 'message', of: 'VersionLabelsEntry', repeated: true },
    logging_config: { kind: 'message' },
  },
  ServableVersionPolicy: {
    latest: { kind: 'message', of: 'Latest', oneof: true },
    all: { kind: 'message', of: 'All', oneof: true },
    specific: { kind: 'message', of: 'Specific', oneof: true },
  },
  Latest: { num_versions: INT },
  All: {},
  Specific: { versions: { kind: 'int', repeated: true } },
  VersionLabelsEntry: { key: STRING, value: INT },
};

/** What each scalar kind is called in errors, and the tokens it accepts. */
const SCALARS: Partial<Record<FieldSpec['kind'], [label: string, tokens: Token['kind'][]]>> = {
  string: ['a string', ['string']],
  int: ['an integer', ['int']],
  enum: ['an enum value', ['ident', 'int']],
  any: ['a value', ['ident', 'int', 'float', 'string']],
};
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)(?![\w.])/y;
const ESCAPE =
  /\\(?:([abfnrtv\\'"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/y;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const first = (fields: Fields, name: string): Entry | undefined => fields.get(name)?.[0];
const describe = (t: Token): string => (t.kind === 'eof' ? t.text : JSON.stringify(t.text));

/**
 * A recursive-descent parser of the protobuf text format, driven by {@link SCHEMA}. Fields are
 * checked while they are read, so every error points at the first offending token.
 */
class ModelConfigTextParser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private tok: Token = { kind: 'eof', text: '', line: 1, col: 1 };

  constructor(
    private readonly src: string,
    private readonly fileName?: string,
  ) {}

  parse(): ModelConfig[] {
    this.advance();
    const root = this.message('ModelServerConfig', 'end of file');
    const list = first(root, 'model_config_list');
    const names = new Set<string>();
    return ((list?.value as Fields | undefined)?.get('config') ?? []).map((e) =>
      this.toModelConfig(e, names),
    );
  }

  private fail(at: Loc, message: string): never {
    const where = `${this.fileName ? `${this.fileName}:` : ''}${at.line}:${at.col}`;
    throw new ModelServingConfigError(`${where}: ${message}`, {
      ...(this.fileName && { file: this.fileName }),
      line: at.line,
      column: at.col,
    });
  }

  // --- tokenizer -------------------------------------------------------------------------------

  /** Moves to the next token, skipping whitespace and `#` comments. */
  private advance(): void {
    for (let c = this.src[this.i]; ; c = this.src[this.i]) {
      if (c === '\n') {
        this.line++;
        this.lineStart = ++this.i;
      } else if (c === '#') {
        const end = this.src.indexOf('\n', this.i);
        this.i = end < 0 ? this.src.length : end;
      } else if (c !== undefined && /[ \t\r\f\v\uFEFF]/.test(c)) this.i++;
      else break;
    }
    const at = this.here();
    const c = this.src[this.i];
    if (c === undefined) this.tok = { ...at, kind: 'eof', text: 'end of file' };
    else if (c === '"' || c === "'") this.tok = { ...at, kind: 'string', text: this.string(at) };
    else if (/[0-9.]/.test(c)) this.tok = { ...at, ...this.number(at) };
    else if (/[A-Za-z_]/.test(c)) this.tok = { ...at, kind: 'ident', text: this.take(IDENT) ?? '' };
    else if ('{}<>[]:;,-'.includes(c)) this.tok = { ...at, kind: 'punct', text: c };
    else this.fail(at, `unexpected character ${JSON.stringify(c)}`);
    if (this.tok.kind === 'punct') this.i++;
  }

  private here(): Loc {
    return { line: this.line, col: this.i - this.lineStart + 1 };
  }

  /** Consumes and returns the match of a sticky regex at the current position. */
  private take(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const text = re.exec(this.src)?.[0];
    if (text !== undefined) this.i = re.lastIndex;
    return text;
  }

  private number(at: Loc): Pick<Token, 'kind' | 'text'> {
    const text = this.take(NUMBER);
    if (text === undefined) this.fail(at, 'invalid number');
    if (/^0\d*[89]/.test(text)) this.fail(at, `invalid octal number "${text}"`);
    return { kind: /^(?:0[xX][0-9a-fA-F]+|\d+)$/.test(text) ? 'int' : 'float', text };
  }

  private string(at: Loc): string {
    const quote = this.src[this.i++];
    const bytes: number[] = [];
    for (let c = this.src[this.i]; c !== quote; c = this.src[this.i]) {
      if (c === undefined || c === '\n') this.fail(at, 'unterminated string');
      if (c !== '\\') {
        const char = String.fromCodePoint(this.src.codePointAt(this.i) ?? 0);
        bytes.push(...Buffer.from(char));
        this.i += char.length;
        continue;
      }
      const here = this.here();
      ESCAPE.lastIndex = this.i;
      const m = ESCAPE.exec(this.src);
      if (!m) this.fail(here, `invalid escape "${this.src.slice(this.i, this.i + 2)}"`);
      this.i = ESCAPE.lastIndex;
      const [escape, simple, oct, hex, u4, u8] = m;
      if (simple) {
        bytes.push(SIMPLE_ESCAPES[simple] ?? simple.charCodeAt(0));
        continue;
      }
      // Octal and hex escapes are raw bytes; \u and \U are code points, stored as UTF-8.
      const byte = oct ?? hex;
      const code = parseInt(byte ?? u4 ?? u8 ?? '', oct ? 8 : 16);
      const surrogate = byte === undefined && code >= 0xd800 && code < 0xe000;
      if (surrogate || code > (byte === undefined ? 0x10ffff : 0xff)) {
        this.fail(here, `escape "${escape}" is out of range`);
      }
      bytes.push(...(byte === undefined ? Buffer.from(String.fromCodePoint(code)) : [code]));
    }
    this.i++;
    try {
      return UTF8.decode(Uint8Array.from(bytes));
    } catch {
      return this.fail(at, 'string is not valid UTF-8');
    }
  }

  // --- parser ----------------------------------------------------------------------------------

  private is(text: string): boolean {
    return (this.tok.kind === 'punct' || this.tok.kind === 'eof') && this.tok.text === text;
  }

  private eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.advance();
    return true;
  }

  private expect(text: string): void {
    if (!this.eat(text)) this.fail(this.tok, `expected "${text}", got ${describe(this.tok)}`);
  }

  /** Reads fields up to `close` (`}`, `>` or end of file) and consumes it. */
  private message(type: MessageName | undefined, close: string): Fields {
    const fields: Fields = new Map();
    while (!this.is(close)) {
      if (this.tok.kind === 'eof') this.fail(this.tok, `expected "${close}", got end of file`);
      this.field(type, fields);
      if (!this.eat(';')) this.eat(',');
    }
    if (this.tok.kind !== 'eof') this.advance();
    return fields;
  }

  private field(type: MessageName | undefined, fields: Fields): void {
    const name = this.tok;
    if (name.kind !== 'ident') this.fail(name, `expected a field name, got ${describe(name)}`);
    const spec = type ? SCHEMA[type][name.text] : ANY;
    if (!spec) this.fail(name, `unknown field "${name.text}" in ${type}`);
    if (spec.kind === 'unsupported') {
      this.fail(name, `"${name.text}" is not supported; use model_config_list`);
    }
    if (fields.has(name.text) && !spec.repeated) {
      this.fail(name, `duplicate field "${name.text}" in ${type}`);
    }
    const rival = type && spec.oneof && [...fields.keys()].find((k) => SCHEMA[type][k]?.oneof);
    if (rival) this.fail(name, `"${name.text}" and "${rival}" are both set; ${type} takes one`);
    this.advance();
    const colon = this.eat(':');
    if (!this.eat('[')) return this.value(name, spec, colon, fields);
    if (!spec.repeated) this.fail(name, `list given for "${name.text}", which is not repeated`);
    if (!this.is(']')) {
      do this.value(name, spec, colon, fields);
      while (this.eat(','));
    }
    this.expect(']');
  }

  private value(name: Token, spec: FieldSpec, colon: boolean, fields: Fields): void {
    const at = this.tok;
    const open = this.is('{') ? '}' : this.is('<') ? '>' : undefined;
    let value: Entry['value'];
    if (open && (spec.kind === 'message' || spec.kind === 'any')) {
      this.advance();
      value = this.message(spec.of, open);
    } else if (spec.kind === 'message') {
      this.fail(at, `expected "{" or "<" to open "${name.text}", got ${describe(at)}`);
    } else if (!colon && !open) {
      // Scalars need the colon; a "{" is left for scalar() to report as the wrong kind of value.
      this.fail(at, `expected ":" after "${name.text}", got ${describe(at)}`);
    } else value = this.scalar(name.text, spec);
    if (!fields.has(name.text)) fields.set(name.text, []);
    fields.get(name.text)?.push({ at: name, valueAt: at, value });
  }

  private scalar(name: string, spec: FieldSpec): string | number {
    const negative = this.eat('-');
    const t = this.tok;
    const [label, tokens] = SCALARS[spec.kind] ?? ['a value', []];
    const signed =
      t.kind === 'int' || t.kind === 'float' || (t.kind === 'ident' && spec.kind === 'any');
    if (!tokens.includes(t.kind) || (negative && !signed)) {
      this.fail(t, `expected ${label} for "${name}", got ${describe(t)}`);
    }
    this.advance();
    if (t.kind === 'string') {
      let text = t.text;
      for (; this.tok.kind === 'string'; this.advance()) text += this.tok.text;
      return text;
    }
    if (spec.kind !== 'int') return t.text;
    const n = BigInt(/^0\d/.test(t.text) ? `0o${t.text.slice(1)}` : t.text) * (negative ? -1n : 1n);
    if (n > Number.MAX_SAFE_INTEGER || n < Number.MIN_SAFE_INTEGER) {
      this.fail(t, `integer ${negative ? '-' : ''}${t.text} is out of range`);
    }
    return Number(n);
  }

  // --- schema checks beyond the syntax ---------------------------------------------------------

  private toModelConfig(entry: Entry, names: Set<string>): ModelConfig {
    const fields = entry.value as Fields;
    const name = first(fields, 'name');
    if (!name?.value) this.fail(name?.valueAt ?? entry.at, 'model name must not be empty');
    const modelName = name.value as string;
    if (names.has(modelName)) this.fail(name.valueAt, `duplicate model name "${modelName}"`);
    names.add(modelName);
    const basePath = first(fields, 'base_path');
    const pathAt = basePath?.valueAt ?? entry.at;
    if (!basePath?.value) this.fail(pathAt, `base_path of model "${modelName}" must not be empty`);
    const config: ModelConfig = { name: modelName, basePath: basePath.value as string };
    const policy = first(fields, 'model_version_policy');
    const versionPolicy = policy && this.toVersionPolicy(policy.value as Fields);
    if (versionPolicy) config.versionPolicy = versionPolicy;
    const labels = fields.get('version_labels');
    if (labels) config.versionLabels = this.toVersionLabels(labels);
    return config;
  }

  private toVersionPolicy(fields: Fields): VersionPolicy | undefined {
    const latest = first(fields, 'latest');
    if (latest) {
      const num = first(latest.value as Fields, 'num_versions');
      const n = (num?.value ?? 0) as number;
      const at = num?.valueAt ?? latest.at;
      if (n < 1 || n > 0xffffffff) this.fail(at, `num_versions must be a uint32 >= 1, got ${n}`);
      return { latest: n };
    }
    if (first(fields, 'all')) return { all: true };
    const specific = first(fields, 'specific');
    const versions = (specific?.value as Fields | undefined)?.get('versions') ?? [];
    return specific && { specific: versions.map((v) => v.value as number) };
  }

  private toVersionLabels(entries: Entry[]): Record<string, number> {
    const labels = new Map<string, number>();
    for (const entry of entries) {
      const fields = entry.value as Fields;
      const key = first(fields, 'key');
      const value = first(fields, 'value');
      if (!key?.value) this.fail(key?.valueAt ?? entry.at, 'version label key must not be empty');
      const label = key.value as string;
      if (!value) this.fail(entry.at, `version label "${label}" has no value`);
      if ((value.value as number) < 0) {
        this.fail(value.valueAt, `version label "${label}" must be a non-negative version`);
      }
      if (labels.has(label)) this.fail(key.valueAt, `duplicate version label "${label}"`);
      labels.set(label, value.value as number);
    }
    // fromEntries, not assignment, so a label called "__proto__" stays an ordinary key.
    return Object.fromEntries(labels);
  }
}

/**
 * Parses TF Serving's text-format `ModelServerConfig` (the file behind `--model_config_file`) into
 * model configs. Only `model_config_list` is supported; `model_type`, `model_platform` and
 * `logging_config` are accepted and ignored. `${VAR}` placeholders are kept literally.
 * @param fileName - named in error messages
 * @throws ModelServingConfigError naming `file:line:column` on bad syntax, unknown fields, wrong
 * value kinds, duplicate fields, empty or duplicate model names and invalid version policies or labels.
 * @publicApi
 */
export function parseModelConfigText(text: string, fileName?: string): ModelConfig[] {
  return new ModelConfigTextParser(text, fileName).parse();
}

/**
 * Reads and parses a TF Serving model config file. Relative `base_path` values are kept as
 * written (TF Serving resolves them against its working directory).
 * @throws ModelServingConfigError when the file cannot be read or is invalid
 * @publicApi
 */
export async function readModelConfigFile(path: string): Promise<ModelConfig[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const reason = error.code ?? error.message;
    throw new ModelServingConfigError(`cannot read model config file ${path}: ${reason}`, {
      file: path,
    });
  });
  return parseModelConfigText(text, path);
}
