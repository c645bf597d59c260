import { HealthIndicatorService } from '@nestjs/terminus';
import { DEFAULT_MAX_EVENT_LOOP_LAG_MS, EventLoopHealthIndicator } from './event-loop.indicator.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the event loop busy for `ms`, as a stuck synchronous call would. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

describe('EventLoopHealthIndicator', () => {
  it('defaults its threshold to 5 s', () => {
    expect(new EventLoopHealthIndicator(new HealthIndicatorService()).maxLagMs).toBe(
      DEFAULT_MAX_EVENT_LOOP_LAG_MS,
    );
  });

  it('reports the lag it measured, and turns down past its threshold', async () => {
    const indicator = new EventLoopHealthIndicator(new HealthIndicatorService(), {
      maxEventLoopLagMs: 200,
    });
    indicator.onModuleInit();
    try {
      await sleep(300);
      expect(indicator.check()).toEqual({
        eventLoop: { status: 'up', lagMs: expect.any(Number), maxLagMs: 200 },
      });

      block(600);
      // Asked right after the stall, before the sampler ran again: the stall counts already.
      const stalled = indicator.check()['eventLoop']!;
      expect(stalled.status).toBe('down');
      expect(stalled['lagMs']).toBeGreaterThanOrEqual(400);
      expect(stalled['message']).toMatch(/^event loop lag [\d.]+ ms over 200 ms$/);

      // The sampler recorded it: the stall is reported for the window that follows.
      await sleep(300);
      expect(indicator.check()['eventLoop']!['lagMs']).toBeGreaterThanOrEqual(400);
    } finally {
      indicator.onApplicationShutdown();
    }
    expect(indicator.lagMs).toBe(0);
  });
});
