import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InferenceService } from '../../models/inference.service.js';
import { ModelRegistry } from '../../models/model.registry.js';
import { PredictionLogObserver } from './prediction-log.observer.js';

/**
 * Attaches the prediction log to the run path while some model has a `predictionLog`, and only
 * then (otherwise no call is sampled, scheduled or encoded for it); each call reads its
 * model's current config, so a config reload turns it on or off. The files are flushed and
 * closed in `onApplicationShutdown`, after the drain has answered every call.
 */
@Injectable()
export class PredictionLogSubscriber implements OnModuleInit, OnApplicationShutdown {
  readonly observer: PredictionLogObserver;
  private detach?: () => void;
  private stopListening?: () => void;

  constructor(
    private readonly inference: InferenceService,
    private readonly registry: ModelRegistry,
  ) {
    this.observer = new PredictionLogObserver((model) => registry.config(model)?.predictionLog);
  }

  onModuleInit(): void {
    this.stopListening = this.registry.onConfig(() => this.follow());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    this.detach?.();
    await this.observer.close();
  }

  /** Attached exactly while a served model asks for its calls to be logged. */
  private follow(): void {
    const wanted = this.registry.configs().some((config) => config.predictionLog);
    if (wanted && !this.detach) this.detach = this.inference.addObserver(this.observer);
    if (!wanted && this.detach) {
      this.detach();
      this.detach = undefined;
    }
  }
}
