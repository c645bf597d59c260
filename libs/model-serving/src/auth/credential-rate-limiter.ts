import { Injectable } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  /** When each counted request expires (ms since the epoch), oldest first. */
  hits: number[];
  blockedUntil: number;
}

/** Sweep idle credentials once per this many requests, so the map only holds active ones. */
const SWEEP_EVERY = 1024;

/**
 * `@nestjs/throttler`'s storage contract, counted per credential in memory with a sliding window
 * and no timers (expired hits are dropped as requests arrive). Bind another `ThrottlerStorage`
 * (a shared store) to `MODEL_SERVING_RATE_LIMITER` to count across replicas. The throttler's own
 * `ThrottlerStorageService` is not used directly: its CommonJS build cannot load the ESM Nest
 * core under every runner.
 */
@Injectable()
export class CredentialRateLimiter implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private sinceSweep = 0;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    const id = `${throttlerName}:${key}`;
    const window = this.windows.get(id) ?? { hits: [], blockedUntil: 0 };
    this.windows.set(id, window);
    window.hits = window.hits.filter((expiresAt) => expiresAt > now);
    if (window.blockedUntil <= now) {
      window.hits.push(now + ttl);
      if (window.hits.length > limit) window.blockedUntil = now + blockDuration;
    }
    const isBlocked = window.blockedUntil > now;
    return Promise.resolve({
      totalHits: window.hits.length,
      timeToExpire: Math.ceil(((window.hits[0] ?? now) - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    });
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [id, window] of this.windows) {
      if (window.blockedUntil <= now && window.hits.every((expiresAt) => expiresAt <= now))
        this.windows.delete(id);
    }
  }
}
