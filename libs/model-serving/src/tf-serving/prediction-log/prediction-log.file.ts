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
 * The TFRecord files of `PredictionLog`s under one prefix,
 * `<prefix>.<UTC start time>.<pid>.<n>.tfrecord`: the first opened at the first record (its
 * directory made if missing), the next once a file would pass `maxFileBytes`, each appended to
 * without blocking the event loop. A disk that falls behind by 16 MiB drops records, and a file
 * that cannot be written stops logging: both are said once in the log, neither fails a call.
 */
export class PredictionLogFile {
  private stream?: WriteStream;
  private failed = false;
  private dropped = 0;
  private bytes = 0;
  /** Files ended by rotation whose writes may still be flushing. */
  private readonly ending: Promise<void>[] = [];
  private readonly logger = new Logger('ModelServing');
  /** The current file's path, once opened. */
  path?: string;
  /** Every file opened, in order. */
  readonly paths: string[] = [];
  /** Records handed to the files. */
  written = 0;

  constructor(
    private readonly prefix: string,
    private readonly maxFileBytes = Infinity,
  ) {}

  /** Appends one serialized record; `false` when it was dropped. */
  write(record: Uint8Array): boolean {
    const framed = encodeTfRecords([record]);
    if (this.stream && this.bytes > 0 && this.bytes + framed.length > this.maxFileBytes) {
      this.ending.push(this.end(this.stream));
      this.stream = undefined;
    }
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
    stream.write(framed);
    this.bytes += framed.length;
    this.written++;
    return true;
  }

  /** Flushes what was written and closes the files. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) this.ending.push(this.end(stream));
    await Promise.all(this.ending.splice(0));
  }

  private end(stream: WriteStream): Promise<void> {
    if (stream.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => stream.end(resolve));
  }

  private open(): WriteStream | undefined {
    if (this.failed) return undefined;
    if (this.stream) return this.stream;
    this.path = `${this.prefix}.${stamp(new Date())}.${process.pid}.${opened++}.tfrecord`;
    this.paths.push(this.path);
    this.bytes = 0;
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
