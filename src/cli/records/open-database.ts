import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { SealboxError } from '../../errors/index.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables and columns are named at run time */
export interface OpenDatabase {
  db: Kysely<any>
  kind: 'sqlite' | 'postgres'
  /** Where it is, without credentials (for messages). */
  label: string
  close(): Promise<void>
}

const POSTGRES = /^postgres(?:ql)?:\/\//i

/**
 * `--db`: a postgres:// URL (pg; `?options=-c search_path=...` picks a schema) or the path of
 * an existing SQLite file (better-sqlite3). Loaded lazily by the records commands only.
 */
export async function openDatabase(spec: string | undefined): Promise<OpenDatabase> {
  if (spec === undefined || spec === '') {
    throw new SealboxError('UsageError', 'no database given', {
      hint: 'pass --db PATH (an SQLite file) or --db postgres://user@host:5432/db',
    })
  }
  return POSTGRES.test(spec) ? openPostgres(spec) : openSqlite(spec)
}

async function openSqlite(path: string): Promise<OpenDatabase> {
  const file = resolve(path)
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new SealboxError('UsageError', `no SQLite database at ${file}`, {
      hint: 'give --db the path of an existing SQLite file, or a postgres:// URL',
    })
  }
  const { default: Database } = await import('better-sqlite3')
  let sqlite: InstanceType<typeof Database>
  try {
    sqlite = new Database(file, { fileMustExist: true, timeout: 30_000 })
    sqlite.pragma('busy_timeout = 30000')
  } catch (e) {
    throw new SealboxError(
      'IoError',
      `cannot open the SQLite database ${file}: ${(e as Error).message}`,
      { cause: e },
    )
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) })
  return { db, kind: 'sqlite', label: file, close: () => db.destroy() }
}

async function openPostgres(url: string): Promise<OpenDatabase> {
  const { default: pg } = await import('pg')
  const label = redact(url)
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  // A failing pool emits 'error' for idle clients; without a listener that would crash the CLI.
  pool.on('error', () => undefined)
  try {
    const client = await pool.connect()
    client.release()
  } catch (e) {
    await pool.end().catch(() => undefined)
    throw new SealboxError(
      'IoError',
      `cannot connect to PostgreSQL at ${label}: ${(e as Error).message}`,
      {
        cause: e,
        hint: 'check the host, port, user and database of --db',
      },
    )
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  return { db, kind: 'postgres', label, close: () => db.destroy() }
}

/** The URL without its password. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
