/**
 * Longest error message answered over REST (`{ "error" }`) or gRPC (status details), in UTF-16
 * code units: a message may quote a model name, label or input the caller sent, and a huge one
 * must not be echoed back.
 */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

const CUT_MARK = '… (cut)';

/**
 * `message` as answered: unchanged up to {@link MAX_ERROR_MESSAGE_CHARS}, else its first part
 * followed by `… (cut)`, never splitting a surrogate pair.
 */
export function capErrorMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  let end = MAX_ERROR_MESSAGE_CHARS;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${message.slice(0, end)}${CUT_MARK}`;
}
