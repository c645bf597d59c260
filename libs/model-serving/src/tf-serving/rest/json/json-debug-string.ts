import { type JsonValue, jsonIntText } from './json-value.js';
import { PrettyWriter } from './pretty-writer.js';

/** TF Serving's `kMaxJsonDebugStringBytes`. */
const MAX_BYTES = 256;

/** Writes one value; false stops the walk (limit reached, or a NaN/Inf rapidjson refuses). */
function accept(writer: PrettyWriter, value: JsonValue): boolean {
  // Checked before every event, so the last one written may run past the limit.
  if (writer.byteLength >= MAX_BYTES) return false;
  switch (value.kind) {
    case 'null':
      writer.null();
      return true;
    case 'bool':
      writer.bool(value.value);
      return true;
    case 'int':
      writer.raw(jsonIntText(value));
      return true;
    case 'double':
      return writer.double(value.value);
    case 'string':
      writer.string(value.bytes ?? value.value);
      return true;
    case 'array':
      writer.startArray();
      for (const item of value.items) if (!accept(writer, item)) return false;
      if (writer.byteLength >= MAX_BYTES) return false;
      writer.endArray();
      return true;
    case 'object':
      writer.startObject();
      for (const [key, member] of value.members) {
        if (writer.byteLength >= MAX_BYTES) return false;
        writer.key(key);
        if (!accept(writer, member)) return false;
      }
      if (writer.byteLength >= MAX_BYTES) return false;
      writer.endObject();
      return true;
  }
}

/**
 * TF Serving's `JsonValueToDebugString`, the `<dbg>` in its error messages: rapidjson
 * PrettyWriter with single-line arrays (`[1, 2]`, objects on several lines), doubles in
 * Grisu2 form (`1.0`, `1e-7`), cut off once 256 bytes are written (no closing brackets are
 * added) or at the first NaN/Infinity (e.g. `[1.0, `). Recursion depth is bounded by the
 * byte limit, since every nesting level writes at least one byte.
 */
export function debugString(value: JsonValue): string {
  const writer = new PrettyWriter();
  writer.setSingleLineArrays(true);
  accept(writer, value);
  return writer.toString();
}
