import { Injectable, type OnModuleInit, Scope } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { resolveModelConfig, type ResolvedModelConfig } from '../config/resolve-options.js';
import { Servable } from '../decorators/servable.decorator.js';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';

/**
 * Finds `@Servable` classes at module init and records their models. Only records and
 * validates: a misshapen servable fails boot naming its class; loading is the lifecycle's job.
 */
@Injectable()
export class ServableExplorer implements OnModuleInit {
  private found: ResolvedModelConfig[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  get servables(): readonly ResolvedModelConfig[] {
    return this.found;
  }

  onModuleInit(): void {
    const wrappers = [
      ...this.discovery.getProviders({ metadataKey: Servable.KEY }),
      ...this.discovery.getControllers({ metadataKey: Servable.KEY }),
    ];
    const byName = new Map<string, string>();
    const found: ResolvedModelConfig[] = [];
    for (const wrapper of wrappers) {
      const target = this.classOf(wrapper);
      if (!target) continue;
      const className = target.name;
      if (wrapper.scope === Scope.REQUEST || wrapper.scope === Scope.TRANSIENT) {
        throw new ModelServingConfigError(
          `@Servable class ${className} must be a singleton (it is request-scoped or transient)`,
        );
      }
      const options = this.discovery.getMetadataByDecorator(Servable, wrapper);
      if (!options) continue;
      const config = resolveModelConfig(options, `@Servable() of ${className}`);
      const other = byName.get(config.name);
      if (other && other !== className) {
        throw new ModelServingConfigError(
          `@Servable model name "${config.name}" is declared by both ${other} and ${className}`,
        );
      }
      if (!other) found.push(config);
      byName.set(config.name, className);
    }
    this.found = found;
  }

  private classOf(
    wrapper: InstanceWrapper,
  ): (abstract new (...args: never[]) => unknown) | undefined {
    const instance = wrapper.instance as object | undefined;
    if (instance?.constructor && instance.constructor !== Object) {
      return instance.constructor as abstract new (...args: never[]) => unknown;
    }
    return typeof wrapper.metatype === 'function'
      ? (wrapper.metatype as abstract new (...args: never[]) => unknown)
      : undefined;
  }
}
