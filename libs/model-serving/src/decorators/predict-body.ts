import { InvalidInputError } from '../errors/invalid-input.error.js';

// The raw text of form-encoded bodies, kept by the parsers `configureModelServingApp` installs
// so a `@Predict` route can read it as JSON: `curl -d '{…}'` sends JSON labelled as a form.
const formTexts = new WeakMap<object, string>();

/** Keeps the raw text of a form-encoded request body for `@Predict` routes. */
export function rememberFormText(request: object, text: string): void {
  formTexts.set(request, text);
}

/**
 * Gives a `@Predict` route the JSON its form-encoded body holds, as TF Serving's routes read
 * JSON whatever the Content-Type. A body that does not start like JSON stays a form.
 * @throws InvalidInputError when the body starts like JSON but does not parse
 */
export function readFormBodyAsJson(request: { body?: unknown }): void {
  const text = formTexts.get(request)?.trim();
  if (text === undefined || !(text.startsWith('{') || text.startsWith('['))) return;
  try {
    request.body = JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it does not parse';
    throw new InvalidInputError(`The request body is not valid JSON: ${reason}`);
  }
}
