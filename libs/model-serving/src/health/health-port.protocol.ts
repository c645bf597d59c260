/** What the health port's worker thread starts with. */
export interface HealthPortWorkerData {
  readonly port: number;
  readonly host?: string;
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Past this silence of the main thread (ms), both probes answer 503. */
  readonly maxLagMs: number;
  /** One float64: when the main thread last posted (`Date.now()`). */
  readonly stamp: SharedArrayBuffer;
}

/** One probe's HTTP answer, its body already JSON. */
export interface HealthPortAnswer {
  readonly code: number;
  readonly body: string;
}

/** Posted by the main thread every 100 ms. */
export interface HealthPortAnswers {
  readonly liveness: HealthPortAnswer;
  readonly readiness: HealthPortAnswer;
}

/** Posted once by the worker: the bound port, or why it could not listen. */
export type HealthPortStarted = { readonly listening: number } | { readonly error: string };
