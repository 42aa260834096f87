import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { setImmediate as tick } from 'node:timers/promises'
import { test } from 'node:test'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generationSchema, ReadCache } from '../../src/kms/local/read-cache.js'
import { bytes, openTestKms } from './open-test-kms.js'

const run = promisify(execFile)

function table(): { db: Database.Database; path: string; read: (k: string) => unknown } {
  const path = join(mkdtempSync(join(tmpdir(), 'sealbox-reads-')), 'cache.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); CREATE TABLE log (line TEXT)')
  db.exec(generationSchema(['t']))
  const stmt = db.prepare<[string], { v: string }>('SELECT v FROM t WHERE k = ?')
  return { db, path, read: (k) => stmt.get(k) }
}

/** A cache watching `t` that holds a = '1'; `get` reads a through it. */
function seeded(db: Database.Database, read: (k: string) => unknown): () => unknown {
  const cache = new ReadCache(db)
  db.prepare(`INSERT INTO t VALUES ('a', '1')`).run()
  const get = () => cache.get('a', () => read('a'))
  assert.deepEqual(get(), { v: '1' })
  return get
}

/** Runs `sql` on a second connection to the database, then lets the event loop turn. */
async function elsewhere(path: string, sql: string): Promise<void> {
  const other = new Database(path)
  other.prepare(sql).run()
  other.close()
  await tick()
}

test('a write on the same connection is seen by the very next read', () => {
  const { db, read } = table()
  const cache = new ReadCache(db)
  let reads = 0
  const get = () => cache.get('a', () => (reads++, read('a')))
  assert.equal(get(), undefined)
  assert.equal(get(), undefined)
  assert.equal(reads, 1, 'the second read is served from the cache')
  db.prepare(`INSERT INTO t VALUES ('a', '1')`).run()
  assert.deepEqual(get(), { v: '1' })
  db.close()
})

test('inside a transaction reads go to the database and see its own writes', () => {
  const { db, read } = table()
  const get = seeded(db, read)
  db.transaction(() => {
    db.prepare(`UPDATE t SET v = '2' WHERE k = 'a'`).run()
    assert.deepEqual(get(), { v: '2' })
  })()
  assert.deepEqual(get(), { v: '2' })
  db.close()
})

test('a commit by another connection is seen from the next turn of the event loop', async () => {
  const { db, path, read } = table()
  const get = seeded(db, read)
  await elsewhere(path, `UPDATE t SET v = '2' WHERE k = 'a'`)
  assert.deepEqual(get(), { v: '2' })
  db.close()
})

test('writes to tables it does not watch, on this connection or another, keep the cache', async () => {
  const { db, path, read } = table()
  const cache = new ReadCache(db)
  db.prepare(`INSERT INTO t VALUES ('a', '1')`).run()
  let reads = 0
  const get = () => cache.get('a', () => (reads++, read('a')))
  assert.deepEqual(get(), { v: '1' })
  db.prepare(`INSERT INTO log VALUES ('x')`).run()
  const other = new Database(path)
  other.prepare(`INSERT INTO log VALUES ('y')`).run()
  await tick()
  assert.deepEqual(get(), { v: '1' })
  assert.equal(reads, 1, 'the log writes left the cached value in place')
  other.prepare(`UPDATE t SET v = '2' WHERE k = 'a'`).run()
  other.close()
  await tick()
  assert.deepEqual(get(), { v: '2' })
  assert.equal(reads, 2)
  db.close()
})

test('a rolled-back write leaves the cache right', () => {
  const { db, read } = table()
  const get = seeded(db, read)
  assert.throws(() =>
    db.transaction(() => {
      db.prepare(`UPDATE t SET v = '2' WHERE k = 'a'`).run()
      throw new Error('abort')
    })(),
  )
  assert.deepEqual(get(), { v: '1' })
  db.prepare(`UPDATE t SET v = '3' WHERE k = 'a'`).run()
  assert.deepEqual(get(), { v: '3' })
  db.close()
})

test('a table watched later is tracked from then on, deletes included', async () => {
  const { db, path, read } = table()
  db.exec('CREATE TABLE later (k TEXT PRIMARY KEY)')
  db.prepare(`INSERT INTO later VALUES ('p')`).run()
  const cache = new ReadCache(db)
  cache.watch('later')
  const stmt = db.prepare<[string], { k: string }>('SELECT k FROM later WHERE k = ?')
  assert.deepEqual(
    cache.get('p', () => stmt.get('p')),
    { k: 'p' },
  )
  await elsewhere(path, `DELETE FROM later WHERE k = 'p'`)
  assert.equal(
    cache.get('p', () => stmt.get('p')),
    undefined,
  )
  assert.equal(read('a'), undefined)
  db.close()
})

test('a check that fails is made again by the next read, not taken as passed', async () => {
  const { db, path, read } = table()
  // the generation counter's read fails once on demand, as SQLITE_BUSY or an I/O error would
  let failNext = false
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql)
    if (sql.includes('FROM cache_generation')) {
      const get = stmt.get.bind(stmt)
      stmt.get = (...args: unknown[]) => {
        if (failNext) {
          failNext = false
          throw new Error('database is locked')
        }
        return get(...args)
      }
    }
    return stmt
  }) as typeof db.prepare
  const get = seeded(db, read)
  await elsewhere(path, `UPDATE t SET v = '2' WHERE k = 'a'`)
  failNext = true
  assert.throws(get, /database is locked/)
  assert.deepEqual(get(), { v: '2' })
  db.close()
})

test('cached values are frozen: a caller cannot change what the next one reads', () => {
  const { db } = table()
  const cache = new ReadCache(db)
  const value = cache.get('a', () => ({ state: 'Enabled' }))
  assert.throws(() => {
    ;(value as { state: string }).state = 'Disabled'
  }, TypeError)
  assert.deepEqual(
    cache.get('a', () => ({ state: 'other' })),
    { state: 'Enabled' },
  )
  db.close()
})

test('a key disabled by another process is refused on the next call', async () => {
  const t = openTestKms()
  try {
    const { keyMetadata } = await t.kms.createKey({})
    await t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: bytes('x') })
    // a separate process with its own connection disables the key
    const script = `
      import Database from 'better-sqlite3'
      const db = new Database(process.argv[1] + '/keystore.db')
      db.prepare("UPDATE kms_keys SET state = 'Disabled' WHERE key_id = ?").run(process.argv[2])`
    await run(process.execPath, ['--input-type=module', '-e', script, t.home, keyMetadata.keyId], {
      cwd: process.cwd(),
    })
    await assert.rejects(
      t.kms.encrypt({ keyId: keyMetadata.keyId, plaintext: bytes('x') }),
      /DisabledException|is disabled/,
    )
  } finally {
    t.close()
  }
})
