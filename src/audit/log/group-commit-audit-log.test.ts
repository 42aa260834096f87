import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { AuditEventInput } from '../types/index.js'
import { GroupCommitAuditLog } from './group-commit-audit-log.js'
import { SqliteAuditLog } from './sqlite-audit-log.js'

const dir = mkdtempSync(join(tmpdir(), 'sealbox-group-commit-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function open(): { db: Database.Database; sqlite: SqliteAuditLog; log: GroupCommitAuditLog } {
  const db = new Database(join(dir, `audit-${++files}.db`))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const sqlite = new SqliteAuditLog(db)
  return { db, sqlite, log: new GroupCommitAuditLog(sqlite) }
}

function event(i: number): AuditEventInput {
  return {
    time: new Date(1_700_000_000_000 + i),
    principal: 'arn:aws:iam::000000000000:user/test',
    operation: 'Decrypt',
    outcome: 'ok',
    requestId: `request-${i}`,
  }
}

function committedRows(db: Database.Database): number {
  // a second connection sees only what was committed
  const other = new Database(db.name, { readonly: true })
  try {
    return (other.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n
  } finally {
    other.close()
  }
}

test('events of one turn are committed together, in order, only after the turn ends', async () => {
  const { db, sqlite, log } = open()
  let transactions = 0
  const appendAll = sqlite.appendAll.bind(sqlite)
  sqlite.appendAll = (events) => {
    transactions++
    appendAll(events)
  }
  for (let i = 1; i <= 5; i++) log.append(event(i))
  const waiting = log.committed()
  assert.equal(committedRows(db), 0, 'nothing is written before the turn ends')
  await waiting
  assert.equal(committedRows(db), 5)
  assert.equal(transactions, 1)
  log.append(event(6))
  await log.committed()
  assert.equal(transactions, 2)
  assert.deepEqual(
    [...log.query({})].map((e) => e.requestId),
    [1, 2, 3, 4, 5, 6].map((i) => `request-${i}`),
  )
  assert.deepEqual(log.verify(), { ok: true, events: 6 })
  sqlite.close()
  db.close()
})

test('committed() with nothing waiting resolves at once; query and verify write what waits', async () => {
  const { db, sqlite, log } = open()
  await log.committed()
  log.append(event(1))
  assert.equal([...log.query({})].length, 1, 'a query sees events appended before it')
  assert.equal(committedRows(db), 1)
  await log.committed()
  assert.deepEqual(log.verify(), { ok: true, events: 1 })
  sqlite.close()
  db.close()
})

test('a failed commit rejects every waiter of its batch, and the next batch is written', async () => {
  const { db, sqlite, log } = open()
  const appendAll = sqlite.appendAll.bind(sqlite)
  let fail = true
  sqlite.appendAll = (events) => {
    if (fail) throw new Error('disk full')
    appendAll(events)
  }
  log.append(event(1))
  const first = log.committed()
  log.append(event(2))
  const second = log.committed()
  await assert.rejects(first, /disk full/)
  await assert.rejects(second, /disk full/)
  fail = false
  log.append(event(3))
  await log.committed()
  assert.deepEqual(
    [...log.query({})].map((e) => e.requestId),
    ['request-3'],
  )
  sqlite.close()
  db.close()
})

test('a batch flushed early (by a query) still settles its waiters, after the sync', async () => {
  const { db, sqlite, log } = open()
  let syncs = 0
  const sync = sqlite.syncToDisk.bind(sqlite)
  sqlite.syncToDisk = () => {
    syncs++
    return sync()
  }
  log.append(event(1))
  const waiting = log.committed()
  log.flush()
  log.append(event(2))
  const next = log.committed()
  assert.notEqual(waiting, next, 'an event after a flush goes in a new batch')
  await Promise.all([waiting, next])
  assert.equal(committedRows(db), 2)
  assert.equal(syncs, 2)
  sqlite.close()
  db.close()
})
