import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { jsonLimitMessage, type JsonLimits } from '../tf-serving/rest/json/json-reader.js';

export type { JsonLimits };

/** An error the body parsers of Express and Fastify (and our error filter) answer as is. */
export class RequestLimitError extends Error {
  readonly status: number;
  readonly statusCode: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.statusCode = status;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Checks a JSON body against `limits` in one pass over its bytes, before it is parsed: nesting
 * depth (arrays and objects) and elements (array items plus object members). Text that is not
 * JSON passes: the parser reports it.
 * @throws RequestLimitError (400) naming the limit and the option that sets it.
 */
export function checkJsonLimits(bytes: Uint8Array, limits: JsonLimits): void {
  let depth = 0;
  let elements = 0;
  let inString = false;
  let opened = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (opened && !isSpace(byte)) {
      opened = false;
      if (byte !== CLOSE_ARRAY && byte !== CLOSE_OBJECT) elements++;
    }
    switch (byte) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_ARRAY:
      case OPEN_OBJECT:
        if (++depth > limits.maxDepth) {
          throw new RequestLimitError(400, jsonLimitMessage('maxDepth', limits));
        }
        opened = true;
        break;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        depth--;
        break;
      case COMMA:
        elements++;
        break;
      default:
        break;
    }
    if (elements > limits.maxElements) {
      throw new RequestLimitError(400, jsonLimitMessage('maxElements', limits));
    }
  }
}

/** A body stream Fastify reads, with the compressed byte count it checks Content-Length on. */
type DecodedBody = Readable & { receivedEncodedLength: number };

/**
 * Decompresses a `Content-Encoding: gzip` or `deflate` body for Fastify (Express's body-parser
 * does it itself). Fastify applies its body limit to the stream handed back, so to the
 * decompressed bytes: once past the limit it stops reading, and a gzip bomb is never inflated
 * further than that.
 * @returns the stream to parse, or `payload` itself when the body is not encoded.
 * @throws RequestLimitError (415) for another encoding.
 */
export function decodeBody(encoding: unknown, payload: Readable): Readable {
  const name = typeof encoding === 'string' ? encoding.trim().toLowerCase() : '';
  if (name === '' || name === 'identity') return payload;
  const inflate =
    name === 'gzip' || name === 'x-gzip'
      ? createGunzip()
      : name === 'deflate'
        ? createInflate()
        : undefined;
  if (!inflate) {
    throw new RequestLimitError(
      415,
      'Unsupported Content-Encoding: send gzip, deflate or identity bodies',
    );
  }
  // Through a stream of ours, so a corrupt body ends as our 400 error, not zlib's.
  const decoded = new PassThrough() as PassThrough & DecodedBody;
  decoded.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength += chunk.length));
  payload.on('error', (error) => inflate.destroy(error));
  inflate.on('error', (error) => {
    payload.resume();
    decoded.destroy(
      new RequestLimitError(400, `The ${name} body does not decompress: ${error.message}`),
    );
  });
  return payload.pipe(inflate).pipe(decoded);
}
