import { type LoggerService } from '@nestjs/common';
import { type VersionState } from './version-status.js';

/**
 * The version labels of one model that are in force. As TF Serving's server core, a label
 * pointing at a version that is not AVAILABLE is refused (its previous assignment stays, and a
 * warning says so once) unless `allowUnavailable` is on; a label whose version is still
 * loading is simply assigned once that version is AVAILABLE, with no warning.
 */
export class VersionLabels {
  private labels: Readonly<Record<string, number>> = {};
  /** `label=version` pairs refused and already warned about. */
  private refused = new Set<string>();

  constructor(
    private readonly model: string,
    private readonly logger: LoggerService,
    private readonly allowUnavailable: boolean,
  ) {}

  /** The version a label is assigned to, if it is. */
  get(label: string): number | undefined {
    return Object.hasOwn(this.labels, label) ? this.labels[label] : undefined;
  }

  /** Puts the configured labels in force, given each version's state. */
  assign(
    configured: Readonly<Record<string, number>>,
    stateOf: (version: number) => VersionState | undefined,
  ): void {
    const next: Record<string, number> = {};
    const refused = new Set<string>();
    for (const [label, version] of Object.entries(configured)) {
      const state = stateOf(version);
      if (state === 'AVAILABLE' || this.allowUnavailable) {
        next[label] = version;
        continue;
      }
      const key = `${label}=${version}`;
      if (state !== 'START' && state !== 'LOADING') {
        refused.add(key);
        if (!this.refused.has(key)) {
          this.logger.warn(
            `Request to assign label ${label} to version ${version} of model ${this.model}, which is not currently available for inference: the label is not assigned until the version is AVAILABLE (allowVersionLabelsForUnavailableModels allows it)`,
          );
        }
      }
      const current = this.get(label);
      if (current !== undefined) next[label] = current;
    }
    this.labels = Object.freeze(next);
    this.refused = refused;
  }
}
