import { type FactoryProvider } from '@nestjs/common';
import { register, type Registry } from 'prom-client';
import { createMetricsProviders, MODEL_SERVING_METRICS_REGISTRY } from './metrics.providers.js';

function makeRegistry(defaultMetrics?: boolean): Registry {
  const provider = createMetricsProviders({ defaultMetrics }).find(
    (p): p is FactoryProvider<Registry> =>
      typeof p === 'object' && 'provide' in p && p.provide === MODEL_SERVING_METRICS_REGISTRY,
  );
  return provider!.useFactory() as Registry;
}

describe('createMetricsProviders', () => {
  it("makes a fresh registry per app, never prom-client's global one", () => {
    const a = makeRegistry();
    const b = makeRegistry();
    expect(a).not.toBe(b);
    expect(a).not.toBe(register);
    expect(a.getMetricsAsArray()).toEqual([]);
  });

  it("adds prom-client's default metrics to the app's registry only when asked", async () => {
    const before = register.getMetricsAsArray().length;
    const text = await makeRegistry(true).metrics();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(register.getMetricsAsArray()).toHaveLength(before);
  });
});
