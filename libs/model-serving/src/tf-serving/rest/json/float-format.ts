/** A positive finite number rounded to `precision` significant digits: `digits` × 10^(exp-precision+1). */
interface Rounded {
  readonly digits: string;
  readonly exp: number;
}

const view = new DataView(new ArrayBuffer(8));
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The exact value of a positive finite double as `n × 2^e`. */
function binary(value: number): { n: bigint; e: number } {
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { n: fraction, e: -1074 } : { n: fraction | (1n << 52n), e: biased - 1075 };
}

/** Exact decimal expansion, rounded half to even like glibc's printf. */
function exactRound(value: number, precision: number): Rounded {
  const { n, e } = binary(value);
  // value = n·2^e = (n·5^-e)·10^e for negative e: an integer times a power of ten.
  const [whole, scale] = e >= 0 ? [n << BigInt(e), 0] : [n * 5n ** BigInt(-e), e];
  let digits = whole.toString();
  let exp = digits.length - 1 + scale;
  if (digits.length <= precision) return { digits: digits.padEnd(precision, '0'), exp };
  const divisor = 10n ** BigInt(digits.length - precision);
  let q = whole / divisor;
  const r = whole % divisor;
  const half = divisor / 2n;
  if (r > half || (r === half && (q & 1n) === 1n)) q++;
  digits = q.toString();
  if (digits.length > precision) {
    digits = digits.slice(0, precision); // 99.96 → 100.0: the carry adds a digit
    exp++;
  }
  return { digits, exp };
}

/** V8's `toExponential`: exact, but ties go away from zero instead of to even. */
function roundHalfUp(value: number, precision: number): Rounded {
  const text = value.toExponential(precision - 1);
  const e = text.indexOf('e');
  return { digits: text.slice(0, e).replace('.', ''), exp: Number(text.slice(e + 1)) };
}

/**
 * Whether a float32 value lies exactly halfway between two `precision`-digit decimals. Its
 * exact expansion is M·5^q / 10^q (M odd, 2^q its binary denominator), which ends in 5 and has
 * as many digits as M·5^q: a tie needs exactly precision + 1 of them, so q stays small.
 */
function isFloat32Tie(value: number, precision: number): boolean {
  let m = value;
  let q = 0;
  for (; !Number.isInteger(m) && q <= 16; q++) m *= 2;
  // Integers have no such tie (a 5 before trailing zeros needs a factor 5 that 2^e lacks).
  if (q === 0 || !Number.isInteger(m)) return false;
  const product = m * 5 ** q;
  return product >= 10 ** precision && product < 10 ** (precision + 1);
}

/**
 * Rounds a positive double to `precision` digits, half to even. Only exact ties need the
 * BigInt expansion: a tie has precision + 1 digits ending in 5, which the one-digit-longer
 * form shows exactly (or, for float32 values, {@link isFloat32Tie} tells cheaply).
 */
function round(value: number, precision: number, float32 = false): Rounded {
  let tie: boolean;
  if (float32) tie = isFloat32Tie(value, precision);
  else {
    const longer = value.toExponential(precision);
    tie = longer.charCodeAt(longer.indexOf('e') - 1) === 0x35 && Number(longer) === value;
  }
  return tie ? exactRound(value, precision) : roundHalfUp(value, precision);
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x30) end--;
  return s.slice(0, end);
}

function layout({ digits, exp }: Rounded, precision: number): string {
  if (exp < -4 || exp >= precision) {
    const fraction = stripZeros(digits.slice(1));
    const e = exp < 0 ? -exp : exp;
    return `${digits.slice(0, 1)}${fraction ? `.${fraction}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `0.${stripZeros('0'.repeat(-exp - 1) + digits)}`;
  const fraction = stripZeros(digits.slice(exp + 1));
  return digits.slice(0, exp + 1) + (fraction ? `.${fraction}` : '');
}

/**
 * C's `printf("%.<precision>g", value)` for a finite double, exactly as glibc prints it
 * (round half to even on the exact binary value; `1e+06`, `1e-05`, trailing zeros dropped).
 */
export function formatG(value: number, precision: number): string {
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0`;
  return sign + layout(round(Math.abs(value), precision), precision);
}

/** Exact comparison of `digits × 10^scale` with a positive double. */
function compareDecimal(digits: string, scale: number, value: number): number {
  const { n, e } = binary(value);
  let left = BigInt(digits);
  let right = n;
  if (scale >= 0) left *= 10n ** BigInt(scale);
  else right *= 10n ** BigInt(-scale);
  if (e >= 0) right <<= BigInt(e);
  else left <<= BigInt(-e);
  return left === right ? 0 : left > right ? 1 : -1;
}

function adjacentFloat32(value: number, up: boolean): number {
  f32[0] = value;
  u32[0] = (u32[0] ?? 0) + (up ? 1 : -1);
  return f32[0] ?? NaN;
}

/**
 * Whether the decimal reads back as `target` with a correctly rounded decimal→float parse
 * (absl `SimpleAtof`). `Math.fround(Number(s))` rounds twice, which can only go wrong when the
 * double lands exactly between two floats; that case is settled exactly.
 */
function readsAsFloat32(rounded: Rounded, precision: number, target: number): boolean {
  const scale = rounded.exp - precision + 1;
  const d = Number(`${rounded.digits}e${scale}`);
  let f = Math.fround(d);
  if (f !== d && Number.isFinite(f)) {
    const other = adjacentFloat32(f, f < d);
    if (Number.isFinite(other) && d - f === other - d) {
      const side = compareDecimal(rounded.digits, scale, d);
      if (side !== 0) f = side > 0 === f > d ? f : other;
    }
  }
  return f === target;
}

/**
 * TF Serving's `WriteDecimal<float|double>`: `%g` (6 significant digits) when that reads back
 * as the same value, else `%.9g` for float32 / `%.17g` for float64 (max_digits10, not the
 * shortest form); `.0` is appended when there is neither `.` nor `e`. Non-finite values are
 * written raw as `NaN`, `Infinity`, `-Infinity`.
 * @example formatFloat(9000000, 'float32') === '9e+06'; formatFloat(1234567, 'float32') === '1234567.0'
 */
export function formatFloat(value: number, dtype: 'float32' | 'float64'): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const v = dtype === 'float32' ? Math.fround(value) : value;
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  const abs = Math.abs(v);
  if (dtype === 'float64') {
    let text = sign + layout(round(abs, 6), 6);
    if (Number(text) !== v) text = sign + layout(round(abs, 17), 17);
    return text.includes('.') || text.includes('e') ? text : `${text}.0`;
  }
  // A six-digit tie has exactly 7 digits, so the float is normal and the tie sits over 4 float
  // steps from both decimals: neither reads back, and its (half-up) rounding does not matter.
  const six = roundHalfUp(abs, 6);
  const text =
    sign + (readsAsFloat32(six, 6, abs) ? layout(six, 6) : layout(round(abs, 9, true), 9));
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}
