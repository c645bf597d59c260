import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type ByteCursor, jsonParseError, readNumber } from './json-number.js';
import { readString } from './json-string.js';
import { type JsonObject, type JsonValue } from './json-value.js';

// The states of rapidjson 1.1.0's iterative parser (`kParseIterativeFlag`), so that every
// error is reported with the same message and byte offset as TF Serving's `ParseJson`.
const START = 0;
const FINISH = 1;
const OBJECT_INITIAL = 2;
const MEMBER_KEY = 3;
const KEY_VALUE_DELIMITER = 4;
const MEMBER_VALUE = 5;
const MEMBER_DELIMITER = 6;
const ARRAY_INITIAL = 7;
const ELEMENT = 8;
const ELEMENT_DELIMITER = 9;

/** rapidjson `HandleError`: the message for an unexpected token (or the end) in each state. */
const STATE_ERRORS: readonly string[] = [
  'The document is empty.',
  'The document root must not be followed by other values.',
  'Missing a name for object member.',
  'Missing a colon after a name of object member.',
  'Invalid value.',
  "Missing a comma or '}' after an object member.",
  'Missing a name for object member.',
  'Invalid value.',
  "Missing a comma or ']' after an array element.",
  'Invalid value.',
];

const QUOTE = 0x22;

type Frame =
  { readonly items: JsonValue[] } | { readonly members: [string, JsonValue][]; key: string };

function peek(c: ByteCursor): number {
  return c.bytes[c.pos] ?? 0;
}

function skipWhitespace(c: ByteCursor): void {
  for (let b = peek(c); b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09; b = peek(c)) c.pos++;
}

function readLiteral(c: ByteCursor, text: string, value: JsonValue): JsonValue {
  c.pos++;
  for (let k = 1; k < text.length; k++) {
    if (peek(c) !== text.charCodeAt(k)) throw jsonParseError('Invalid value.', c.pos);
    c.pos++;
  }
  return value;
}

/** rapidjson `ParseValue` for a non-container token. */
function readScalar(c: ByteCursor, buf: Buffer): JsonValue {
  switch (peek(c)) {
    case 0x6e:
      return readLiteral(c, 'null', { kind: 'null' });
    case 0x74:
      return readLiteral(c, 'true', { kind: 'bool', value: true });
    case 0x66:
      return readLiteral(c, 'false', { kind: 'bool', value: false });
    case QUOTE:
      return readString(c, buf);
    default:
      return readNumber(c);
  }
}

/**
 * Parses a request body as TF Serving does (rapidjson 1.1.0 with `kParseIterativeFlag |
 * kParseNanAndInfFlag | kParseStopWhenDoneFlag`): member order and duplicate keys are kept,
 * integers stay distinct from doubles, `NaN`/`Infinity`/`-Inf` are numbers, a UTF-8 BOM is
 * skipped, anything after the root value (or from a NUL byte on) is ignored, and nesting
 * depth is unlimited (no recursion). Strings are not checked for valid UTF-8.
 * @param input the body; a string is UTF-8 encoded first, so offsets always count bytes.
 * @throws InvalidInputError `JSON Parse error: <rapidjson message> at offset: <byte offset>`,
 *   or `JSON Parse error: The document is empty` for an empty body.
 */
export function parseJson(input: string | Uint8Array): JsonValue {
  const buf =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw new InvalidInputError('JSON Parse error: The document is empty');
  const c: ByteCursor = { bytes: buf, pos: 0 };
  // The UTF-8 MemoryStream wrapper drops EF, BB and BF in turn; offsets still count them.
  for (const bomByte of [0xef, 0xbb, 0xbf]) if (peek(c) === bomByte) c.pos++;

  const stack: Frame[] = [];
  let state = START;
  let root: JsonValue = { kind: 'null' };
  const fail = (): InvalidInputError => jsonParseError(STATE_ERRORS[state] ?? '', c.pos);
  const add = (value: JsonValue): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = value;
      state = FINISH;
    } else if ('items' in top) {
      top.items.push(value);
      state = ELEMENT;
    } else {
      top.members.push([top.key, value]);
      state = MEMBER_VALUE;
    }
  };
  const open = (b: number): void => {
    stack.push(b === 0x5b ? { items: [] } : { members: [], key: '' });
    state = b === 0x5b ? ARRAY_INITIAL : OBJECT_INITIAL;
    c.pos++;
  };
  const close = (): void => {
    const frame = stack.pop();
    c.pos++;
    if (frame !== undefined) {
      add('items' in frame ? { kind: 'array', items: frame.items } : objectOf(frame.members));
    }
  };
  const readKey = (): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined && 'members' in top) top.key = readString(c, buf).value;
    state = MEMBER_KEY;
  };

  skipWhitespace(c);
  while (peek(c) !== 0) {
    const b = peek(c);
    const structural =
      b === 0x5b || b === 0x5d || b === 0x7b || b === 0x7d || b === 0x2c || b === 0x3a;
    switch (state) {
      case OBJECT_INITIAL:
      case MEMBER_VALUE:
        if (b === 0x7d) close();
        else if (state === OBJECT_INITIAL && b === QUOTE) readKey();
        else if (state === MEMBER_VALUE && b === 0x2c) {
          c.pos++;
          state = MEMBER_DELIMITER;
        } else throw fail();
        break;
      case MEMBER_DELIMITER:
        // `{"a":1,}` fails at the `}` with the same message as any other non-key token.
        if (b !== QUOTE) throw fail();
        readKey();
        break;
      case MEMBER_KEY:
        if (b !== 0x3a) throw fail();
        c.pos++;
        state = KEY_VALUE_DELIMITER;
        break;
      case ELEMENT:
        if (b === 0x5d) close();
        else if (b === 0x2c) {
          c.pos++;
          state = ELEMENT_DELIMITER;
        } else throw fail();
        break;
      default: // START, KEY_VALUE_DELIMITER, ARRAY_INITIAL, ELEMENT_DELIMITER: a value is due
        if (b === 0x5b || b === 0x7b) open(b);
        else if (b === 0x5d && state === ARRAY_INITIAL) close();
        else if (structural) throw fail();
        else add(readScalar(c, buf));
    }
    if (state === FINISH) return root;
    skipWhitespace(c);
  }
  throw fail();
}

function objectOf(members: [string, JsonValue][]): JsonObject {
  return { kind: 'object', members };
}
