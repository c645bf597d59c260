import { type SignatureDef, type TensorSpec } from '../signature.js';
import { TF_DTYPE_NAMES } from '../../tensor/tensor-data.js';

/** protobuf's `CEscape`: short escapes, other bytes outside printable ASCII as octal. */
function cEscape(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function tensorInfo(lines: string[], indent: string, spec: TensorSpec): void {
  const inner = `${indent}  `;
  lines.push(`${indent}name: "${cEscape(spec.name)}"`);
  lines.push(`${indent}dtype: ${spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype]}`);
  lines.push(`${indent}tensor_shape {`);
  if (spec.shape === undefined) lines.push(`${inner}unknown_rank: true`);
  for (const size of spec.shape ?? [])
    lines.push(`${inner}dim {`, `${inner}  size: ${size}`, `${inner}}`);
  lines.push(`${indent}}`);
}

function tensorMap(
  lines: string[],
  field: string,
  map: Readonly<Record<string, TensorSpec>>,
): void {
  // Text format prints map entries sorted by key.
  for (const key of Object.keys(map).sort()) {
    lines.push(`${field} {`, `  key: "${cEscape(key)}"`, '  value {');
    tensorInfo(lines, '    ', map[key]!);
    lines.push('  }', '}');
  }
}

/**
 * A signature as TensorFlow's `SignatureDef::DebugString()` prints it (protobuf text format,
 * two-space indent, a newline after every line), the form TF Serving quotes in its
 * classify/regress signature errors.
 */
export function signatureDebugString(signature: SignatureDef): string {
  const lines: string[] = [];
  tensorMap(lines, 'inputs', signature.inputs);
  tensorMap(lines, 'outputs', signature.outputs);
  if (signature.methodName) lines.push(`method_name: "${cEscape(signature.methodName)}"`);
  return lines.map((line) => `${line}\n`).join('');
}
