import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InferenceService } from '../../models/inference.service.js';
import { ModelRegistry } from '../../models/model.registry.js';
import { PredictionLogObserver } from './prediction-log.observer.js';

/**
 * Attaches the prediction log to the run path; each call reads its model's current
 * `predictionLog`, so a config reload turns it on or off. The files are flushed and closed in
 * `onApplicationShutdown`, after the drain has answered every call.
 */
@Injectable()
export class PredictionLogSubscriber implements OnModuleInit, OnApplicationShutdown {
  readonly observer: PredictionLogObserver;
  private remove?: () => void;

  constructor(
    private readonly inference: InferenceService,
    registry: ModelRegistry,
  ) {
    this.observer = new PredictionLogObserver((model) => registry.config(model)?.predictionLog);
  }

  onModuleInit(): void {
    this.remove = this.inference.addObserver(this.observer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.remove?.();
    await this.observer.close();
  }
}
