import { type GrpcStatusCode } from '../errors/grpc-status-code.js';

/** TF Serving's version states. @publicApi */
export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

/** One version's state, and the error it ended with, if any. @publicApi */
export interface VersionStatus {
  readonly version: number;
  readonly state: VersionState;
  readonly error?: { readonly code: GrpcStatusCode; readonly message: string };
}
