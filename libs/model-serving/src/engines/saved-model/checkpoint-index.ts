import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { readTable } from './leveldb-table.js';
import { knownShape } from './tensor-values.js';
import { decodeBundleEntry, decodeBundleHeader } from './tf-protos.js';

/** Where one saved tensor lies and what it holds. */
export interface CheckpointEntry {
  readonly key: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly shard: number;
  readonly offset: number;
  readonly size: number;
  /** Masked CRC-32C of the bytes, as stored. */
  readonly maskedCrc: number;
  /** Set when the tensor was saved in slices (partitioned variables), which are not read. */
  readonly sliced: boolean;
}

/** The decoded `variables.index`: shard count and entries by checkpoint key. */
export interface CheckpointIndex {
  readonly numShards: number;
  readonly entries: ReadonlyMap<string, CheckpointEntry>;
}

/** Highest tensor-bundle format version this reader understands (`kTensorBundleVersion`). */
const BUNDLE_VERSION = 1;

function corrupt(detail: string): ModelLoadError {
  return new ModelLoadError(detail, GrpcStatusCode.DATA_LOSS);
}

/**
 * Decodes a checkpoint index (a LevelDB-format table of `BundleEntryProto`s under a
 * `BundleHeaderProto` at the empty key) and checks its structure: header first, little-endian,
 * a known format version, and for every entry a known shape and a shard that exists.
 * @throws ModelLoadError (DATA_LOSS) naming the entry at fault
 */
export function parseCheckpointIndex(file: Uint8Array): CheckpointIndex {
  const rows = readTable(file);
  const first = rows[0];
  if (!first || first.key !== '') throw corrupt('the checkpoint index has no header entry');
  const header = decodeBundleHeader(first.value);
  const numShards = header.numShards ?? 0;
  if (numShards < 1) throw corrupt(`the checkpoint header declares ${numShards} shards`);
  if ((header.endianness ?? 'LITTLE') !== 'LITTLE') {
    throw new ModelLoadError(
      'the checkpoint was written big-endian, which this loader does not read',
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  const minConsumer = header.version?.minConsumer ?? 0;
  if (minConsumer > BUNDLE_VERSION) {
    throw new ModelLoadError(
      `the checkpoint needs a reader of format version ${minConsumer} or later (this one reads ${BUNDLE_VERSION})`,
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  const entries = new Map<string, CheckpointEntry>();
  for (const { key, value } of rows.slice(1)) {
    const entry = decodeBundleEntry(value, key);
    const shape = knownShape(entry.shape ?? {});
    const shard = entry.shardId ?? 0;
    const offset = Number(entry.offset ?? 0);
    const size = Number(entry.size ?? 0);
    const sliced = (entry.slices?.length ?? 0) > 0;
    if (!shape) throw corrupt(`checkpoint entry '${key}' has no fully known shape`);
    if (!sliced && (shard < 0 || shard >= numShards)) {
      throw corrupt(`checkpoint entry '${key}' lies in shard ${shard} of ${numShards}`);
    }
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0) {
      throw corrupt(`checkpoint entry '${key}' has an invalid offset or size`);
    }
    entries.set(key, {
      key,
      dtype: entry.dtype ?? 'DT_INVALID',
      shape,
      shard,
      offset,
      size,
      maskedCrc: entry.crc32c ?? 0,
      sliced,
    });
  }
  return { numShards, entries };
}

/** `variables.data-00000-of-00001`: the data file of `shard` among `numShards`. */
export function shardFileName(shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `variables.data-${pad(shard)}-of-${pad(numShards)}`;
}
