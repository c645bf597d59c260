import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { type AuthOptions } from './auth-options.interface.js';

/**
 * Reads `model-server --auth_config_file`: a JSON `AuthOptions` object (`apiKeys`,
 * `apiKeysFile`, `apiKeysEnv`, `jwt`, `rateLimit`, `publicHealth`, `publicMetrics`, `realm`).
 * Paths inside it (`apiKeysFile`, `jwt.publicKeyFile`, `jwt.jwksFile`) are relative to the
 * file's directory.
 * The options themselves are checked when the module resolves them.
 * @throws ModelServingConfigError when the file cannot be read or is not a JSON object.
 */
export async function readAuthConfigFile(path: string): Promise<AuthOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ModelServingConfigError(`Cannot read --auth_config_file ${path}: ${code}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelServingConfigError(
      `--auth_config_file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ModelServingConfigError(`--auth_config_file ${path} must hold a JSON object`);
  const auth = parsed as AuthOptions;
  const dir = dirname(resolve(path));
  const near = (file: string | undefined) => (file === undefined ? undefined : resolve(dir, file));
  return {
    ...auth,
    ...(auth.apiKeysFile !== undefined && { apiKeysFile: near(auth.apiKeysFile) }),
    ...(auth.jwt && {
      jwt: {
        ...auth.jwt,
        ...(auth.jwt.publicKeyFile !== undefined && {
          publicKeyFile: near(auth.jwt.publicKeyFile),
        }),
        ...(auth.jwt.jwksFile !== undefined && { jwksFile: near(auth.jwt.jwksFile) }),
      },
    }),
  };
}
