import { setImmediate } from 'node:timers/promises';
import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type ByteCursor, jsonParseError, readNumber, readNumberInto } from './json-number.js';
import { type PackedJsonArray, PackedNumbers, SCALAR_SHAPE } from './json-packed-array.js';
import { readString } from './json-string.js';
import { type JsonValue } from './json-value.js';

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

/**
 * An open array. While it is a dense block of numbers (see `PackedJsonArray`), its numbers
 * sit in the parser's `PackedNumbers` from `start` on, and `items` is unset; the first element
 * that breaks the block turns it into a plain list of values.
 */
class ArrayFrame {
  items: JsonValue[] | undefined;
  /** Elements so far, while dense. */
  size = 0;
  /** The shape of each element, while dense; unset until the first one. */
  inner: readonly number[] | undefined;

  constructor(readonly start: number) {}
}

class ObjectFrame {
  readonly members: [string, JsonValue][] = [];
  key = '';
}

type Frame = ArrayFrame | ObjectFrame;

/** Limits on a body's shape, checked while it is parsed. */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
  /** Most elements: array items plus object members, the root not counted. */
  readonly maxElements: number;
}

/** The message of a body past one of its {@link JsonLimits}, naming the option that sets it. */
export function jsonLimitMessage(limit: keyof JsonLimits, limits: JsonLimits): string {
  return limit === 'maxDepth'
    ? `The JSON body nests deeper than ${limits.maxDepth} levels (maxJsonDepth)`
    : `The JSON body has more than ${limits.maxElements} elements (maxJsonElements)`;
}

/** A body past one of its {@link JsonLimits}: refused before its parse is finished. */
export class JsonLimitError extends Error {}

const NO_LIMITS: JsonLimits = { maxDepth: Infinity, maxElements: Infinity };

/** Bytes parsed between two yields of {@link parseJsonAsync}: a few milliseconds of work. */
const SLICE_BYTES = 256 * 1024;

/** The most levels one dense block of numbers spans (a tensor's rank, in practice far fewer). */
const MAX_BLOCK_RANK = 32;

/** Bodies up to this size are parsed in one pass by {@link parseJsonAsync}, without yielding. */
const ONE_PASS_BYTES = 1024 * 1024;

/** Whether `shape` is that of a block of `size` elements of shape `inner`. */
function isBlockShape(shape: readonly number[], size: number, inner: readonly number[]): boolean {
  if (shape.length !== inner.length + 1 || shape[0] !== size) return false;
  for (let i = 0; i < inner.length; i++) if (shape[i + 1] !== inner[i]) return false;
  return true;
}

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
 * depth is unlimited (no recursion). Strings are not checked for valid UTF-8. Arrays of
 * numbers come back packed (`PackedJsonArray`).
 * @param input the body; a string is UTF-8 encoded first, so offsets always count bytes.
 * @param limits checked in the same pass: the first token past one of them stops the parse.
 * @throws InvalidInputError `JSON Parse error: <rapidjson message> at offset: <byte offset>`,
 *   or `JSON Parse error: The document is empty` for an empty body; JsonLimitError past a
 *   limit.
 */
export function parseJson(input: string | Uint8Array, limits = NO_LIMITS): JsonValue {
  const parser = new JsonParser(toBuffer(input), limits);
  parser.parse(Infinity); // without a limit it finishes or throws
  return parser.root;
}

/**
 * {@link parseJson} in slices of 256 KiB, yielding to the event loop between slices so that a
 * large body does not hold up other requests (a 50 MB body takes a few hundred ms to parse in
 * JS); a body up to 1 MiB (a few milliseconds) is parsed in one pass. Same result and errors as
 * {@link parseJson}.
 */
export async function parseJsonAsync(
  input: string | Uint8Array,
  limits = NO_LIMITS,
): Promise<JsonValue> {
  const parser = new JsonParser(toBuffer(input), limits);
  if (parser.size <= ONE_PASS_BYTES) {
    parser.parse(Infinity);
    return parser.root;
  }
  while (!parser.parse(parser.offset + SLICE_BYTES)) await setImmediate();
  return parser.root;
}

/** Whether {@link parseJsonAsync} parses `input` in one pass (it fits in one slice). */
export function parsesInOnePass(input: Uint8Array): boolean {
  return input.byteLength <= ONE_PASS_BYTES;
}

function toBuffer(input: string | Uint8Array): Buffer {
  const buf =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) throw new InvalidInputError('JSON Parse error: The document is empty');
  return buf;
}

/** rapidjson's iterative parser over a whole body, resumable at any token boundary. */
class JsonParser {
  root: JsonValue = { kind: 'null' };
  private readonly c: ByteCursor;
  private readonly stack: Frame[] = [];
  private top: Frame | undefined;
  private readonly numbers = new PackedNumbers();
  private state = START;
  /** Array items and object members so far. */
  private elements = 0;
  /** Where the current slice of {@link parse} ends. */
  private sliceEnd = Infinity;

  constructor(
    private readonly buf: Buffer,
    private readonly limits: JsonLimits,
  ) {
    this.c = { bytes: buf, pos: 0 };
    // The UTF-8 MemoryStream wrapper drops EF, BB and BF in turn; offsets still count them.
    for (const bomByte of [0xef, 0xbb, 0xbf]) if (peek(this.c) === bomByte) this.c.pos++;
    skipWhitespace(this.c);
  }

  get offset(): number {
    return this.c.pos;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Parses tokens until the root value is complete (true) or `limit` is passed (false). */
  parse(limit: number): boolean {
    const { c } = this;
    this.sliceEnd = limit;
    while (peek(c) !== 0) {
      if (c.pos >= limit) return false;
      this.step(peek(c));
      if (this.state === FINISH) return true;
      skipWhitespace(c);
    }
    throw this.fail();
  }

  private fail(): InvalidInputError {
    return jsonParseError(STATE_ERRORS[this.state] ?? '', this.c.pos);
  }

  private step(b: number): void {
    const { c } = this;
    const structural =
      b === 0x5b || b === 0x5d || b === 0x7b || b === 0x7d || b === 0x2c || b === 0x3a;
    switch (this.state) {
      case OBJECT_INITIAL:
      case MEMBER_VALUE:
        if (b === 0x7d) this.closeObject();
        else if (this.state === OBJECT_INITIAL && b === QUOTE) this.readKey();
        else if (this.state === MEMBER_VALUE && b === 0x2c) {
          c.pos++;
          this.state = MEMBER_DELIMITER;
        } else throw this.fail();
        break;
      case MEMBER_DELIMITER:
        // `{"a":1,}` fails at the `}` with the same message as any other non-key token.
        if (b !== QUOTE) throw this.fail();
        this.readKey();
        break;
      case MEMBER_KEY:
        if (b !== 0x3a) throw this.fail();
        c.pos++;
        this.state = KEY_VALUE_DELIMITER;
        break;
      case ELEMENT:
        if (b === 0x5d) this.closeArray();
        else if (b === 0x2c) {
          c.pos++;
          this.state = ELEMENT_DELIMITER;
        } else throw this.fail();
        break;
      default: // START, KEY_VALUE_DELIMITER, ARRAY_INITIAL, ELEMENT_DELIMITER: a value is due
        if (
          (this.state === ELEMENT_DELIMITER || (this.state === ARRAY_INITIAL && b !== 0x5d)) &&
          ++this.elements > this.limits.maxElements
        ) {
          throw new JsonLimitError(jsonLimitMessage('maxElements', this.limits));
        }
        if (b === 0x5b) this.openArray();
        else if (b === 0x7b) this.openObject();
        else if (b === 0x5d && this.state === ARRAY_INITIAL) this.closeArray();
        else if (structural) throw this.fail();
        else this.addScalar(b);
    }
  }

  /** A non-container token; a number joins the open block when it packs and the block takes numbers. */
  private addScalar(b: number): void {
    const { top } = this;
    if (
      b === QUOTE ||
      b === 0x6e ||
      b === 0x74 ||
      b === 0x66 ||
      !(top instanceof ArrayFrame) ||
      top.items !== undefined ||
      (top.size !== 0 && top.inner !== SCALAR_SHAPE)
    ) {
      return this.add(readScalar(this.c, this.buf));
    }
    const unpacked = readNumberInto(this.c, this.numbers);
    if (unpacked !== undefined) return this.add(unpacked);
    top.size++;
    top.inner = SCALAR_SHAPE;
    this.state = ELEMENT;
    this.readNumberRun(top);
  }

  /**
   * The rest of a run of numbers in a dense list, each `, <number>` read here rather than
   * through {@link step} (most of a tensor's bytes). Anything else, a `]` or a token in error
   * included, is left to the state machine in the state it expects, so results, limits and
   * error offsets are the same.
   */
  private readNumberRun(top: ArrayFrame): void {
    const { c, numbers, limits } = this;
    const bytes = c.bytes;
    while (c.pos < this.sliceEnd) {
      skipWhitespace(c);
      if (bytes[c.pos] !== 0x2c) return;
      c.pos++;
      this.state = ELEMENT_DELIMITER;
      skipWhitespace(c);
      const b = bytes[c.pos] ?? 0;
      if (!((b >= 0x30 && b <= 0x39) || b === 0x2d)) return;
      if (++this.elements > limits.maxElements) {
        throw new JsonLimitError(jsonLimitMessage('maxElements', limits));
      }
      const unpacked = readNumberInto(c, numbers);
      if (unpacked !== undefined) return this.add(unpacked);
      top.size++;
      this.state = ELEMENT;
    }
  }

  /** Adds a value that is not part of a dense block (so it ends the enclosing one). */
  private add(value: JsonValue): void {
    const { top } = this;
    if (top === undefined) {
      this.root = value;
      this.state = FINISH;
    } else if (top instanceof ArrayFrame) {
      this.state = ELEMENT;
      (top.items ?? this.unpack(top)).push(value);
    } else {
      top.members.push([top.key, value]);
      this.state = MEMBER_VALUE;
    }
  }

  /** Turns a dense array into a plain list of its elements so far. */
  private unpack(frame: ArrayFrame): JsonValue[] {
    const { inner } = frame;
    frame.items = inner === undefined ? [] : [...this.take(frame).items];
    return frame.items;
  }

  private openArray(): void {
    this.push(new ArrayFrame(this.numbers.count));
    this.state = ARRAY_INITIAL;
    this.c.pos++;
  }

  private openObject(): void {
    this.push(new ObjectFrame());
    this.state = OBJECT_INITIAL;
    this.c.pos++;
  }

  private push(frame: Frame): void {
    if (this.stack.length >= this.limits.maxDepth) {
      throw new JsonLimitError(jsonLimitMessage('maxDepth', this.limits));
    }
    this.stack.push(frame);
    this.top = frame;
  }

  private pop(): Frame | undefined {
    const frame = this.stack.pop();
    this.top = this.stack[this.stack.length - 1];
    return frame;
  }

  private closeObject(): void {
    const frame = this.pop();
    this.c.pos++;
    if (frame instanceof ObjectFrame) this.add({ kind: 'object', members: frame.members });
  }

  private closeArray(): void {
    const frame = this.pop();
    this.c.pos++;
    if (!(frame instanceof ArrayFrame)) return;
    if (frame.items !== undefined) return this.add({ kind: 'array', items: frame.items });
    const inner = frame.inner ?? SCALAR_SHAPE;
    const { top } = this;
    // Past MAX_BLOCK_RANK levels the outer lists stay plain, so that each list costs at most
    // that much shape work however deep the nesting goes.
    if (top instanceof ArrayFrame && top.items === undefined && inner.length < MAX_BLOCK_RANK) {
      // One more element of the enclosing block: its numbers stay where they are.
      if (top.inner === undefined) top.inner = [frame.size, ...inner];
      else if (!isBlockShape(top.inner, frame.size, inner)) return this.add(this.take(frame));
      top.size++;
      this.state = ELEMENT;
      return;
    }
    this.add(this.take(frame));
  }

  /** A dense array's block, out of the shared buffer. */
  private take(frame: ArrayFrame): PackedJsonArray {
    return this.numbers.take(frame.start, [frame.size, ...(frame.inner ?? SCALAR_SHAPE)]);
  }

  private readKey(): void {
    if (++this.elements > this.limits.maxElements) {
      throw new JsonLimitError(jsonLimitMessage('maxElements', this.limits));
    }
    const { top } = this;
    if (top instanceof ObjectFrame) top.key = readString(this.c, this.buf).value;
    this.state = MEMBER_KEY;
  }
}
