import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KMS_TABLES, SCHEMA } from './schema.js'

// A table the read cache does not watch would serve values its writes had changed.
test('KMS_TABLES names every table the schema creates', () => {
  const db = new Database(':memory:')
  db.exec(SCHEMA)
  const tables = db
    .prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .pluck()
    .all()
  assert.deepEqual([...KMS_TABLES].sort(), tables)
  db.close()
})
