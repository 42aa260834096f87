import type Database from 'better-sqlite3'

const MAX_ENTRIES = 10_000

/**
 * Values read from the keystore, kept while nothing has changed it: the server reads the same
 * key, backing-key version, principal and clock offset on every request, and each standalone
 * read is a WAL read transaction of its own.
 *
 * The cache is dropped when this connection has written anything (`total_changes()`, checked
 * on every read, exact) or another connection, in this process or another, has committed
 * (`PRAGMA data_version`, checked once per synchronous run of the event loop: a request is
 * handled in one run, so its reads share one check made after the request arrived, and a change
 * committed before it arrived is always seen). Inside a transaction every read
 * goes to the database, so a transaction sees its own writes. Values are frozen, so a caller
 * cannot change what the next caller reads.
 */
export class ReadCache {
  private readonly entries = new Map<string, unknown>()
  private readonly dataVersionStmt: Database.Statement<[], number>
  private readonly totalChangesStmt: Database.Statement<[], number>
  private dataVersion = -1
  private changes = -1
  private checkedThisRun = false
  private readonly endRun = (): void => {
    this.checkedThisRun = false
  }

  constructor(private readonly db: Database.Database) {
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck()
    this.totalChangesStmt = db.prepare<[], number>('SELECT total_changes()').pluck()
  }

  get<T>(key: string, read: () => T): T {
    if (this.db.inTransaction) return read()
    this.validate()
    if (this.entries.has(key)) return this.entries.get(key) as T
    const value = read()
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
    this.entries.set(
      key,
      typeof value === 'object' && value !== null ? Object.freeze(value) : value,
    )
    return value
  }

  private validate(): void {
    const changes = this.totalChangesStmt.get()!
    if (changes !== this.changes) {
      this.entries.clear()
      this.changes = changes
    }
    if (this.checkedThisRun) return
    this.checkedThisRun = true
    queueMicrotask(this.endRun)
    const dataVersion = this.dataVersionStmt.get()!
    if (dataVersion !== this.dataVersion) {
      this.entries.clear()
      this.dataVersion = dataVersion
    }
  }
}
