import { Logger } from '@nestjs/common';

/**
 * Runs `task` every `intervalMs` without overlap (the next run is scheduled when the previous
 * one settles). An interval of 0 runs nothing: the initial scan happened at boot. Failures are
 * logged and the next run still happens. The timer is unref'd and cleared by `stop()`.
 */
export class VersionWatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
    private readonly logger = new Logger('ModelServing'),
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.task()
        .catch((error: unknown) =>
          this.logger.error(
            `${this.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}
