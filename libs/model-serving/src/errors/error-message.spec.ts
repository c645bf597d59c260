import { capErrorMessage, MAX_ERROR_MESSAGE_CHARS } from './error-message.js';

describe('capErrorMessage', () => {
  it('keeps a message up to the cap', () => {
    const message = 'm'.repeat(MAX_ERROR_MESSAGE_CHARS);
    expect(capErrorMessage(message)).toBe(message);
  });

  it('cuts a longer one and says so', () => {
    const capped = capErrorMessage(`Servable not found for request: ${'x'.repeat(5_000_000)}`);
    expect(capped.length).toBe(MAX_ERROR_MESSAGE_CHARS + '… (cut)'.length);
    expect(capped.startsWith('Servable not found for request: xxx')).toBe(true);
    expect(capped.endsWith('x… (cut)')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const capped = capErrorMessage(`${'a'.repeat(MAX_ERROR_MESSAGE_CHARS - 1)}😀${'b'.repeat(10)}`);
    expect(capped).toBe(`${'a'.repeat(MAX_ERROR_MESSAGE_CHARS - 1)}… (cut)`);
  });
});
