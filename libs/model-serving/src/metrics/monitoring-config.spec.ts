import { join } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import {
  DEFAULT_PROMETHEUS_PATH,
  parseMonitoringConfigText,
  readMonitoringConfigFile,
} from './monitoring-config.js';
import { itIfPresent, SHARED } from '../../../../test/helpers/paths.js';

const SAMPLE = join(SHARED, 'testdata', 'tf-serving', 'monitoring_config.txt');

function errorOf(text: string): ModelServingConfigError {
  try {
    parseMonitoringConfigText(text, 'monitoring.config');
  } catch (error) {
    if (error instanceof ModelServingConfigError) return error;
    throw error;
  }
  throw new Error('expected a ModelServingConfigError');
}

describe('parseMonitoringConfigText', () => {
  it('reads prometheus_config with enable and path', () => {
    const text = 'prometheus_config { enable: true, path: "/metrics" }';
    expect(parseMonitoringConfigText(text)).toEqual({
      prometheus: { enabled: true, path: '/metrics' },
    });
  });

  it("applies TF Serving's defaults: disabled, and the exporter's path when none or empty", () => {
    const off = { prometheus: { enabled: false, path: DEFAULT_PROMETHEUS_PATH } };
    expect(parseMonitoringConfigText('')).toEqual(off);
    expect(parseMonitoringConfigText('prometheus_config {}')).toEqual(off);
    expect(parseMonitoringConfigText('prometheus_config: < enable: 1 path: "" >')).toEqual({
      prometheus: { enabled: true, path: '/monitoring/prometheus/metrics' },
    });
  });

  it('names file, line and column for unknown fields, wrong kinds and relative paths', () => {
    expect(errorOf('prometheus_config {\n  enabled: true\n}').message).toMatch(
      /^monitoring\.config:2:3: .*enabled/,
    );
    expect(errorOf('prometheus_config { enable: "yes" }').message).toMatch(
      /^monitoring\.config:1:29: /,
    );
    expect(errorOf('prometheus_config { path: "metrics" }').message).toBe(
      'monitoring.config:1:27: prometheus_config.path must start with "/", got "metrics"',
    );
  });

  itIfPresent(SAMPLE)(`parses TF Serving's sample file (${SAMPLE})`, async () => {
    await expect(readMonitoringConfigFile(SAMPLE)).resolves.toEqual({
      prometheus: { enabled: true, path: '/monitoring/prometheus/metrics' },
    });
  });

  it('says which file could not be read', async () => {
    await expect(readMonitoringConfigFile('/nonexistent/monitoring.config')).rejects.toThrow(
      'cannot read monitoring config file /nonexistent/monitoring.config: ENOENT',
    );
  });
});
