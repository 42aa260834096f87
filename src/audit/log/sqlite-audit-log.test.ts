import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuditEventInput } from '../types/index.js'
import { SqliteAuditLog } from './sqlite-audit-log.js'

const SOURCE = 'arn:aws:kms:us-east-1:000000000000:key/11111111-1111-1111-1111-111111111111'
const DESTINATION = 'arn:aws:kms:us-east-1:000000000000:key/22222222-2222-2222-2222-222222222222'

function event(i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    time: new Date(1_700_000_000_000 + i),
    principal: 'arn:aws:iam::000000000000:user/test',
    operation: 'Encrypt',
    keyArn: SOURCE,
    outcome: 'ok',
    requestId: `request-${i}`,
    ...extra,
  }
}

// The table as it was before events named a destination key.
const OLD_TABLE = `
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, principal TEXT NOT NULL,
  operation TEXT NOT NULL, key_arn TEXT, context TEXT, key_material_id TEXT,
  outcome TEXT NOT NULL, request_id TEXT NOT NULL, source_ip TEXT,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_key ON audit_events(key_arn);
`

test('a log written before the destination column gets it, and its events still verify', () => {
  const db = new Database(':memory:')
  db.exec(OLD_TABLE)
  // events as the old code wrote them: the column list of the old INSERT
  const first = new Database(':memory:')
  const writer = new SqliteAuditLog(first)
  writer.appendAll([event(1), event(2, { operation: 'Decrypt' })])
  const insert = db.prepare(
    `INSERT INTO audit_events (seq, time_ms, principal, operation, key_arn, context, key_material_id, outcome, request_id, source_ip, prev_hash, hash)
     VALUES (@seq, @time_ms, @principal, @operation, @key_arn, @context, @key_material_id, @outcome, @request_id, @source_ip, @prev_hash, @hash)`,
  )
  for (const row of first.prepare(`SELECT * FROM audit_events ORDER BY seq`).all() as Array<
    Record<string, unknown>
  >) {
    delete row['destination_key_arn']
    insert.run(row)
  }

  const log = new SqliteAuditLog(db)
  assert.deepEqual(log.verify(), { ok: true, events: 2 })
  log.append(event(3, { operation: 'ReEncrypt', destinationKeyArn: DESTINATION }))
  assert.deepEqual(log.verify(), { ok: true, events: 3 })
  new SqliteAuditLog(db) // opening again adds nothing
  assert.deepEqual(
    [...log.query({ destinationKeyArn: DESTINATION })].map((e) => [e.seq, e.keyArn]),
    [[3, SOURCE]],
  )
  assert.equal([...log.query({ destinationKeyArn: SOURCE })].length, 0)
  assert.equal([...log.query({ keyArn: SOURCE })].length, 3)
  assert.deepEqual(
    [...log.query({ anyKeyArn: DESTINATION })].map((e) => e.seq),
    [3],
    'a key is found as a destination too',
  )
  assert.equal([...log.query({ anyKeyArn: SOURCE })].length, 3)

  db.exec(`UPDATE audit_events SET destination_key_arn = '${SOURCE}' WHERE seq = 3`)
  assert.match((log.verify() as { reason: string }).reason, /event 3 was edited/)
})

test('a key and a destination key are each looked up newest first through an index', () => {
  const db = new Database(':memory:')
  new SqliteAuditLog(db)
  const plan = (where: string, ...args: string[]) =>
    (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE ${where} AND outcome = ? ORDER BY seq DESC LIMIT 1`,
        )
        .all(...args, 'ok') as Array<{ detail: string }>
    ).map((r) => r.detail)
  assert.deepEqual(plan('key_arn = ? AND operation IN (?, ?)', SOURCE, 'Encrypt', 'Decrypt'), [
    'SEARCH audit_events USING INDEX audit_events_by_key (key_arn=?)',
  ])
  assert.deepEqual(plan('destination_key_arn = ? AND operation = ?', DESTINATION, 'ReEncrypt'), [
    'SEARCH audit_events USING INDEX audit_events_by_destination (destination_key_arn=?)',
  ])
})
