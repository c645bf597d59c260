import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseVersionDirName } from './version-policy.js';

/** Files that show a model was put where its versions should be. */
const MODEL_FILES: ReadonlySet<string> = new Set([
  'model.json',
  'saved_model.pb',
  'saved_model.pbtxt',
  'model.onnx',
]);

/** What a scan of a base path found: version → directory name, or why there is none. */
export interface VersionScan {
  readonly found: Map<number, string>;
  /** Set when no version was found: what is wrong with the base path, said to its owner. */
  readonly problem?: string;
}

/**
 * Lists the numeric version directories of a base path (symbolic links to directories count).
 * When there is none, says why in terms a user can act on: a missing or unreadable path, a
 * version directory given as the base path, model files put directly in it.
 */
export async function scanVersions(basePath: string): Promise<VersionScan> {
  const found = new Map<number, string>();
  let names: { name: string; isDirectory(): boolean; isSymbolicLink(): boolean }[];
  try {
    names = await readdir(basePath, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return {
      found,
      problem:
        code === 'ENOTDIR'
          ? `its base path ${basePath} is a file, not a directory of versions`
          : code === 'ENOENT'
            ? `its base path ${basePath} does not exist`
            : `its base path ${basePath} cannot be read (${code ?? String(cause)})`,
    };
  }
  for (const dirent of names) {
    const isDir =
      dirent.isDirectory() ||
      (dirent.isSymbolicLink() &&
        (await stat(join(basePath, dirent.name)).then(
          (s) => s.isDirectory(),
          () => false,
        )));
    const version = isDir ? parseVersionDirName(dirent.name) : undefined;
    if (version !== undefined && !found.has(version)) found.set(version, dirent.name);
  }
  if (found.size > 0) return { found };
  const modelFiles = names.map((d) => d.name).filter((n) => MODEL_FILES.has(n));
  if (parseVersionDirName(basename(basePath)) !== undefined) {
    return {
      found,
      problem: `its base path ${basePath} is itself a version directory: use its parent ${dirname(basePath)} as the base path`,
    };
  }
  if (modelFiles.length > 0) {
    return {
      found,
      problem: `model files directly under the base path ${basePath} (${modelFiles.sort().join(', ')}): move them into a version directory such as 1/`,
    };
  }
  return { found, problem: `its base path ${basePath} holds no numeric version directory` };
}
