import { type InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type ByteCursor, jsonParseError } from './json-number.js';
import { type JsonString } from './json-value.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Single-character escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`) to their byte. */
const ESCAPES = new Map<number, number>([
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x2f, 0x2f],
  [0x62, 0x08],
  [0x66, 0x0c],
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
]);

function peek(c: ByteCursor): number {
  return c.bytes[c.pos] ?? 0;
}

function toJsonString(buf: Buffer, high: boolean): JsonString {
  const value = buf.toString('utf8');
  // Only invalid UTF-8 decodes to U+FFFD without encoding back to the same bytes.
  const lossy = high && value.includes('\uFFFD') && !Buffer.from(value, 'utf8').equals(buf);
  return { kind: 'string', value, bytes: lossy ? Uint8Array.from(buf) : undefined };
}

function readHex4(c: ByteCursor, escapeOffset: number): number {
  let codepoint = 0;
  for (let k = 0; k < 4; k++) {
    const digit = parseInt(String.fromCharCode(peek(c)), 16);
    if (Number.isNaN(digit)) {
      throw jsonParseError('Incorrect hex digit after \\u escape in string.', escapeOffset);
    }
    codepoint = codepoint * 16 + digit;
    c.pos++;
  }
  return codepoint;
}

function encodeUtf8(out: number[], cp: number): void {
  // rapidjson `UTF8::Encode`: lone surrogates are encoded as they are (CESU-8).
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else {
    out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f));
    out.push(0x80 | (cp & 0x3f));
  }
}

/**
 * Reads a string the way rapidjson 1.1.0 `ParseString` does: escapes decoded (a lone low
 * surrogate is encoded as is), raw bytes copied without UTF-8 checks, control bytes refused.
 * @param buf the same bytes as `c.bytes`, as a Buffer for fast decoding.
 * @throws InvalidInputError with rapidjson's message and byte offset.
 */
export function readString(c: ByteCursor, buf: Buffer): JsonString {
  c.pos++; // the opening quote
  const start = c.pos;
  let high = false;
  for (let b = peek(c); b !== BACKSLASH && b >= 0x20; b = peek(c)) {
    if (b === QUOTE) {
      c.pos++;
      return toJsonString(buf.subarray(start, c.pos - 1), high);
    }
    if (b >= 0x80) high = true;
    c.pos++;
  }
  const out = Array.from(buf.subarray(start, c.pos));
  for (;;) {
    const b = peek(c);
    if (b === BACKSLASH) {
      const escapeOffset = c.pos;
      c.pos++;
      const e = peek(c);
      const simple = ESCAPES.get(e);
      if (simple !== undefined) {
        out.push(simple);
        c.pos++;
      } else if (e === 0x75) {
        c.pos++;
        let cp = readHex4(c, escapeOffset);
        if (cp >= 0xd800 && cp <= 0xdbff) {
          const surrogateError = (): InvalidInputError =>
            jsonParseError('The surrogate pair in string is invalid.', escapeOffset);
          if (peek(c) !== BACKSLASH) throw surrogateError();
          c.pos++;
          if (peek(c) !== 0x75) throw surrogateError();
          c.pos++;
          const low = readHex4(c, escapeOffset);
          if (low < 0xdc00 || low > 0xdfff) throw surrogateError();
          cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        }
        if (cp >= 0x80) high = true;
        encodeUtf8(out, cp);
      } else {
        throw jsonParseError('Invalid escape character in string.', escapeOffset);
      }
    } else if (b === QUOTE) {
      c.pos++;
      return toJsonString(Buffer.from(out), high);
    } else if (b < 0x20) {
      // A NUL byte is where rapidjson's stream ends, so it is a missing quote, not a bad char.
      const reason =
        b === 0
          ? 'Missing a closing quotation mark in string.'
          : 'Invalid escape character in string.';
      throw jsonParseError(reason, c.pos);
    } else {
      if (b >= 0x80) high = true;
      out.push(b);
      c.pos++;
    }
  }
}
