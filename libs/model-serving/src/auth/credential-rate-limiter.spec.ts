import { jest } from '@jest/globals';
import { CredentialRateLimiter } from './credential-rate-limiter.js';

describe('CredentialRateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('blocks past the limit for the window, per key', async () => {
    const limiter = new CredentialRateLimiter();
    const hit = (key: string) => limiter.increment(key, 1000, 2, 1000, 'auth');
    expect((await hit('a')).isBlocked).toBe(false);
    expect((await hit('a')).isBlocked).toBe(false);
    const blocked = await hit('a');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    expect((await hit('b')).isBlocked).toBe(false);
    jest.advanceTimersByTime(1001);
    expect((await hit('a')).isBlocked).toBe(false);
  });
});
