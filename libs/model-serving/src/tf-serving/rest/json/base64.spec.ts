import { base64Escape, base64Unescape } from './base64.js';

const decode = (text: string): string | undefined => {
  const bytes = base64Unescape(Buffer.from(text, 'latin1'));
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('latin1');
};

// Outcomes checked against absl's Base64Unescape.
describe('base64Unescape', () => {
  it.each([
    ['aGk=', 'hi'],
    ['aGk', 'hi'],
    ['eW8=', 'yo'],
    ['', ''],
    ['aGVsbG8=', 'hello'],
    [' aG\nVs bG8 = ', 'hello'],
    ['aGk.', 'hi'], // absl also takes '.' as padding
    ['aGl=', 'hi'], // leftover bits are ignored
    ['YQ==', 'a'],
    ['YQ', 'a'],
  ])('%j decodes to %j', (text, bytes) => {
    expect(decode(text)).toBe(bytes);
  });

  it.each([
    'a', // a single dangling character
    'YQ=', // incomplete padding
    'YQ===',
    'aGk==',
    'aGVsbG8=x',
    'aG-k', // URL-safe alphabet is not accepted
    'aG_k',
    'aG\u0000k',
    'AAAA=',
    '=',
  ])('%j fails', (text) => {
    expect(decode(text)).toBeUndefined();
  });
});

describe('base64Escape', () => {
  it('pads with =', () => {
    expect(base64Escape(Buffer.from('hi'))).toBe('aGk=');
    expect(base64Escape(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });
});
