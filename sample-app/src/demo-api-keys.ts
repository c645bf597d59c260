import { randomBytes } from 'node:crypto';

/** The sample app's API keys: `API_KEYS` (comma-separated), else one made up for this run. */
export function demoApiKeys(env: NodeJS.ProcessEnv = process.env): {
  keys: string[];
  generated: boolean;
} {
  const given = (env['API_KEYS'] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (given.length > 0) return { keys: given, generated: false };
  return { keys: [`demo-${randomBytes(16).toString('hex')}`], generated: true };
}
