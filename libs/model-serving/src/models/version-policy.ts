import { type VersionPolicy } from '../config/model-serving-options.interface.js';

/** The default policy, as TF Serving's: serve the newest version only. */
export const DEFAULT_VERSION_POLICY: VersionPolicy = { latest: 1 };

/**
 * The versions a policy aspires to serve among those present on disk, newest first.
 * `specific` versions that are absent are simply not aspired (they load once they appear).
 */
export function aspiredVersions(policy: VersionPolicy, present: readonly number[]): number[] {
  const newestFirst = [...new Set(present)].sort((a, b) => b - a);
  if ('latest' in policy) return newestFirst.slice(0, policy.latest);
  if ('all' in policy) return newestFirst;
  const wanted = new Set(policy.specific);
  return newestFirst.filter((v) => wanted.has(v));
}

/**
 * The version number a directory name stands for, as TF Serving reads it: digits only
 * (leading zeros allowed, `00000123` is 123), within int64 and JS's safe integers.
 */
export function parseVersionDirName(name: string): number | undefined {
  if (!/^\d+$/.test(name)) return undefined;
  const version = Number(name);
  return Number.isSafeInteger(version) ? version : undefined;
}
