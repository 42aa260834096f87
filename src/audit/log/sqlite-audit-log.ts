import type Database from 'better-sqlite3'
import { closeSync, fdatasync, openSync } from 'node:fs'
import type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditLog,
  AuditVerifyResult,
} from '../types/index.js'
import { eventHash, GENESIS_HASH } from './event-hash.js'

interface Row {
  seq: number
  time_ms: number
  principal: string
  operation: string
  key_arn: string | null
  context: string | null
  key_material_id: string | null
  outcome: string
  request_id: string
  source_ip: string | null
  prev_hash: string
  hash: string
  destination_key_arn: string | null
}

const TABLE = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  principal TEXT NOT NULL,
  operation TEXT NOT NULL,
  key_arn TEXT,
  context TEXT,
  key_material_id TEXT,
  outcome TEXT NOT NULL,
  request_id TEXT NOT NULL,
  source_ip TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  destination_key_arn TEXT
);
CREATE INDEX IF NOT EXISTS audit_events_by_key ON audit_events(key_arn);
CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events(time_ms);
`
const DESTINATION_INDEX = `
CREATE INDEX IF NOT EXISTS audit_events_by_destination ON audit_events(destination_key_arn)
  WHERE destination_key_arn IS NOT NULL;
`

/** Logs written before events named a destination key get the column, once, whoever opens first. */
function addDestinationColumn(db: Database.Database): void {
  const has = () =>
    (db.prepare(`PRAGMA table_info(audit_events)`).all() as Array<{ name: string }>).some(
      (c) => c.name === 'destination_key_arn',
    )
  if (has()) return
  db.transaction(() => {
    if (!has()) db.exec(`ALTER TABLE audit_events ADD COLUMN destination_key_arn TEXT`)
  }).immediate()
}

/**
 * The hash-chained audit log in a SQLite database (the embedded keystore's). Append reads the
 * last hash and inserts in one IMMEDIATE transaction, so processes sharing the file extend one
 * chain and never fork it.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly lastStmt: Database.Statement
  private readonly insertStmt: Database.Statement
  private readonly appendTx: (events: readonly AuditEventInput[]) => void

  private walFd: number | undefined

  constructor(private readonly db: Database.Database) {
    db.exec(TABLE)
    addDestinationColumn(db)
    db.exec(DESTINATION_INDEX)
    this.lastStmt = db.prepare(`SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`)
    this.insertStmt = db.prepare(
      `INSERT INTO audit_events (seq, time_ms, principal, operation, key_arn, context, key_material_id, outcome, request_id, source_ip, prev_hash, hash, destination_key_arn)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const tx = db.transaction((events: readonly AuditEventInput[]) => {
      const last = this.lastStmt.get() as { seq: number; hash: string } | undefined
      let seq = last?.seq ?? 0
      let prev = last?.hash ?? GENESIS_HASH
      for (const e of events) {
        seq++
        const hash = eventHash(prev, seq, e)
        this.insertStmt.run(
          seq,
          e.time.getTime(),
          e.principal,
          e.operation,
          e.keyArn ?? null,
          e.encryptionContext === undefined ? null : JSON.stringify(e.encryptionContext),
          e.keyMaterialId ?? null,
          e.outcome,
          e.requestId,
          e.sourceIp ?? null,
          prev,
          hash,
          e.destinationKeyArn ?? null,
        )
        prev = hash
      }
    })
    this.appendTx = (events) => tx.immediate(events)
  }

  append(event: AuditEventInput): void {
    this.appendAll([event])
  }

  /** Appends the events in order in one transaction: one commit for the lot. */
  appendAll(events: readonly AuditEventInput[]): void {
    if (events.length > 0) this.appendTx(events)
  }

  /**
   * Makes every transaction committed so far durable, without blocking the event loop: an
   * fdatasync of the WAL on libuv's thread pool. Commits run with synchronous=NORMAL, which
   * writes them to the WAL but syncs only before a checkpoint (and the database file after
   * it), so a commit is durable once the WAL holding it is synced or it has been checkpointed.
   * The connection stays open meanwhile, so the WAL file is not deleted under the descriptor.
   */
  async syncToDisk(): Promise<void> {
    if (this.db.memory) return
    if (this.walFd === undefined) {
      const wal = this.db.pragma('journal_mode', { simple: true }) === 'wal'
      this.walFd = openSync(wal ? `${this.db.name}-wal` : this.db.name, 'r')
    }
    await new Promise<void>((resolve, reject) =>
      fdatasync(this.walFd!, (e) => (e === null ? resolve() : reject(e))),
    )
  }

  close(): void {
    if (this.walFd !== undefined) closeSync(this.walFd)
    this.walFd = undefined
  }

  committed(): Promise<void> {
    return Promise.resolve()
  }

  *query(filter: AuditFilter): Iterable<AuditEvent> {
    const where: string[] = []
    const args: unknown[] = []
    const add = (sql: string, value: unknown) => {
      where.push(sql)
      args.push(value)
    }
    if (filter.keyArn !== undefined) add('key_arn = ?', filter.keyArn)
    if (filter.destinationKeyArn !== undefined)
      add('destination_key_arn = ?', filter.destinationKeyArn)
    if (filter.anyKeyArn !== undefined) {
      add('(key_arn = ? OR destination_key_arn = ?)', filter.anyKeyArn)
      args.push(filter.anyKeyArn)
    }
    if (filter.operation !== undefined) add('operation = ?', filter.operation)
    if (filter.operations !== undefined) {
      where.push(`operation IN (${filter.operations.map(() => '?').join(', ') || 'NULL'})`)
      args.push(...filter.operations)
    }
    if (filter.principal !== undefined) add('principal = ?', filter.principal)
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome)
    if (filter.since !== undefined) add('time_ms >= ?', filter.since.getTime())
    if (filter.until !== undefined) add('time_ms <= ?', filter.until.getTime())
    for (const [k, v] of Object.entries(filter.context ?? {})) {
      add(`json_extract(context, ?) = ?`, `$."${k.replace(/"/g, '""')}"`)
      args.push(v)
    }
    const sql = `SELECT * FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${filter.newestFirst === true ? ' DESC' : ''}${
      filter.limit !== undefined ? ' LIMIT ?' : ''
    }`
    if (filter.limit !== undefined) args.push(filter.limit)
    for (const row of this.db.prepare(sql).iterate(...args) as Iterable<Row>) yield fromRow(row)
  }

  verify(): AuditVerifyResult {
    let prev = GENESIS_HASH
    let expectedSeq = 1
    let count = 0
    for (const row of this.db
      .prepare(`SELECT * FROM audit_events ORDER BY seq`)
      .iterate() as Iterable<Row>) {
      const event = fromRow(row)
      if (event.seq !== expectedSeq) {
        return {
          ok: false,
          events: count,
          seq: expectedSeq,
          reason: `event ${expectedSeq} is missing (next present is ${event.seq})`,
        }
      }
      if (event.prevHash !== prev) {
        return {
          ok: false,
          events: count,
          seq: event.seq,
          reason: `event ${event.seq} does not follow event ${event.seq - 1}: removed, reordered or replaced`,
        }
      }
      if (eventHash(prev, event.seq, event) !== event.hash) {
        return {
          ok: false,
          events: count,
          seq: event.seq,
          reason: `event ${event.seq} was edited after it was written`,
        }
      }
      prev = event.hash
      expectedSeq++
      count++
    }
    return { ok: true, events: count }
  }
}

function fromRow(r: Row): AuditEvent {
  const event: AuditEvent = {
    seq: r.seq,
    time: new Date(r.time_ms),
    principal: r.principal,
    operation: r.operation,
    outcome: r.outcome,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  }
  if (r.key_arn !== null) event.keyArn = r.key_arn
  if (r.destination_key_arn !== null) event.destinationKeyArn = r.destination_key_arn
  if (r.context !== null) event.encryptionContext = JSON.parse(r.context) as Record<string, string>
  if (r.key_material_id !== null) event.keyMaterialId = r.key_material_id
  if (r.source_ip !== null) event.sourceIp = r.source_ip
  return event
}
