// `sealbox records rotate|migrate` end to end: the compiled CLI in a child process, on a real
// SQLite file and on the PostgreSQL server at 127.0.0.1:5432 (a scratch schema per run), with
// the embedded KMS in a temporary SEALBOX_HOME that the test opens too.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { openLocalKms, type LocalKmsHandle } from '../../src/cli/runtime/local-kms.js'
import { decodeWrappedKeys, encryptedTable, type FieldValue } from '../../src/records/index.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scratch tables made at run time
type AnyDb = Kysely<any>
type Row = Record<string, unknown>

const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js')
const PG_BASE = 'postgres://postgres@127.0.0.1:5432/test'

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function sealbox(home: string, args: string[]): Promise<Result> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SEALBOX_HOME: home }
    delete env['KMS_KEY_ID']
    delete env['CMK_KEY_ID']
    delete env['SEALBOX_KMS']
    const child = spawn(process.execPath, [MAIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

interface Target {
  name: string
  /** What `--db` gets. */
  url: string
  db: AnyDb
  close(): Promise<void>
}

async function sqliteTarget(dir: string): Promise<Target> {
  const file = join(dir, 'app.db')
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  const db: AnyDb = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) })
  return { name: 'sqlite', url: file, db, close: () => db.destroy() }
}

async function postgresTarget(): Promise<Target | string> {
  const schema = `sealbox_cli_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: PG_BASE })
  try {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
  } catch (e) {
    await admin.end().catch(() => undefined)
    return `PostgreSQL at 127.0.0.1:5432 is not reachable (${(e as Error).message})`
  }
  const url = `${PG_BASE}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  const db: AnyDb = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  })
  return {
    name: 'postgresql',
    url,
    db,
    close: async () => {
      await db.destroy()
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    },
  }
}

const keyArns = (stored: unknown): string[] =>
  decodeWrappedKeys(stored as string, 'test').map((k) => k.keyArn)
const lower = (v: FieldValue): FieldValue => (typeof v === 'string' ? v.toLowerCase() : v)

const pgTarget = await postgresTarget()

for (const kind of ['sqlite', 'postgresql'] as const) {
  const skip = kind === 'postgresql' && typeof pgTarget === 'string' ? pgTarget : false
  describe(`sealbox records on ${kind}`, { skip }, () => {
    let home: string
    let local: LocalKmsHandle
    let t: Target
    let keyA: string
    let keyB: string

    before(async () => {
      home = mkdtempSync(join(tmpdir(), 'sealbox-records-cli-'))
      local = openLocalKms(
        {
          home,
          kms: 'local',
          keyId: undefined,
          kmsEndpoint: undefined,
          region: undefined,
          secretsLocation: undefined,
        },
        {},
      )
      keyA = (await local.kms.createKey({ description: 'records A' })).keyMetadata.arn
      keyB = (await local.kms.createKey({ description: 'records B' })).keyMetadata.arn
      t = kind === 'sqlite' ? await sqliteTarget(home) : (pgTarget as Target)
    })
    after(async () => {
      await t.close()
      local.close()
      rmSync(home, { recursive: true, force: true })
    })

    async function usersTable(table: string, count: number): Promise<void> {
      await t.db.schema
        .createTable(table)
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('encrypted_kms_key', 'text')
        .execute()
      const users = encryptedTable(
        t.db,
        { table, model: 'User', fields: ['email'] },
        { kms: local.kms, keyIds: [keyA] },
      )
      await users.insertMany(
        Array.from({ length: count }, (_, i) => ({
          id: i + 1,
          name: `n${i + 1}`,
          email: `u${i + 1}@example.com`,
        })),
      )
      await users.dispose()
    }

    const keysOf = async (table: string): Promise<Row[]> =>
      (await t.db
        .selectFrom(table)
        .select(['id', 'encrypted_kms_key'])
        .orderBy('id')
        .execute()) as Row[]

    test('rotate: dry run, a paused run, the resumed run, then every key under the new KMS key alone', async () => {
      await usersTable('users_rot', 23)
      const base = [
        'records',
        'rotate',
        '--db',
        t.url,
        '--table',
        'users_rot',
        '--model',
        'User',
        '--key-id',
        keyB,
      ]
      const before = await keysOf('users_rot')

      const dry = await sealbox(home, [...base, '--dry-run'])
      assert.equal(dry.code, 0, dry.stderr)
      assert.equal(dry.stdout, `23 of 23 records of users_rot would be rewrapped under ${keyB}\n`)
      assert.match(dry.stderr, /dry run: nothing was changed/)
      assert.deepEqual(await keysOf('users_rot'), before)

      const paused = await sealbox(home, [...base, '--batch', '10', '--max-batches', '1'])
      assert.equal(paused.code, 0, paused.stderr)
      assert.match(paused.stderr, /rotation paused after 10 records/)
      const mid = await keysOf('users_rot')
      assert.equal(mid.filter((r) => keyArns(r['encrypted_kms_key']).join() === keyB).length, 10)
      assert.equal(mid.filter((r) => keyArns(r['encrypted_kms_key']).join() === keyA).length, 13)
      const midStatus = await sealbox(home, [
        'records',
        'status',
        '--db',
        t.url,
        '--table',
        'users_rot',
        '--output',
        'json',
      ])
      assert.equal(midStatus.code, 0, midStatus.stderr)
      const ms = JSON.parse(midStatus.stdout) as {
        records: number
        byKeys: Record<string, number>
        jobs: Row[]
      }
      assert.equal(ms.records, 23)
      assert.deepEqual(ms.byKeys, { [keyB]: 10, [keyA]: 13 })
      assert.deepEqual(
        ms.jobs.map((j) => [j['state'], Number(j['done_count'])]),
        [['running', 10]],
      )

      const resumed = await sealbox(home, [
        ...base,
        '--batch',
        '10',
        '--output',
        'json',
        '--progress',
      ])
      assert.equal(resumed.code, 0, resumed.stderr)
      const result = JSON.parse(resumed.stdout) as Record<string, unknown>
      assert.equal(result['resumed'], true)
      assert.equal(result['completed'], true)
      assert.equal(result['scanned'], 13)
      assert.equal(result['changed'], 13)
      assert.match(resumed.stderr, /23\/23 records \(100%\)/)
      const after = await keysOf('users_rot')
      for (const r of after) assert.deepEqual(keyArns(r['encrypted_kms_key']), [keyB])

      // The old key is of no use any more: disable it, and every record still reads.
      await local.kms.disableKey({ keyId: keyA })
      try {
        const users = encryptedTable(
          t.db,
          { table: 'users_rot', model: 'User', fields: ['email'] },
          { kms: local.kms, keyIds: [keyB] },
        )
        const all = await users.find((qb) => qb.orderBy('id'))
        assert.equal(all.length, 23)
        assert.deepEqual(
          all.map((r) => r['email']),
          Array.from({ length: 23 }, (_, i) => `u${i + 1}@example.com`),
        )
        await users.dispose()
      } finally {
        await local.kms.enableKey({ keyId: keyA })
      }
      // The rewrap is in the audit trail under the record's own context.
      const events = [...local.audit.query({ context: { model: 'User', id: '17' } })]
      assert.ok(events.some((e) => e.operation === 'ReEncrypt' && e.outcome === 'ok'))

      const again = await sealbox(home, base)
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stderr, /0 records rewrapped under .*, 23 already under it/)
    })

    test('rotate: a key column copied into another record stops the run with RecordTampered (exit 4)', async () => {
      await usersTable('users_bad', 6)
      const donor = (await t.db
        .selectFrom('users_bad')
        .select('encrypted_kms_key')
        .where('id', '=', 2)
        .executeTakeFirstOrThrow()) as Row
      await t.db
        .updateTable('users_bad')
        .set({ encrypted_kms_key: donor['encrypted_kms_key'] })
        .where('id', '=', 5)
        .execute()
      const run = await sealbox(home, [
        'records',
        'rotate',
        '--db',
        t.url,
        '--table',
        'users_bad',
        '--model',
        'User',
        '--key-id',
        keyB,
        '--batch',
        '2',
      ])
      assert.equal(run.code, 4, run.stderr)
      assert.match(run.stderr, /sealbox: error: .*User 5/)
      assert.match(run.stderr, /sealbox: hint: .*run the same command again to resume/)
      const rows = await keysOf('users_bad')
      // The batches before the bad record were rotated and checkpointed; record 5 kept its column.
      assert.deepEqual(keyArns(rows[0]!['encrypted_kms_key']), [keyB])
      assert.deepEqual(keyArns(rows[3]!['encrypted_kms_key']), [keyB])
      assert.equal(rows[4]!['encrypted_kms_key'], donor['encrypted_kms_key'])

      // A record whose key column was cleared still holds ciphertext: status finds it.
      await t.db
        .updateTable('users_bad')
        .set({ encrypted_kms_key: null })
        .where('id', '=', 6)
        .execute()
      const status = await sealbox(home, [
        'records',
        'status',
        '--db',
        t.url,
        '--table',
        'users_bad',
        '--field',
        'email',
      ])
      assert.equal(status.code, 0, status.stderr)
      assert.match(status.stdout, /^records\t6\n/)
      assert.match(
        status.stdout,
        /\nwithout a data key\t1\n {2}of which hold encrypted values \(shredded or damaged\)\t1\n/,
      )
    })

    test('migrate: a plaintext column sealed into an encrypted field with its blind index, resumably', async () => {
      await t.db.schema
        .createTable('contacts')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email_plain', 'text')
        .addColumn('email', 'text')
        .addColumn('email_bidx', 'text')
        .addColumn('encrypted_kms_key', 'text')
        .execute()
      const plain = Array.from({ length: 15 }, (_, i) => ({
        id: i + 1,
        email_plain: i === 6 ? null : `User${i + 1}@Example.com`,
      }))
      await t.db.insertInto('contacts').values(plain).execute()
      const base = [
        'records',
        'migrate',
        '--db',
        t.url,
        '--table',
        'contacts',
        '--model',
        'Contact',
        '--from',
        'email_plain',
        '--to',
        'email',
      ]
      const flags = ['--blind-index', '--normalize', 'lowercase', '--key-id', keyA, '--batch', '4']

      const dry = await sealbox(home, [...base, ...flags, '--dry-run'])
      assert.equal(dry.code, 0, dry.stderr)
      assert.equal(
        dry.stdout,
        '14 records of contacts have a plaintext email_plain to seal into email\n',
      )

      const paused = await sealbox(home, [...base, ...flags, '--max-batches', '2'])
      assert.equal(paused.code, 0, paused.stderr)
      assert.match(paused.stderr, /migration paused after 8 records/)
      const mid = (await t.db.selectFrom('contacts').selectAll().orderBy('id').execute()) as Row[]
      assert.equal(mid.filter((r) => r['email_plain'] === null && r['email'] !== null).length, 8)

      const rest = await sealbox(home, [...base, ...flags])
      assert.equal(rest.code, 0, rest.stderr)
      assert.match(
        rest.stderr,
        /migration of contacts\.email_plain finished: 6 records sealed into email/,
      )

      const rows = (await t.db.selectFrom('contacts').selectAll().orderBy('id').execute()) as Row[]
      for (const r of rows) {
        assert.equal(r['email_plain'], null)
        if (r['id'] !== 7) assert.doesNotMatch(String(r['email']), /example/i)
      }
      const contacts = encryptedTable(
        t.db,
        {
          table: 'contacts',
          model: 'Contact',
          fields: ['email'],
          blindIndexes: { email: { normalize: lower } },
        },
        { kms: local.kms, keyIds: [keyA] },
      )
      const read = await contacts.find((qb) => qb.orderBy('id'))
      assert.deepEqual(
        read.map((r) => r['email']),
        plain.map((p) => p.email_plain),
      )
      const found = await contacts.whereBlind('email', 'USER3@EXAMPLE.COM')
      assert.deepEqual(
        found.map((r) => r['id']),
        [3],
      )
      await contacts.dispose()
    })
  })
}

describe('sealbox records rotate: Ctrl-C', () => {
  test('SIGINT stops after the batch in flight (exit 130); the same command resumes from the checkpoint', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sealbox-records-cli-'))
    const local = openLocalKms(
      {
        home,
        kms: 'local',
        keyId: undefined,
        kmsEndpoint: undefined,
        region: undefined,
        secretsLocation: undefined,
      },
      {},
    )
    const t = await sqliteTarget(home)
    try {
      const keyA = (await local.kms.createKey({})).keyMetadata.arn
      const keyB = (await local.kms.createKey({})).keyMetadata.arn
      await t.db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('email', 'text')
        .addColumn('encrypted_kms_key', 'text')
        .execute()
      const users = encryptedTable(
        t.db,
        { table: 'users', fields: ['email'] },
        { kms: local.kms, keyIds: [keyA] },
      )
      await users.insertMany(
        Array.from({ length: 400 }, (_, i) => ({ id: i + 1, email: `u${i + 1}@example.com` })),
      )
      await users.dispose()
      const args = [
        'records',
        'rotate',
        '--db',
        t.url,
        '--table',
        'users',
        '--key-id',
        keyB,
        '--batch',
        '40',
      ]

      // Interrupted once the first batch is reported: the batch in flight finishes, then it stops.
      const first = await new Promise<Result>((done, fail) => {
        const child = spawn(process.execPath, [MAIN, ...args, '--progress'], {
          env: { ...process.env, SEALBOX_HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        let sent = false
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString()
          if (!sent && stderr.includes('40/400 records')) {
            sent = true
            child.kill('SIGINT')
          }
        })
        child.on('error', fail)
        child.on('close', (code) => done({ code, stdout, stderr }))
      })
      assert.equal(first.code, 130, first.stderr)
      const stopped = /rotation interrupted after (\d+) records; its checkpoint is saved/.exec(
        first.stderr,
      )
      assert.ok(stopped, first.stderr)
      const doneFirst = Number(stopped[1])
      assert.ok(doneFirst >= 40 && doneFirst < 400 && doneFirst % 40 === 0, first.stderr)
      assert.match(first.stderr, /sealbox: hint: run the same command again to resume/)
      const rows = (await t.db
        .selectFrom('users')
        .select('encrypted_kms_key')
        .orderBy('id')
        .execute()) as Row[]
      assert.equal(
        rows.filter((r) => keyArns(r['encrypted_kms_key']).join() === keyB).length,
        doneFirst,
      )

      const second = await sealbox(home, [...args, '--output', 'json'])
      assert.equal(second.code, 0, second.stderr)
      const result = JSON.parse(second.stdout) as Record<string, unknown>
      assert.equal(result['resumed'], true)
      assert.equal(result['scanned'], 400 - doneFirst)
      assert.match(second.stderr, /\(resumed from a checkpoint\)/)
    } finally {
      await t.close()
      local.close()
      rmSync(home, { recursive: true, force: true })
    }
  })
})

describe('sealbox records: usage and connection errors', () => {
  let home: string
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'sealbox-records-cli-'))
  })
  after(() => rmSync(home, { recursive: true, force: true }))

  test('a missing --db, a missing file, a bad number, a missing flag: exit 2 with a hint', async () => {
    const noDb = await sealbox(home, ['records', 'rotate', '--table', 'users'])
    assert.equal(noDb.code, 2, noDb.stderr)
    assert.match(noDb.stderr, /sealbox: error: no database given\nsealbox: hint: pass --db/)
    const missing = await sealbox(home, [
      'records',
      'rotate',
      '--db',
      join(home, 'nope.db'),
      '--table',
      'users',
    ])
    assert.equal(missing.code, 2, missing.stderr)
    assert.match(missing.stderr, /no SQLite database at .*nope\.db/)
    const batch = await sealbox(home, [
      'records',
      'rotate',
      '--db',
      join(home, 'nope.db'),
      '--table',
      'users',
      '--batch',
      '0',
    ])
    assert.equal(batch.code, 2, batch.stderr)
    assert.match(batch.stderr, /--batch takes a positive integer, not '0'/)
    const from = await sealbox(home, [
      'records',
      'migrate',
      '--db',
      join(home, 'nope.db'),
      '--table',
      'users',
      '--to',
      'email',
    ])
    assert.equal(from.code, 2, from.stderr)
    assert.match(from.stderr, /--from is required/)
    const normalize = await sealbox(home, [
      'records',
      'migrate',
      '--table',
      't',
      '--from',
      'a',
      '--to',
      'b',
      '--normalize',
      'upper',
    ])
    assert.equal(normalize.code, 2, normalize.stderr)
    assert.match(normalize.stderr, /unknown --normalize 'upper'/)
  })

  test('a table that is not there names the table and columns (exit 2)', async () => {
    const file = join(home, 'empty.db')
    new Database(file).close()
    const run = await sealbox(home, ['records', 'rotate', '--db', file, '--table', 'ghosts'])
    assert.equal(run.code, 2)
    assert.match(run.stderr, /cannot read id, encrypted_kms_key of table ghosts .*no such table/)
    assert.equal(run.stdout, '')
  })

  test('an unreachable PostgreSQL is an I/O error (exit 8), the password not echoed', async () => {
    const run = await sealbox(home, [
      'records',
      'rotate',
      '--db',
      'postgres://app:s3cret@127.0.0.1:1/test',
      '--table',
      'users',
    ])
    assert.equal(run.code, 8, run.stderr)
    assert.match(
      run.stderr,
      /cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/test/,
    )
    assert.doesNotMatch(run.stderr, /s3cret/)
  })
})
