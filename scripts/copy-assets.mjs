// Copies the library's non-TypeScript assets (gRPC .proto files) next to its compiled output.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = join(dirname(fileURLToPath(import.meta.url)), '..', 'libs', 'model-serving');
const protos = join(lib, 'src', 'protos');
if (existsSync(protos)) {
  cpSync(protos, join(lib, 'dist', 'protos'), {
    recursive: true,
    filter: (source) => !source.endsWith('.ts'),
  });
}
