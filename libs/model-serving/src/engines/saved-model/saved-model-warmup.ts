import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { decodePredictionLog, LOG_TYPE_NAMES } from './prediction-log.js';
import { fileRecordSource, readTfRecords } from './tf-record.js';
import { unreadable } from './unreadable.js';
import { replayPredictionLog, type WarmupTarget } from './warmup-request.js';

/** Where TF Serving looks for warm-up requests, relative to the version directory. */
export const WARMUP_FILE = 'assets.extra/tf_serving_warmup_requests';

/** The most records TF Serving replays; a file with more fails the load (`WarmupConsts`). */
export const MAX_WARMUP_RECORDS = 1000;

/** `what` is followed by the reason: `record 3 (predict_log) failed: …`. */
function failed(record: number, what: string, error: unknown): ModelLoadError {
  const reason = error instanceof Error ? error.message : String(error);
  const code = error instanceof ModelServingError ? error.code : GrpcStatusCode.UNKNOWN;
  return new ModelLoadError(`${WARMUP_FILE}: record ${record} ${what}${reason}`, code);
}

async function openWarmupFile(directory: string): Promise<FileHandle | undefined> {
  try {
    return await open(join(directory, ...WARMUP_FILE.split('/')));
  } catch (error) {
    // Warm-up data is optional, as in TF Serving.
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw unreadable(WARMUP_FILE, error);
  }
}

/**
 * Replays the version's warm-up requests (`assets.extra/tf_serving_warmup_requests`, a TFRecord
 * file of `tensorflow.serving.PredictionLog`s) on its loaded executor, before the version is
 * made available, as TF Serving does to move first-request costs to load time. Records are
 * read and run one at a time, in order; every tensor is released by the executor.
 * @returns how many records were replayed (0 without a file).
 * @throws ModelLoadError naming the record and its reason when a record is truncated or fails a
 *   checksum (DATA_LOSS), is not a PredictionLog, or its request fails (that error's code), and
 *   when the file holds more than {@link MAX_WARMUP_RECORDS} records.
 */
export async function runSavedModelWarmup(
  executor: ModelExecutor,
  directory: string,
  target: WarmupTarget,
): Promise<number> {
  const handle = await openWarmupFile(directory);
  if (!handle) return 0;
  let replayed = 0;
  try {
    for await (const record of readTfRecords(await fileRecordSource(handle))) {
      if (record.index >= MAX_WARMUP_RECORDS) {
        throw new ModelLoadError(
          `${WARMUP_FILE}: the number of warm-up records exceeds the maximum (${MAX_WARMUP_RECORDS})`,
          GrpcStatusCode.INVALID_ARGUMENT,
        );
      }
      let log;
      try {
        log = decodePredictionLog(record.data);
      } catch (error) {
        throw failed(record.index, '', error);
      }
      // Without a log type only a session_run_log fails; an empty record does nothing.
      const kind = log.logType ? LOG_TYPE_NAMES[log.logType] : 'session_run_log';
      try {
        await replayPredictionLog(executor, log, target);
      } catch (error) {
        throw failed(record.index, `(${kind}) failed: `, error);
      }
      replayed++;
    }
  } catch (error) {
    if (error instanceof ModelLoadError && !error.message.startsWith(WARMUP_FILE)) {
      // readTfRecords' errors name the record, not the file.
      throw new ModelLoadError(`${WARMUP_FILE}: ${error.message}`, error.code);
    }
    throw error;
  } finally {
    await handle.close();
  }
  return replayed;
}
