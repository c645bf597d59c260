import { grisuDtoa } from './grisu-dtoa.js';

interface Level {
  readonly inArray: boolean;
  count: number;
}

// eslint-disable-next-line no-control-regex -- rapidjson escapes exactly these control bytes
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex -- as above
const ESCAPE_ALL = /["\\\u0000-\u001f]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function escapeChar(ch: string): string {
  return (
    SHORT_ESCAPES[ch] ?? `\\u00${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  );
}

/**
 * rapidjson 1.1.0 `Writer::WriteString` escaping: `"`, `\` and bytes below 0x20 only (short
 * forms where they exist, else `\u00XX` in upper case); `/`, DEL and non-ASCII pass through.
 */
export function escapeJsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, escapeChar) : text;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * An emulation of rapidjson 1.1.0 `PrettyWriter` (4-space indent), whose layout TF Serving's
 * responses and error texts reproduce byte for byte. The array format is read at each call,
 * as rapidjson's `SetFormatOptions`, so it can be switched mid-document:
 * - in an array, each value after the first gets `,`, then `' '` in single-line mode or a
 *   newline and indent in default mode;
 * - in an object, the first key gets a newline and indent, later keys `,` plus newline and
 *   indent, and each value `': '`;
 * - `}` of a non-empty object always starts a new line; `]` of a non-empty array only while
 *   the default (multi-line) format is on.
 * Strings are kept as JS strings, so bytes that are not valid UTF-8 end up as U+FFFD.
 */
export class PrettyWriter {
  private out = '';
  private readonly levels: Level[] = [];
  private bytes = 0;
  private singleLine = false;

  /** Bytes written so far (UTF-8), what TF Serving's 256-byte debug limit counts. */
  get byteLength(): number {
    return this.bytes;
  }

  /** `kFormatSingleLineArray` on or off (`kFormatDefault`). */
  setSingleLineArrays(on: boolean): void {
    this.singleLine = on;
  }

  toString(): string {
    return this.out;
  }

  null(): void {
    this.put(this.prefix() + 'null');
  }

  bool(value: boolean): void {
    this.put(this.prefix() + (value ? 'true' : 'false'));
  }

  /** A number already formatted (integers, or TF Serving's `WriteDecimal` via `RawValue`). */
  raw(text: string): void {
    this.put(this.prefix() + text);
  }

  /**
   * rapidjson `Double`: Grisu2 digits. NaN and infinities are refused (`false`) after the
   * separator has been written, as rapidjson's default flags do.
   */
  double(value: number): boolean {
    const prefix = this.prefix();
    if (!Number.isFinite(value)) {
      this.put(prefix);
      return false;
    }
    this.put(prefix + grisuDtoa(value));
    return true;
  }

  /** A string value; bytes are escaped as they are (invalid UTF-8 is not rejected). */
  string(value: string | Uint8Array): void {
    this.put(this.prefix());
    if (typeof value === 'string') {
      this.putText(`"${escapeJsonString(value)}"`);
      return;
    }
    let special = false;
    for (const b of value) if (b < 0x20 || b === 0x22 || b === 0x5c) special = true;
    const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    if (!special) {
      this.push(`"${text}"`, value.byteLength + 2);
      return;
    }
    const escaped = escapeJsonString(text);
    this.push(`"${escaped}"`, value.byteLength + 2 + (escaped.length - text.length));
  }

  key(name: string): void {
    this.string(name);
  }

  startObject(): void {
    this.put(this.prefix() + '{');
    this.levels.push({ inArray: false, count: 0 });
  }

  endObject(): void {
    const level = this.levels.pop();
    if (level !== undefined && level.count > 0) this.put(`\n${this.indent()}`);
    this.put('}');
  }

  startArray(): void {
    this.put(this.prefix() + '[');
    this.levels.push({ inArray: true, count: 0 });
  }

  endArray(): void {
    const level = this.levels.pop();
    if (level !== undefined && level.count > 0 && !this.singleLine) this.put(`\n${this.indent()}`);
    this.put(']');
  }

  /** rapidjson `PrettyPrefix`: the separator and indent due before the next value. */
  private prefix(): string {
    const level = this.levels[this.levels.length - 1];
    if (level === undefined) return '';
    const count = level.count++;
    if (level.inArray) {
      if (this.singleLine) return count > 0 ? ', ' : '';
      return `${count > 0 ? ',' : ''}\n${this.indent()}`;
    }
    if (count % 2 === 1) return ': ';
    return `${count > 0 ? ',\n' : '\n'}${this.indent()}`;
  }

  private indent(): string {
    return ' '.repeat(4 * this.levels.length);
  }

  private put(ascii: string): void {
    this.push(ascii, ascii.length);
  }

  private putText(text: string): void {
    this.push(text, isAscii(text) ? text.length : Buffer.byteLength(text, 'utf8'));
  }

  private push(text: string, byteLength: number): void {
    this.out += text;
    this.bytes += byteLength;
  }
}
