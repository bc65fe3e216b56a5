import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../kube-object.js';

/** One durable change: the object now stored under `key` (`put`), or its removal (`delete`). */
export interface LogRecord {
  rv: number;
  op: 'put' | 'delete';
  key: string;
  object: KubeObject;
}

export interface Snapshot {
  rv: number;
  objects: Array<{ key: string; object: KubeObject }>;
}

const SNAPSHOT_FILE = 'snapshot.json';
const LOG_FILE = 'changes.log';

export interface RecoveredState {
  snapshot: Snapshot;
  /** Records newer than the snapshot, in commit order. */
  records: LogRecord[];
}

/**
 * Durable storage in the manner of etcd: every change is appended to a log and fsynced before
 * the write is acknowledged (writes arriving together share one fsync), and the log is folded
 * into a snapshot now and then. A record cut short by kill -9 was never acknowledged, so
 * recovery drops an incomplete last line; damage anywhere else stops the start.
 */
export class WriteAheadLog {
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private flushing: Promise<void> | undefined;
  private reopening: Promise<void> | undefined;
  private recordsSinceSnapshot = 0;

  constructor(
    private readonly dir: string,
    private readonly compactAfterRecords = 50_000,
  ) {}

  async open(): Promise<RecoveredState> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const state = this.recover();
    this.recordsSinceSnapshot = state.records.length;
    this.handle = await open(join(this.dir, LOG_FILE), 'a', 0o600);
    return state;
  }

  private recover(): RecoveredState {
    let snapshot: Snapshot = { rv: 0, objects: [] };
    const snapshotText = readOptional(join(this.dir, SNAPSHOT_FILE));
    if (snapshotText !== undefined) {
      try {
        snapshot = JSON.parse(snapshotText) as Snapshot;
      } catch {
        throw new Error(
          `${join(this.dir, SNAPSHOT_FILE)} is damaged; restore it from a backup or remove the data folder`,
        );
      }
    }
    const records: LogRecord[] = [];
    const logText = readOptional(join(this.dir, LOG_FILE)) ?? '';
    const lines = logText.split('\n');
    const lastComplete = logText.endsWith('\n') ? lines.length - 1 : lines.length - 2;
    for (let index = 0; index <= lastComplete; index++) {
      const line = lines[index];
      if (!line) continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(
          `${join(this.dir, LOG_FILE)} line ${index + 1} is damaged; the log cannot be replayed`,
        );
      }
      if (record.rv > snapshot.rv) records.push(record);
    }
    if (lastComplete < lines.length - 1) this.dropTornTail(logText, lines, lastComplete);
    return { snapshot, records };
  }

  /** Rewrites the log without the unacknowledged partial record, so later appends start on a fresh line. */
  private dropTornTail(logText: string, lines: string[], lastComplete: number): void {
    const kept = lines.slice(0, lastComplete + 1).join('\n');
    const text = kept.length > 0 ? `${kept}\n` : '';
    if (text.length === logText.length) return;
    writeAtomically(join(this.dir, LOG_FILE), text);
  }

  /** Appends a record; resolves once it is on disk. */
  append(record: LogRecord): Promise<void> {
    this.pending.push(`${JSON.stringify(record)}\n`);
    this.recordsSinceSnapshot++;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  /** While one batch is being synced, later appends gather into the next batch. */
  private async flush(): Promise<void> {
    await Promise.resolve();
    await this.reopening;
    while (this.pending.length > 0) {
      const batch = this.pending.join('');
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        if (!this.handle) throw new Error('the write-ahead log is closed');
        await this.handle.write(batch);
        await this.handle.datasync();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error as Error);
      }
    }
    this.flushing = undefined;
  }

  get shouldCompact(): boolean {
    return this.recordsSinceSnapshot >= this.compactAfterRecords;
  }

  /** Folds everything into a new snapshot and starts an empty log; a crash in between replays harmlessly. */
  /**
   * Folds the state into a new snapshot and starts an empty log. The snapshot is taken and the
   * log swapped with no await in between, so no append can fall between the two; a crash at any
   * point replays harmlessly because records at or below the snapshot's rv are skipped.
   */
  async compact(takeSnapshot: () => Snapshot): Promise<void> {
    while (this.flushing) await this.flushing;
    const previous = this.handle;
    writeAtomically(join(this.dir, SNAPSHOT_FILE), JSON.stringify(takeSnapshot()));
    writeAtomically(join(this.dir, LOG_FILE), '');
    this.recordsSinceSnapshot = 0;
    this.reopening = open(join(this.dir, LOG_FILE), 'a', 0o600).then((handle) => {
      this.handle = handle;
      this.reopening = undefined;
    });
    this.handle = undefined;
    await previous?.close();
    await this.reopening;
  }

  async close(): Promise<void> {
    await this.reopening;
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, path);
  const dirFd = openSync(join(path, '..'), 'r');
  fsyncSync(dirFd);
  closeSync(dirFd);
}
