import { readFileSync } from 'node:fs';

/** The server name the Open Inference Protocol's server metadata reports. */
export const V2_SERVER_NAME = 'nest-model-serving';

/** The Open Inference Protocol's server metadata, for REST and gRPC alike. */
export interface V2ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: string[];
}

let version: string | undefined;

/** The library's own version, read once from its `package.json` (beside `src/` and `dist/`). */
function libraryVersion(): string {
  if (version === undefined) {
    // `src/open-inference/` and `dist/open-inference/` are both two levels below the package root.
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: unknown };
    version = typeof manifest.version === 'string' ? manifest.version : '';
  }
  return version;
}

/** Name, version and (no) protocol extensions of this server. */
export function v2ServerMetadata(): V2ServerMetadata {
  return { name: V2_SERVER_NAME, version: libraryVersion(), extensions: [] };
}
