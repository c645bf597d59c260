import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { encodeTfRecords } from '../../engines/saved-model/tf-record.js';

/** Bytes waiting for the disk beyond which records are dropped rather than held in memory. */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

/** `20261203T112800Z`: the UTC time, as file names sort it. */
const stamp = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

let opened = 0;

/**
 * One TFRecord file of `PredictionLog`s, `<prefix>.<UTC start time>.<pid>.<n>.tfrecord`, opened
 * at the first record (its directory made if missing) and appended to without blocking the
 * event loop. A disk that falls behind by 16 MiB drops records, and a file that cannot be
 * written stops logging: both are said once in the log, neither fails a call.
 */
export class PredictionLogFile {
  private stream?: WriteStream;
  private failed = false;
  private dropped = 0;
  private readonly logger = new Logger('ModelServing');
  /** The file's path, once opened. */
  path?: string;
  /** Records handed to the file. */
  written = 0;

  constructor(private readonly prefix: string) {}

  /** Appends one serialized record; `false` when it was dropped. */
  write(record: Uint8Array): boolean {
    const stream = this.open();
    if (!stream) return false;
    if (stream.writableLength > MAX_BACKLOG_BYTES) {
      if (this.dropped++ === 0) {
        this.logger.warn(
          `Prediction log ${this.path}: the disk is ${MAX_BACKLOG_BYTES >> 20} MiB behind, so sampled calls are dropped until it catches up`,
        );
      }
      return false;
    }
    stream.write(encodeTfRecords([record]));
    this.written++;
    return true;
  }

  /** Flushes what was written and closes the file. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream || stream.destroyed) return;
    await new Promise<void>((resolve) => stream.end(resolve));
  }

  private open(): WriteStream | undefined {
    if (this.failed) return undefined;
    if (this.stream) return this.stream;
    this.path = `${this.prefix}.${stamp(new Date())}.${process.pid}.${opened++}.tfrecord`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    const stream = createWriteStream(this.path, { flags: 'wx' });
    stream.on('error', (error) => this.fail(error));
    this.stream = stream;
    return stream;
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stream?.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Prediction log ${this.path} cannot be written, so calls are not logged: ${reason}`,
    );
  }
}
