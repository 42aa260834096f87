import type { Kysely } from 'kysely'

export const JOBS_TABLE = 'sealbox_jobs'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time */
type AnyDb = Kysely<any>

export interface JobState {
  id: string
  kind: string
  table: string
  /** The last id done (JSON, so that a number stays a number), or null before the first batch. */
  cursor: unknown
  done: number
  state: 'running' | 'done'
}

/** Checkpoints of long record jobs (rotation, migration) in the same database as the records. */
export class JobStore {
  constructor(private readonly db: AnyDb) {}

  async ensureTable(): Promise<void> {
    await this.db.schema
      .createTable(JOBS_TABLE)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('table_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('cursor', 'text')
      .addColumn('done_count', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute()
  }

  async load(id: string): Promise<JobState | undefined> {
    const row = (await this.db
      .selectFrom(JOBS_TABLE)
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()) as
      | {
          id: string
          kind: string
          table_name: string
          cursor: string | null
          done_count: number | string
          state: string
        }
      | undefined
    if (!row) return undefined
    return {
      id: row.id,
      kind: row.kind,
      table: row.table_name,
      cursor: row.cursor === null ? null : (JSON.parse(row.cursor) as unknown),
      done: Number(row.done_count),
      state: row.state === 'done' ? 'done' : 'running',
    }
  }

  async save(job: JobState): Promise<void> {
    const values = {
      kind: job.kind,
      table_name: job.table,
      cursor: job.cursor === null ? null : JSON.stringify(job.cursor),
      done_count: job.done,
      state: job.state,
      updated_at: new Date().toISOString(),
    }
    await this.db
      .insertInto(JOBS_TABLE)
      .values({ id: job.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  }
}
