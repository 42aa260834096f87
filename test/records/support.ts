import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { openLocalKms, type LocalKmsHandle } from '../../src/cli/runtime/local-kms.js'
import type { KmsPort } from '../../src/kms/types/index.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- test tables are made at run time */
export type AnyDb = Kysely<any>

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

export interface Kms {
  handle: LocalKmsHandle
  kms: KmsPort
  keyA: string
  keyB: string
  home: string
  close(): void
}

export async function openKms(): Promise<Kms> {
  const home = mkdtempSync(join(tmpdir(), 'sealbox-records-'))
  const handle = openLocalKms(
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
  const keyA = (await handle.kms.createKey({ description: 'records A' })).keyMetadata.arn
  const keyB = (await handle.kms.createKey({ description: 'records B' })).keyMetadata.arn
  return {
    handle,
    kms: handle.kms,
    keyA,
    keyB,
    home,
    close: () => {
      handle.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** A KmsPort that counts calls by method name. */
export function countingKms(kms: KmsPort): {
  kms: KmsPort
  calls: Map<string, number>
  total(name?: string): number
  reset(): void
} {
  const calls = new Map<string, number>()
  const proxy = new Proxy(kms, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function' || typeof prop !== 'string') return v
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1)
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    kms: proxy,
    calls,
    total: (name) =>
      name ? (calls.get(name) ?? 0) : [...calls.values()].reduce((a, b) => a + b, 0),
    reset: () => calls.clear(),
  }
}

export interface TestDb {
  name: 'sqlite' | 'postgres'
  db: AnyDb
  /** A table name unique to this run. */
  table(base: string): string
  close(): Promise<void>
}

let counter = 0
const runTag = `${process.pid}_${Date.now().toString(36)}`

export function openSqlite(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'sealbox-records-db-'))
  const db: AnyDb = new Kysely<any>({
    dialect: new SqliteDialect({ database: new Database(join(dir, 'test.db')) }),
  })
  return {
    name: 'sqlite',
    db,
    table: (base) => `${base}_${++counter}`,
    close: async () => {
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** PostgreSQL, or a reason it is unavailable (tests skip visibly with it). */
export async function openPostgres(): Promise<TestDb | string> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4, connectionTimeoutMillis: 2000 })
  try {
    await pool.query('select 1')
  } catch (err) {
    await pool.end()
    return `PostgreSQL at 127.0.0.1:5432 is unavailable: ${(err as Error).message}`
  }
  const db: AnyDb = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  const made: string[] = []
  return {
    name: 'postgres',
    db,
    table: (base) => {
      const t = `${base}_${runTag}_${++counter}`
      made.push(t)
      return t
    },
    close: async () => {
      for (const t of made) await db.schema.dropTable(t).ifExists().execute()
      for (const meta of ['sealbox_index_keys', 'sealbox_jobs']) {
        const column = meta === 'sealbox_jobs' ? 'table_name' : 'name'
        await pool
          .query(`delete from ${meta} where ${column} = any($1)`, [made])
          .catch(() => undefined)
      }
      await db.destroy()
    },
  }
}

/** A users table: id text, name in clear, email/phone encrypted, email blind index. */
export async function createUsers(db: AnyDb, table: string, extra: string[] = []): Promise<void> {
  let b = db.schema
    .createTable(table)
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('email_bidx', 'varchar(32)')
    .addColumn('encrypted_kms_key', 'text')
  for (const col of extra) b = b.addColumn(col, 'text')
  await b.execute()
}
