import { readFile } from 'node:fs/promises';
import { TextFormatParser } from '../config/text-format.parser.js';
import { type TextFormatSchema } from '../config/text-format.schema.js';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';

/**
 * Where TF Serving serves Prometheus metrics when the config names no path
 * (`PrometheusExporter::kPrometheusPath`, `tensorflow_serving/util/prometheus_exporter.cc`).
 * @publicApi
 */
export const DEFAULT_PROMETHEUS_PATH = '/monitoring/prometheus/metrics';

/** TF Serving's `MonitoringConfig`, read from `--monitoring_config_file`. @publicApi */
export interface MonitoringConfig {
  readonly prometheus: {
    /** Whether metrics are served. @defaultValue false */
    readonly enabled: boolean;
    /** The exact path they are served at. @defaultValue {@link DEFAULT_PROMETHEUS_PATH} */
    readonly path: string;
  };
}

/** TF Serving's `tensorflow_serving/config/monitoring_config.proto`, whole. */
const SCHEMA = {
  MonitoringConfig: { prometheus_config: { kind: 'message', message: 'PrometheusConfig' } },
  PrometheusConfig: { enable: { kind: 'bool' }, path: { kind: 'string' } },
} as const satisfies TextFormatSchema<'MonitoringConfig' | 'PrometheusConfig'>;

/**
 * Parses TF Serving's text-format `MonitoringConfig`, e.g.
 * `prometheus_config { enable: true, path: "/monitoring/prometheus/metrics" }`. An empty path
 * means {@link DEFAULT_PROMETHEUS_PATH}, as in TF Serving's `http_server.cc`.
 * @param fileName - named in errors
 * @throws ModelServingConfigError naming `file:line:column` on bad syntax, unknown fields, or a
 * path that does not start with `/` (no request path could ever match it).
 * @publicApi
 */
export function parseMonitoringConfigText(text: string, fileName?: string): MonitoringConfig {
  const parser = new TextFormatParser(SCHEMA, fileName);
  const prometheus = parser.parse(text, 'MonitoringConfig').prometheus_config?.value;
  const path = prometheus?.path;
  if (path && path.value !== '' && !path.value.startsWith('/')) {
    parser.fail(path.valueAt, `prometheus_config.path must start with "/", got "${path.value}"`);
  }
  return Object.freeze({
    prometheus: Object.freeze({
      enabled: prometheus?.enable?.value ?? false,
      path: path?.value || DEFAULT_PROMETHEUS_PATH,
    }),
  });
}

/**
 * Reads and parses a TF Serving monitoring config file, as {@link parseMonitoringConfigText}.
 * @throws ModelServingConfigError when the file cannot be read or is invalid
 * @publicApi
 */
export async function readMonitoringConfigFile(path: string): Promise<MonitoringConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ModelServingConfigError(
      `cannot read monitoring config file ${path}: ${error.code ?? error.message}`,
      { file: path },
    );
  });
  return parseMonitoringConfigText(text, path);
}
