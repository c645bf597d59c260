/**
 * JSON for the Open Inference REST API with every digit of 64-bit integers: `JSON.parse` and
 * `JSON.stringify` round integers past 2^53 to the nearest double (and refuse bigints).
 */

/** Integer literals this long may be past 2^53 (16 digits reach 10^15 ≤ 2^53 < 10^16). */
const LONG_INTEGER = /\d{16}/;
const BIG = '\u0000bigint';

/**
 * Parses a document like `JSON.parse`, except that an integer literal beyond 2^53 becomes a
 * bigint holding all its digits. Bodies without 16 consecutive digits take `JSON.parse` alone.
 * @throws SyntaxError as `JSON.parse`.
 */
export function parseV2Json(text: string): unknown {
  if (!LONG_INTEGER.test(text)) return JSON.parse(text);
  return JSON.parse(markLongIntegers(text), (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, BIG)) {
      const digits = (value as Record<string, string>)[BIG]!;
      const big = BigInt(digits);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    return value;
  });
}

/**
 * The text with each integer literal of 16 or more digits outside strings wrapped as
 * `{"\u0000bigint":"<digits>"}`, for the reviver to turn back into a bigint. Only what
 * `JSON.parse` then accepts matters: invalid text stays invalid.
 */
function markLongIntegers(text: string): string {
  const parts: string[] = [];
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    const negative = ch === 0x2d;
    if (!negative && !isDigit(ch)) continue;
    let end = negative ? i + 1 : i;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    const next = text.charCodeAt(end);
    const integer = next !== 0x2e && next !== 0x65 && next !== 0x45; // no `.`, `e`, `E`
    const start = negative ? i + 1 : i;
    // A leading zero is not JSON: left as it is, so JSON.parse still refuses it.
    if (integer && end - start >= 16 && text.charCodeAt(start) !== 0x30) {
      parts.push(text.slice(from, i), `{"${'\\u0000'}bigint":"${text.slice(i, end)}"}`);
      from = end;
    }
    // Past the whole token, fraction and exponent included, so their digits are not read again.
    while (end < text.length && /[\d.eE+-]/.test(text[end]!)) end++;
    i = end - 1;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

function isDigit(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

/**
 * Writes a document like `JSON.stringify`, except that bigints are written as JSON numbers with
 * all their digits (as int64 outputs must be).
 */
export function stringifyV2Json(doc: unknown): string {
  // Each bigint is written as the marker string first. A string of the document equal to the
  // marker is written the same way, so every occurrence, in document order, is noted as one or
  // the other (keys are followed by `:`, never matched).
  const isBigint: boolean[] = [];
  const digits: string[] = [];
  const text = JSON.stringify(doc, (_key, value: unknown) => {
    if (typeof value === 'bigint') {
      isBigint.push(true);
      digits.push(value.toString());
      return BIG;
    }
    if (value === BIG) isBigint.push(false);
    return value;
  });
  if (digits.length === 0) return text;
  let k = 0;
  let d = 0;
  return text.replace(/"\\u0000bigint"(?!:)/g, (marker) => (isBigint[k++] ? digits[d++]! : marker));
}
