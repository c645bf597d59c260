/** A position in the source text; line and column both count from 1. */
export interface TextLocation {
  readonly line: number;
  readonly column: number;
}

/** `text` is the source text; for strings, the decoded value; at the end, "end of file". */
export interface TextToken extends TextLocation {
  readonly kind: 'ident' | 'string' | 'int' | 'float' | 'punct' | 'eof';
  readonly text: string;
}

/** Reports an error at a location in the source; never returns. */
export type TextFormatFail = (at: TextLocation, message: string) => never;

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)(?![\w.])/y;
const ESCAPE =
  /\\(?:([abfnrtv\\'"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/y;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits protobuf text format into tokens: identifiers, quoted strings (C escapes decoded, the
 * bytes checked to be UTF-8), integers (decimal, octal, hex), floats and the punctuation
 * `{}<>[]:;,-`. Whitespace, a byte order mark and `#` comments are skipped. A `-` is its own
 * token: the parser decides where a sign may go.
 */
export class TextFormatTokenizer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private current: TextToken;

  /**
   * Reads the first token.
   * @param fail - called with the location and message of a lexical error
   */
  constructor(
    private readonly src: string,
    private readonly fail: TextFormatFail,
  ) {
    this.current = this.read();
  }

  /** The current token; `eof` once the source is used up. */
  get token(): TextToken {
    return this.current;
  }

  /** Moves to the next token. */
  next(): void {
    this.current = this.read();
  }

  private read(): TextToken {
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
    if (c === undefined) return { ...at, kind: 'eof', text: 'end of file' };
    if (c === '"' || c === "'") return { ...at, kind: 'string', text: this.string(at) };
    if (/[0-9.]/.test(c)) return { ...at, ...this.number(at) };
    if (/[A-Za-z_]/.test(c)) return { ...at, kind: 'ident', text: this.take(IDENT) ?? '' };
    if (!'{}<>[]:;,-'.includes(c)) this.fail(at, `unexpected character ${JSON.stringify(c)}`);
    this.i++;
    return { ...at, kind: 'punct', text: c };
  }

  private here(): TextLocation {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  /** Consumes and returns the match of a sticky regex at the current position. */
  private take(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const text = re.exec(this.src)?.[0];
    if (text !== undefined) this.i = re.lastIndex;
    return text;
  }

  private number(at: TextLocation): Pick<TextToken, 'kind' | 'text'> {
    const text = this.take(NUMBER);
    if (text === undefined) this.fail(at, 'invalid number');
    if (/^0\d*[89]/.test(text)) this.fail(at, `invalid octal number "${text}"`);
    return { kind: /^(?:0[xX][0-9a-fA-F]+|\d+)$/.test(text) ? 'int' : 'float', text };
  }

  private string(at: TextLocation): string {
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
}
