import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InferenceService } from '../models/inference.service.js';
import { ModelRegistry } from '../models/model.registry.js';
import { EventLoopLagMetric } from './event-loop-lag.metric.js';
import { ModelServingMetricsObserver } from './metrics.observer.js';

/**
 * Subscribes the app's metrics observer to the run path and the registry's version records in
 * `onModuleInit` (before the first versions load in `onApplicationBootstrap`), and starts the
 * event-loop sampler. It lets go in `onApplicationShutdown`, not `onModuleDestroy`: calls drained
 * in `beforeApplicationShutdown` still count.
 */
@Injectable()
export class ModelServingMetricsSubscriber implements OnModuleInit, OnApplicationShutdown {
  private readonly removers: (() => unknown)[] = [];

  constructor(
    @Inject(ModelServingMetricsObserver) private readonly observer: ModelServingMetricsObserver,
    @Inject(EventLoopLagMetric) private readonly eventLoopLag: EventLoopLagMetric,
    private readonly inference: InferenceService,
    private readonly registry: ModelRegistry,
  ) {}

  onModuleInit(): void {
    if (this.removers.length > 0) return;
    this.removers.push(
      this.inference.addObserver(this.observer),
      this.registry.onVersion((record) => this.observer.observeVersion(record)),
    );
    this.eventLoopLag.start();
  }

  onApplicationShutdown(): void {
    for (const remove of this.removers.splice(0)) remove();
    this.eventLoopLag.stop();
  }
}
