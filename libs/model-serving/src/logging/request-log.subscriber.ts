import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { InferenceService } from '../models/inference.service.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../module/model-serving.constants.js';
import { RequestLogObserver } from './request-log.observer.js';

/** Adds the request log to the run path's observers when `requestLog` asks for it. */
@Injectable()
export class RequestLogSubscriber implements OnModuleInit, OnApplicationShutdown {
  private remove?: () => void;

  constructor(
    private readonly inference: InferenceService,
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS)
    private readonly options: Pick<ResolvedModelServingOptions, 'requestLog'>,
  ) {}

  onModuleInit(): void {
    const { requestLog } = this.options;
    if (!requestLog) return;
    this.remove = this.inference.addObserver(
      new RequestLogObserver({ sampleRate: requestLog.sampleRate }),
    );
  }

  onApplicationShutdown(): void {
    this.remove?.();
  }
}
