// rapidjson 1.1.0 writes doubles with Grisu2 (`internal/dtoa.h`), which is short but not always
// the shortest round-trip form, so JS `String(x)` can differ in its last digit. This is a
// from-scratch BigInt rendering of that algorithm, used only for error messages.

const M64 = (1n << 64n) - 1n;
const HIDDEN_BIT = 1n << 52n;
const POW10_32 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

interface DiyFp {
  readonly f: bigint;
  readonly e: number;
}

let cachedPowers: DiyFp[] | undefined;

/** 10^k for k = -348, -340, ..., 340 as 64-bit normalized significands, rounded to nearest. */
function cachedPower(index: number): DiyFp {
  cachedPowers ??= Array.from({ length: 87 }, (_, i) => {
    const k = -348 + 8 * i;
    const [num, den] = k >= 0 ? [10n ** BigInt(k), 1n] : [1n, 10n ** BigInt(-k)];
    let e = num.toString(2).length - den.toString(2).length - 64;
    const scaled = (): [bigint, bigint] =>
      e >= 0 ? [num, den << BigInt(e)] : [num << BigInt(-e), den];
    for (let [n, d] = scaled(); n / d >= 1n << 64n; [n, d] = scaled()) e++;
    for (let [n, d] = scaled(); n / d < 1n << 63n; [n, d] = scaled()) e--;
    const [n, d] = scaled();
    let f = n / d;
    if ((n % d) * 2n >= d) f++;
    if (f >> 64n !== 0n) {
      f >>= 1n;
      e++;
    }
    return { f, e };
  });
  const power = cachedPowers[index];
  if (power === undefined) throw new RangeError(`no cached power ${index}`);
  return power;
}

function multiply(a: DiyFp, b: DiyFp): DiyFp {
  const p = a.f * b.f;
  let h = p >> 64n;
  if ((p & M64) >> 63n === 1n) h++; // round the dropped half
  return { f: h & M64, e: a.e + b.e + 64 };
}

function normalize(x: DiyFp): DiyFp {
  const shift = 64 - x.f.toString(2).length;
  return { f: (x.f << BigInt(shift)) & M64, e: x.e - shift };
}

function decompose(value: number): DiyFp {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const significand = bits & (HIDDEN_BIT - 1n);
  return biased !== 0
    ? { f: significand + HIDDEN_BIT, e: biased - 1075 }
    : { f: significand, e: -1074 };
}

function boundaries(v: DiyFp): [DiyFp, DiyFp] {
  let plus: DiyFp = { f: (v.f << 1n) + 1n, e: v.e - 1 };
  while ((plus.f & (HIDDEN_BIT << 1n)) === 0n) plus = { f: plus.f << 1n, e: plus.e - 1 };
  plus = { f: (plus.f << 10n) & M64, e: plus.e - 10 };
  const minus: DiyFp =
    v.f === HIDDEN_BIT ? { f: (v.f << 2n) - 1n, e: v.e - 2 } : { f: (v.f << 1n) - 1n, e: v.e - 1 };
  return [{ f: (minus.f << BigInt(minus.e - plus.e)) & M64, e: plus.e }, plus];
}

/** rapidjson `GrisuRound`: walks the last digit down while that brings it closer to the value. */
function round(digits: number[], delta: bigint, rest: bigint, tenKappa: bigint, wpW: bigint): void {
  const closer = (): boolean => {
    const sum = (rest + tenKappa) & M64;
    return sum < wpW || wpW - rest > ((sum - wpW) & M64);
  };
  while (rest < wpW && delta - rest >= tenKappa && closer()) {
    digits[digits.length - 1] = (digits[digits.length - 1] ?? 0) - 1;
    rest += tenKappa;
  }
}

/** Grisu2 digit generation; returns the digits and the decimal exponent K of the last one. */
function grisu2(value: number): { digits: number[]; k: number } {
  const v = decompose(value);
  const [wMinus, wPlus] = boundaries(v);
  const dk = (-61 - wPlus.e) * 0.30102999566398114 + 347;
  let kIndex = Math.trunc(dk);
  if (dk - kIndex > 0) kIndex++;
  const index = (kIndex >> 3) + 1;
  let k = -(-348 + index * 8);
  const cMk = cachedPower(index);
  const w = multiply(normalize(v), cMk);
  const wp = multiply(wPlus, cMk);
  const wm = multiply(wMinus, cMk);
  const mp: DiyFp = { f: (wp.f - 1n) & M64, e: wp.e };
  let delta = (mp.f - (wm.f + 1n)) & M64;

  const shift = BigInt(-mp.e);
  const one = 1n << shift;
  const wpW = (mp.f - w.f) & M64;
  let p1 = Number(mp.f >> shift);
  let p2 = mp.f & (one - 1n);
  let kappa = Math.min(9, String(p1).length);
  const digits: number[] = [];
  while (kappa > 0) {
    const unit = POW10_32[kappa - 1] ?? 1;
    const d = Math.floor(p1 / unit);
    p1 %= unit;
    if (d !== 0 || digits.length > 0) digits.push(d);
    kappa--;
    const tmp = (BigInt(p1) << shift) + p2;
    if (tmp <= delta) {
      k += kappa;
      round(digits, delta, tmp, (BigInt(POW10_32[kappa] ?? 1) << shift) & M64, wpW);
      return { digits, k };
    }
  }
  for (;;) {
    p2 = (p2 * 10n) & M64;
    delta = (delta * 10n) & M64;
    const d = Number(p2 >> shift);
    if (d !== 0 || digits.length > 0) digits.push(d);
    p2 &= one - 1n;
    kappa--;
    if (p2 < delta) {
      k += kappa;
      const scale = -kappa < 9 ? BigInt(POW10_32[-kappa] ?? 0) : 0n;
      round(digits, delta, p2, one, (wpW * scale) & M64);
      return { digits, k };
    }
  }
}

/** rapidjson `Prettify` with the default 324 maximum decimal places (which never truncates). */
function prettify(digits: string, k: number): string {
  const length = digits.length;
  const kk = length + k; // 10^(kk-1) <= v < 10^kk
  if (k >= 0 && kk <= 21) return `${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 21) return `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -6 && kk <= 0) return `0.${'0'.repeat(-kk)}${digits}`;
  const mantissa = length === 1 ? digits : `${digits[0] ?? ''}.${digits.slice(1)}`;
  return `${mantissa}e${kk - 1}`;
}

/**
 * A finite double as rapidjson 1.1.0 `Writer::Double` writes it: `1.0`, `0.001`, `1e-7`,
 * `1.5e30`, `-0.0`.
 */
export function grisuDtoa(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const { digits, k } = grisu2(Math.abs(value));
  return (value < 0 ? '-' : '') + prettify(digits.join(''), k);
}
