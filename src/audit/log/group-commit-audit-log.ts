import type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditLog,
  AuditVerifyResult,
} from '../types/index.js'
import type { SqliteAuditLog } from './sqlite-audit-log.js'

/**
 * Group commit for servers: the events appended during one turn of the event loop are written
 * in one transaction once that turn's I/O callbacks have run (setImmediate), then synced to disk
 * off the event loop, so N concurrent requests cost one commit and one fdatasync instead of N.
 * `committed()` settles once the batch holding every event appended before it is on disk: a
 * caller that answers only then never answers a request whose event could be lost, even by an
 * OS crash. Events not yet committed when the process dies belong to unanswered requests.
 */
interface Batch {
  events: AuditEventInput[]
  written: boolean
  error?: Error
  done: Promise<void>
}

export class GroupCommitAuditLog implements AuditLog {
  private open: Batch | undefined

  constructor(private readonly log: SqliteAuditLog) {}

  append(event: AuditEventInput): void {
    ;(this.open ??= this.startBatch()).events.push(event)
  }

  committed(): Promise<void> {
    return this.open?.done ?? Promise.resolve()
  }

  /** Writes what is waiting now, synchronously (before a query, or when the server stops). */
  flush(): void {
    if (this.open !== undefined) this.write(this.open)
  }

  query(filter: AuditFilter): Iterable<AuditEvent> {
    this.flush()
    return this.log.query(filter)
  }

  verify(): AuditVerifyResult {
    this.flush()
    return this.log.verify()
  }

  private startBatch(): Batch {
    const batch: Batch = { events: [], written: false, done: Promise.resolve() }
    batch.done = new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        try {
          this.write(batch)
        } catch {
          // reported below, to every caller waiting on this batch
        }
        if (batch.error !== undefined) return reject(batch.error)
        this.log.syncToDisk().then(resolve, reject)
      }),
    )
    // a failed commit is reported to whoever awaits committed(); nobody may be waiting
    batch.done.catch(() => undefined)
    return batch
  }

  private write(batch: Batch): void {
    if (this.open === batch) this.open = undefined
    if (batch.written) return
    batch.written = true
    try {
      this.log.appendAll(batch.events)
    } catch (e) {
      batch.error = e instanceof Error ? e : new Error(String(e))
      throw batch.error
    }
  }
}
