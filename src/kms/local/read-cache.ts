import type Database from 'better-sqlite3'

const MAX_ENTRIES = 10_000
const TABLE_NAME = /^[a-z_][a-z0-9_]*$/

/**
 * Values read from the keystore, kept while nothing they come from has changed: the server
 * reads the same key, backing-key version, principal and clock offset on every request, and each
 * standalone read is a WAL read transaction of its own.
 *
 * Every write to a watched table bumps one generation counter (SQL triggers, so the writes of
 * any process and any code path count, older sealbox versions included). Writes to other tables,
 * the audit log's above all, leave it alone, so they do not empty the cache. The counter is read
 * only when something may have changed: when this connection's `total_changes()` moved (checked
 * on every read, exact) or another connection committed (`PRAGMA data_version`, checked once per
 * synchronous run of the event loop: a request is handled in one run, so a change committed
 * before it arrived is always seen). Inside a transaction every read goes to the database, so a
 * transaction sees its own writes; a rollback restores the counter with the rows. Values are
 * frozen, so a caller cannot change what the next caller reads.
 */
export class ReadCache {
  private readonly entries = new Map<string, unknown>()
  private readonly dataVersionStmt: Database.Statement<[], number>
  private readonly totalChangesStmt: Database.Statement<[], number>
  private readonly generationStmt: Database.Statement<[], number>
  private dataVersion = -1
  private changes = -1
  private generation = -1
  private checkedThisRun = false
  private readonly endRun = (): void => {
    this.checkedThisRun = false
  }

  /** The keystore must hold `generationSchema` of every table a cached value is read from. */
  constructor(private readonly db: Database.Database) {
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck()
    this.totalChangesStmt = db.prepare<[], number>('SELECT total_changes()').pluck()
    this.generationStmt = db.prepare<[], number>('SELECT n FROM cache_generation').pluck()
  }

  /** Adds a table created after the keystore opened; call it before caching any of its rows. */
  watch(table: string): void {
    this.db.transaction(() => this.db.exec(generationSchema([table]))).immediate()
    this.entries.clear()
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

  // What was seen is recorded only once the check that follows it has passed: a read that
  // throws (SQLITE_BUSY, I/O) leaves the next call to check again instead of trusting the cache.
  private validate(): void {
    const changes = this.totalChangesStmt.get()!
    const dataVersion = this.checkedThisRun ? this.dataVersion : this.dataVersionStmt.get()!
    if (changes !== this.changes || dataVersion !== this.dataVersion) {
      const generation = this.generationStmt.get()!
      if (generation !== this.generation) {
        this.entries.clear()
        this.generation = generation
      }
    }
    this.changes = changes
    this.dataVersion = dataVersion
    if (!this.checkedThisRun) {
      this.checkedThisRun = true
      queueMicrotask(this.endRun)
    }
  }
}

/**
 * The SQL that makes every write to `tables` bump the cache's generation counter: run it with
 * the keystore's schema, in the same transaction.
 */
export function generationSchema(tables: readonly string[]): string {
  const triggers = tables.flatMap((table) => {
    if (!TABLE_NAME.test(table)) throw new TypeError(`not a table name: ${table}`)
    return ['INSERT', 'UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER IF NOT EXISTS cache_generation_${table}_${op.toLowerCase()} AFTER ${op} ON ${table}
         BEGIN UPDATE cache_generation SET n = n + 1; END;`,
    )
  })
  return `CREATE TABLE IF NOT EXISTS cache_generation (n INTEGER NOT NULL);
INSERT INTO cache_generation SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM cache_generation);
${triggers.join('\n')}`
}
