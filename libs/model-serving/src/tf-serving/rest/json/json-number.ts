import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { PACKED_DOUBLE, PACKED_INT32, type PackedNumbers } from './json-packed-array.js';
import { type JsonValue } from './json-value.js';

/** A read position over UTF-8 bytes; a NUL byte or the end reads as 0, as rapidjson's stream. */
export interface ByteCursor {
  readonly bytes: Uint8Array;
  pos: number;
}

/** TF Serving's text for a rapidjson parse error (`reason` is rapidjson's English message). */
export function jsonParseError(reason: string, offset: number): InvalidInputError {
  return new InvalidInputError(`JSON Parse error: ${reason} at offset: ${offset}`, { offset });
}

const ZERO = 0x30;
const NINE = 0x39;
const MAX_SAFE = 9007199254740991; // 2^53 - 1, rapidjson's fast-path bound for the significand
const INT64_LIMIT = 0x0cccccccccccccccn; // (2^63) / 10
const UINT64_LIMIT = 0x1999999999999999n; // (2^64 - 1) / 10
const INT64_MAX = 0x7fffffffffffffffn;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);
const POW10: readonly number[] = Array.from({ length: 309 }, (_, n) => Number(`1e${n}`));

function peek(c: ByteCursor): number {
  return c.bytes[c.pos] ?? 0;
}

function isDigit(b: number): boolean {
  return b >= ZERO && b <= NINE;
}

function consume(c: ByteCursor, ch: string): boolean {
  if (peek(c) !== ch.charCodeAt(0)) return false;
  c.pos++;
  return true;
}

function consumeAll(c: ByteCursor, text: string): boolean {
  for (const ch of text) if (!consume(c, ch)) return false;
  return true;
}

function pow10(n: number): number {
  return POW10[n] ?? Infinity;
}

/** rapidjson 1.1.0 `FastPath`: one multiply or divide by an exactly rounded 10^n. */
function fastPath(significand: number, exp: number): number {
  if (exp < -308) return 0;
  return exp >= 0 ? significand * pow10(exp) : significand / pow10(-exp);
}

/** rapidjson 1.1.0 `StrtodNormalPrecision` (two steps below 10^-308). */
function strtodNormalPrecision(d: number, p: number): number {
  return p < -308 ? fastPath(fastPath(d, -308), p + 308) : fastPath(d, p);
}

function int(value: number | bigint, negative: boolean): JsonValue {
  if (typeof value === 'number') {
    const num = negative && value !== 0 ? -value : value; // `-0` is the integer 0
    const int32 = num >= -2147483648 && num <= 2147483647;
    return { kind: 'int', value: num, big: undefined, int32, int64: true };
  }
  // Only magnitudes past 2^31 (negative) or 2^32 reach 64 bits, so never int32.
  const big = negative ? -value : value;
  const safe = big <= MAX_SAFE_BIG && big >= -MAX_SAFE_BIG;
  return {
    kind: 'int',
    value: Number(big),
    big: safe ? undefined : big,
    int32: false,
    int64: big <= INT64_MAX,
  };
}

/**
 * Reads one number the way rapidjson 1.1.0 `ParseNumber` does with `kParseNanAndInfFlag` and
 * without `kParseFullPrecisionFlag`: integers become Int/Uint/Int64/Uint64, anything else a
 * double built from at most 17 significant digits times an exact power of ten (so a few
 * long literals round differently from `Number()`, as in TF Serving).
 * @throws InvalidInputError with rapidjson's message and byte offset.
 */
export function readNumber(c: ByteCursor): JsonValue {
  if (!scanShortNumber(c, SHORT)) return readAnyNumber(c);
  return SHORT.int
    ? { kind: 'int', value: SHORT.value, big: undefined, int32: true, int64: true }
    : { kind: 'double', value: SHORT.value };
}

/**
 * {@link readNumber}, appending the number to `out` when it packs (no value object is made
 * for the common case).
 * @returns `undefined` when appended, else the number (an integer past 2^53) to add as is.
 * @throws InvalidInputError as {@link readNumber}.
 */
export function readNumberInto(c: ByteCursor, out: PackedNumbers): JsonValue | undefined {
  if (scanShortNumber(c, SHORT)) {
    out.push(SHORT.value, SHORT.int ? PACKED_INT32 : PACKED_DOUBLE);
    return undefined;
  }
  const value = readAnyNumber(c);
  return out.pushValue(value) ? undefined : value;
}

/** What {@link scanShortNumber} read: an int32 integer or a double, sign applied. */
interface ShortNumber {
  value: number;
  int: boolean;
}

// One result reused by every read (parsing is synchronous), so the common case allocates nothing.
const SHORT: ShortNumber = { value: 0, int: false };

/**
 * The common case, at most 9 integer digits and 15 digits in all, no exponent: every step of
 * rapidjson's algorithm is exact there, leaving one division by 10^k. False (and `c` unmoved)
 * for any other number.
 */
function scanShortNumber(c: ByteCursor, out: ShortNumber): boolean {
  const b = c.bytes;
  let p = c.pos;
  const minus = b[p] === 0x2d;
  if (minus) p++;
  let ch = b[p] ?? 0;
  if (!isDigit(ch)) return false;
  let m = ch - ZERO;
  let digits = 1;
  ch = b[++p] ?? 0;
  if (m !== 0) {
    for (; isDigit(ch) && digits <= 9; ch = b[++p] ?? 0, digits++) m = m * 10 + (ch - ZERO);
    if (digits > 9) return false;
  }
  let fraction = 0;
  if (ch === 0x2e) {
    ch = b[++p] ?? 0;
    for (; isDigit(ch) && digits + fraction < 16; ch = b[++p] ?? 0, fraction++) {
      m = m * 10 + (ch - ZERO);
    }
    if (fraction === 0 || digits + fraction > 15) return false;
  }
  if (ch === 0x65 || ch === 0x45 || isDigit(ch)) return false;
  c.pos = p;
  if (fraction === 0) {
    // At most 9 digits: always within int32; `-0` is the integer 0.
    out.value = minus && m !== 0 ? -m : m;
    out.int = true;
  } else {
    const v = m / pow10(fraction);
    out.value = minus ? -v : v;
    out.int = false;
  }
  return true;
}

function readAnyNumber(c: ByteCursor): JsonValue {
  const start = c.pos;
  const minus = consume(c, '-');
  let i = 0;
  let i64 = 0n;
  let use64 = false;
  let useDouble = false;
  let useNanOrInf = false;
  let d = 0;
  let significandDigit = 0;
  const first = peek(c);
  if (first === ZERO) {
    c.pos++;
  } else if (first > ZERO && first <= NINE) {
    i = first - ZERO;
    c.pos++;
    // The uint32 accumulator spills to 64 bits where rapidjson's does (2^31 or 2^32).
    const [limit, lastDigit] = minus ? [214748364, 0x38] : [429496729, 0x35];
    while (isDigit(peek(c))) {
      if (i >= limit && (i !== limit || peek(c) > lastDigit)) {
        i64 = BigInt(i);
        use64 = true;
        break;
      }
      i = i * 10 + (peek(c) - ZERO);
      c.pos++;
      significandDigit++;
    }
  } else if (first === 0x49 || first === 0x4e) {
    useNanOrInf = true;
    // Same short-circuit order as rapidjson: a failed `NaN` goes on to try `Inf` in place.
    if (consumeAll(c, 'NaN')) {
      d = NaN;
    } else if (consumeAll(c, 'Inf')) {
      d = minus ? -Infinity : Infinity;
      if (peek(c) === 0x69 && !consumeAll(c, 'inity'))
        throw jsonParseError('Invalid value.', c.pos);
    } else {
      throw jsonParseError('Invalid value.', c.pos);
    }
  } else {
    throw jsonParseError('Invalid value.', c.pos);
  }

  if (use64) {
    const [limit, lastDigit] = minus ? [INT64_LIMIT, 0x38] : [UINT64_LIMIT, 0x35];
    while (isDigit(peek(c))) {
      if (i64 >= limit && (i64 !== limit || peek(c) > lastDigit)) {
        d = Number(i64);
        useDouble = true;
        break;
      }
      i64 = i64 * 10n + BigInt(peek(c) - ZERO);
      c.pos++;
      significandDigit++;
    }
  }
  if (useDouble) {
    while (isDigit(peek(c))) {
      if (d >= Number.MAX_VALUE / 10)
        throw jsonParseError('Number too big to be stored in double.', start);
      d = d * 10 + (peek(c) - ZERO);
      c.pos++;
    }
  }

  let expFrac = 0;
  if (consume(c, '.')) {
    if (!isDigit(peek(c))) throw jsonParseError('Miss fraction part in number.', c.pos);
    if (!useDouble) {
      // Exact 64-bit significand while it stays below 2^53 (plain numbers until they might not be exact).
      let m: number | bigint = use64 ? i64 : i;
      while (isDigit(peek(c))) {
        if (m > MAX_SAFE) break;
        const digit = peek(c) - ZERO;
        m =
          typeof m === 'number' && m <= 900719925474098
            ? m * 10 + digit
            : BigInt(m) * 10n + BigInt(digit);
        c.pos++;
        expFrac--;
        if (typeof m === 'bigint' ? m !== 0n : m !== 0) significandDigit++;
      }
      d = Number(m);
      useDouble = true;
    }
    while (isDigit(peek(c))) {
      if (significandDigit < 17) {
        d = d * 10 + (peek(c) - ZERO);
        expFrac--;
        if (d > 0) significandDigit++;
      }
      c.pos++;
    }
  }

  let exp = 0;
  if (consume(c, 'e') || consume(c, 'E')) {
    if (!useDouble) {
      d = use64 ? Number(i64) : i;
      useDouble = true;
    }
    let expMinus = false;
    if (!consume(c, '+')) expMinus = consume(c, '-');
    if (!isDigit(peek(c))) throw jsonParseError('Miss exponent in number.', c.pos);
    exp = peek(c) - ZERO;
    c.pos++;
    const maxExp = 308 - expFrac;
    while (isDigit(peek(c))) {
      exp = exp * 10 + (peek(c) - ZERO);
      c.pos++;
      if (expMinus && exp >= 214748364) {
        while (isDigit(peek(c))) c.pos++;
      } else if (!expMinus && exp > maxExp) {
        throw jsonParseError('Number too big to be stored in double.', start);
      }
    }
    if (expMinus) exp = -exp;
  }

  if (useDouble) {
    const v = strtodNormalPrecision(d, exp + expFrac);
    return { kind: 'double', value: minus ? -v : v };
  }
  if (useNanOrInf) return { kind: 'double', value: d };
  return use64 ? int(i64, minus) : int(i, minus);
}
