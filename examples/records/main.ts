// Users with an encrypted email and phone, on SQLite and the embedded KMS, with no set-up:
// `npm run example:records`. The keystore and the database live in <tmpdir>/sealbox-example (or
// $SEALBOX_HOME); run it again and it starts the database afresh.
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { Runtime } from '../../src/cli/runtime/index.js'
import { isSealboxError } from '../../src/errors/index.js'
import { encryptedTable, type FieldValue } from '../../src/records/index.js'

const home = resolve(process.env['SEALBOX_HOME'] ?? join(tmpdir(), 'sealbox-example'))
mkdirSync(home, { recursive: true, mode: 0o700 })
const runtime = new Runtime(() => ({ home }))
const dbPath = join(home, 'users.db')
rmSync(dbPath, { force: true })

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the example declares its table below
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(dbPath) }) })
await db.schema
  .createTable('users')
  .addColumn('id', 'integer', (c) => c.primaryKey())
  .addColumn('name', 'text', (c) => c.notNull())
  .addColumn('email', 'text') // ciphertext (base64)
  .addColumn('phone', 'text') // ciphertext (base64)
  .addColumn('email_bidx', 'text') // keyed blind index: equality search on email
  .addColumn('encrypted_kms_key', 'text') // the record's data key, wrapped by the KMS
  .execute()
await db.schema.createIndex('users_email_bidx').on('users').column('email_bidx').execute()

const lowerCase = (v: FieldValue): FieldValue =>
  typeof v === 'string' ? v.trim().toLowerCase() : v
const users = encryptedTable(
  db,
  {
    table: 'users',
    model: 'User',
    fields: ['email', 'phone'],
    blindIndexes: { email: { normalize: lowerCase } },
  },
  { kms: await runtime.kms(), keyIds: [await runtime.defaultKeyId()] },
)

try {
  await users.insertMany([
    { id: 1, name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0001' },
    { id: 2, name: 'Grace', email: 'grace@example.com', phone: null },
    { id: 3, name: 'Alan', email: 'alan@example.com', phone: '+44 161 496 0003' },
  ])

  const stored = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', 1)
    .executeTakeFirstOrThrow()
  console.log('as stored in SQLite:')
  console.log(`  email             ${String(stored['email'])}`)
  console.log(`  encrypted_kms_key ${String(stored['encrypted_kms_key']).slice(0, 60)}…`)

  console.log('\nread back (one KMS Decrypt per record, with context {model: User, id}):')
  for (const user of await users.find((qb) => qb.orderBy('id'))) {
    console.log(
      `  ${String(user['id'])}  ${String(user['name']).padEnd(6)} ${String(user['email']).padEnd(20)} ${String(user['phone'])}`,
    )
  }

  const [found] = await users.whereBlind('email', '  GRACE@example.com')
  console.log(`\nfound by email through the blind index: ${String(found?.['name'])}`)

  await users.update(2, { phone: '+1 202 555 0102' })
  console.log(`Grace's new phone: ${String((await users.findById(2))?.['phone'])}`)

  await users.shred(3)
  try {
    await users.findById(3)
  } catch (e) {
    if (!isSealboxError(e)) throw e
    console.log(`\nafter shredding Alan: ${e.code}: ${e.message}`)
  }

  const audit = await runtime.audit()
  console.log('\nwho used the key of User 1 (from the KMS audit log):')
  for (const event of audit.query({ context: { model: 'User', id: '1' } })) {
    console.log(
      `  ${event.time.toISOString()}  ${event.operation.padEnd(16)} ${event.principal}  ${event.outcome}`,
    )
  }
  console.log(
    `\nthe same from the command line:\n  sealbox --home ${home} audit ls --context model=User --context id=1`,
  )
} finally {
  await users.dispose()
  await db.destroy()
  runtime.close()
}
