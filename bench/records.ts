// Records: insert and read N records with three encrypted fields (email, phone, address) on
// SQLite (better-sqlite3, a file) and PostgreSQL (pg, 127.0.0.1:5432/test, a scratch schema),
// against the same queries on a plaintext table. Reads are keyset pages of 100. The KMS is the
// embedded one (a real SQLite keystore with its audit log), wrapped in a counter.
// RECORDS_BENCH_COUNT sets N (default 100,000); RECORDS_BENCH_PG=0 skips PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { openLocalKms } from '../src/cli/runtime/local-kms.js'
import type { KmsPort } from '../src/kms/types/index.js'
import { encryptedTable, RecordKeyLru, type EncryptedTable } from '../src/records/index.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scratch tables made at run time
type AnyDb = Kysely<any>
type Row = Record<string, unknown>

const COUNT = Number(process.env['RECORDS_BENCH_COUNT'] ?? 100_000)
const PAGE = 100
const BATCH = 500
const PG_URL = process.env['RECORDS_BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Line {
  db: string
  what: string
  plain: string
  sealbox: string
  overhead: string
  kms: string
}
const lines: Line[] = []

function counting(kms: KmsPort): { kms: KmsPort; calls: () => number; reset: () => void } {
  let n = 0
  const proxy = new Proxy(kms, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      return (...args: unknown[]) => {
        n++
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { kms: proxy, calls: () => n, reset: () => (n = 0) }
}

function person(i: number): Row {
  return {
    id: i + 1,
    name: `user ${i + 1}`,
    email: `user${i + 1}@example.com`,
    phone: `+1 555 ${String(i).padStart(7, '0')}`,
    address: `${i + 1} Example Street, Springfield`,
  }
}

async function createTables(db: AnyDb): Promise<void> {
  for (const [table, keyed] of [
    ['plain_users', false],
    ['sealed_users', true],
  ] as const) {
    let t = db.schema
      .createTable(table)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('address', 'text')
    if (keyed) t = t.addColumn('encrypted_kms_key', 'text')
    await t.execute()
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now()
  await fn()
  return (performance.now() - t) / 1000
}

async function readPages(
  db: AnyDb,
  table: string,
  each: (rows: Row[]) => Promise<unknown>,
): Promise<number> {
  let last = 0
  let pages = 0
  for (;;) {
    const rows = (await db
      .selectFrom(table)
      .selectAll()
      .where('id', '>', last)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as Row[]
    if (rows.length === 0) return pages
    await each(rows)
    pages++
    last = Number(rows[rows.length - 1]!['id'])
  }
}

const rate = (n: number, s: number): string => `${Math.round(n / s).toLocaleString('en-US')}/s`

async function run(label: string, db: AnyDb, kms: KmsPort, keyId: string): Promise<void> {
  const counter = counting(kms)
  const spec = { table: 'sealed_users', model: 'User', fields: ['email', 'phone', 'address'] }
  const sealed: EncryptedTable = encryptedTable(db, spec, { kms: counter.kms, keyIds: [keyId] })
  await createTables(db)

  const plainInsert = await timed(async () => {
    for (let i = 0; i < COUNT; i += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, COUNT - i) }, (_, j) => person(i + j))
      await db.insertInto('plain_users').values(rows).execute()
    }
  })
  counter.reset()
  const sealedInsert = await timed(async () => {
    for (let i = 0; i < COUNT; i += BATCH) {
      await sealed.insertMany(
        Array.from({ length: Math.min(BATCH, COUNT - i) }, (_, j) => person(i + j)),
      )
    }
  })
  const insertCalls = counter.calls()
  lines.push({
    db: label,
    what: `insert ${COUNT.toLocaleString('en-US')} (batches of ${BATCH})`,
    plain: rate(COUNT, plainInsert),
    sealbox: rate(COUNT, sealedInsert),
    overhead: `${(sealedInsert / plainInsert).toFixed(1)}x`,
    kms: `${(insertCalls / COUNT).toFixed(2)} per record`,
  })

  let plainPages = 0
  const plainRead = await timed(async () => {
    plainPages = await readPages(db, 'plain_users', () => Promise.resolve())
  })
  counter.reset()
  let pages = 0
  let check = 0
  const sealedRead = await timed(async () => {
    pages = await readPages(db, 'sealed_users', async (rows) => {
      const out = await sealed.decryptRows(rows)
      if (out[0]!['email'] !== `user${Number(out[0]!['id'])}@example.com`)
        throw new Error('bench: wrong plaintext')
      check += out.length
    })
  })
  if (check !== COUNT || pages !== plainPages)
    throw new Error(`bench: read ${check} of ${COUNT} records`)
  lines.push({
    db: label,
    what: `read, pages of ${PAGE}`,
    plain: rate(COUNT, plainRead),
    sealbox: rate(COUNT, sealedRead),
    overhead: `${(sealedRead / plainRead).toFixed(1)}x`,
    kms: `${(counter.calls() / pages).toFixed(1)} per page`,
  })

  // The same pages again through a warm data-key cache: what is left is field decryption.
  const cache = new RecordKeyLru({ maxAgeMs: 3_600_000, capacity: COUNT })
  const cached: EncryptedTable = encryptedTable(db, spec, {
    kms: counter.kms,
    keyIds: [keyId],
    cache,
  })
  await readPages(db, 'sealed_users', (rows) => cached.decryptRows(rows))
  counter.reset()
  const warmRead = await timed(async () => {
    await readPages(db, 'sealed_users', (rows) => cached.decryptRows(rows))
  })
  lines.push({
    db: label,
    what: `read, pages of ${PAGE}, warm key cache`,
    plain: rate(COUNT, plainRead),
    sealbox: rate(COUNT, warmRead),
    overhead: `${(warmRead / plainRead).toFixed(1)}x`,
    kms: `${(counter.calls() / pages).toFixed(1)} per page`,
  })
  await cached.dispose()
  await sealed.dispose()
}

async function openPg(): Promise<{ db: AnyDb; close: () => Promise<void> } | string> {
  if (process.env['RECORDS_BENCH_PG'] === '0') return 'skipped (RECORDS_BENCH_PG=0)'
  const schema = `sealbox_bench_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: PG_URL })
  try {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
  } catch (e) {
    await admin.end().catch(() => undefined)
    return `unavailable (${(e as Error).message})`
  }
  const pool = new pg.Pool({
    connectionString: PG_URL,
    max: 8,
    options: `-c search_path=${schema}`,
  })
  const db: AnyDb = new Kysely({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    close: async () => {
      await db.destroy()
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    },
  }
}

const home = mkdtempSync(join(tmpdir(), 'sealbox-bench-records-'))
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
try {
  const keyId = await local.defaultKeyId()
  console.log(
    `${COUNT.toLocaleString('en-US')} records, 3 encrypted fields, embedded KMS (SQLite keystore with audit log)\n`,
  )

  const sqlitePath = join(home, 'bench.db')
  const sqlite = new Database(sqlitePath)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  const sdb: AnyDb = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) })
  await run('sqlite', sdb, local.kms, keyId)
  await sdb.destroy()

  const p = await openPg()
  if (typeof p === 'string') {
    console.log(`postgresql: ${p}`)
  } else {
    try {
      await run('postgresql', p.db, local.kms, keyId)
    } finally {
      await p.close()
    }
  }

  // The embedded KMS alone, for scale: a per-record key costs one of these per record.
  const calls = Math.min(COUNT, 5_000)
  const blobs: Uint8Array[] = []
  const gdk = await timed(async () => {
    for (let i = 0; i < calls; i++) {
      const context = { model: 'Bench', id: String(i) }
      const out = await local.kms.generateDataKey({
        keyId,
        keySpec: 'AES_256',
        encryptionContext: context,
      })
      blobs.push(out.ciphertextBlob)
    }
  })
  const dec = await timed(async () => {
    for (let i = 0; i < calls; i++) {
      await local.kms.decrypt({
        ciphertextBlob: blobs[i]!,
        encryptionContext: { model: 'Bench', id: String(i) },
      })
    }
  })
  lines.push(
    {
      db: 'kms',
      what: `embedded GenerateDataKey alone (${calls})`,
      plain: '',
      sealbox: rate(calls, gdk),
      overhead: '',
      kms: '1 per call',
    },
    {
      db: 'kms',
      what: `embedded Decrypt alone (${calls})`,
      plain: '',
      sealbox: rate(calls, dec),
      overhead: '',
      kms: '1 per call',
    },
  )

  const cols: Array<[keyof Line, string]> = [
    ['db', 'database'],
    ['what', 'operation'],
    ['plain', 'plaintext table'],
    ['sealbox', 'sealbox'],
    ['overhead', 'time ratio'],
    ['kms', 'KMS calls'],
  ]
  const width = cols.map(([k, h]) => Math.max(h.length, ...lines.map((l) => l[k].length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(width[i]!)).join('  ')
  console.log(fmt(cols.map(([, h]) => h)))
  for (const l of lines) console.log(fmt(cols.map(([k]) => l[k])))
} finally {
  local.close()
  rmSync(home, { recursive: true, force: true })
}
