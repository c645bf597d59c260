const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function isPad(b: number): boolean {
  return b === 0x3d || b === 0x2e; // '=' and, in absl, also '.'
}

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d); // absl::ascii_isspace
}

/**
 * absl `Base64Unescape`, as TF Serving decodes `{"b64": ...}`: the standard alphabet only,
 * whitespace anywhere is skipped, padding (`=` or `.`) is optional but must be complete when
 * present, leftover bits are ignored, and a single dangling character is an error.
 * @returns the bytes, or `undefined` when absl would fail.
 */
export function base64Unescape(src: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 2);
  let length = 0;
  let state = 0;
  let temp = 0;
  let i = 0;
  for (; i < src.length; i++) {
    const b = src[i] ?? 0;
    const d = DECODE[b] ?? -1;
    if (d < 0) {
      if (isSpace(b)) continue;
      if (isPad(b)) break;
      return undefined;
    }
    temp = (temp << 6) | d;
    if (++state === 4) {
      out[length++] = (temp >> 16) & 0xff;
      out[length++] = (temp >> 8) & 0xff;
      out[length++] = temp & 0xff;
      state = 0;
      temp = 0;
    }
  }
  let expectedPads = 0;
  if (state === 1) return undefined;
  if (state === 2) {
    out[length++] = (temp >> 4) & 0xff;
    expectedPads = 2;
  } else if (state === 3) {
    out[length++] = (temp >> 10) & 0xff;
    out[length++] = (temp >> 2) & 0xff;
    expectedPads = 1;
  }
  let pads = 0;
  for (; i < src.length; i++) {
    const b = src[i] ?? 0;
    if (isPad(b)) pads++;
    else if (!isSpace(b)) return undefined;
  }
  return pads === 0 || pads === expectedPads ? out.slice(0, length) : undefined;
}

/** absl `Base64Escape`: the standard alphabet with `=` padding. */
export function base64Escape(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
