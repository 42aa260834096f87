import type { Kysely } from 'kysely'
import { zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { EncryptedTable } from './encrypted-table.js'
import { mapLimit } from './map-limit.js'
import type { RecordTableSpec, Row } from './record-table.js'
import { runRecordJob, type RecordJobProgress, type RecordJobResult } from './rotate-record-keys.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time */
type AnyDb = Kysely<any>

export interface MigratePlaintextColumnOptions {
  kms: KmsPort
  /** KMS key(s) for records that have no data key yet. */
  keyIds: readonly string[]
  /** The plaintext column read, then set to null. */
  from: string
  /** The encrypted field written (one of `spec.fields`). */
  to: string
  batchSize?: number
  /** Count what would change; write nothing. */
  dryRun?: boolean
  /** The checkpoint's name (default `migrate:<table>:<from>:<to>`); the same id resumes. */
  jobId?: string
  signal?: AbortSignal
  onProgress?: (p: RecordJobProgress) => void | Promise<void>
  concurrency?: number
}

/**
 * Moves a plaintext column into an encrypted field, record by record: each record's value is
 * sealed under its own data key (made if the record has none) and the plaintext column is set
 * to null in the same UPDATE. Records whose plaintext is already null are done, so a run that
 * stops anywhere resumes where it left off (and the checkpoint in `sealbox_jobs` says so).
 */
export async function migratePlaintextColumn(
  db: AnyDb,
  spec: RecordTableSpec,
  opts: MigratePlaintextColumnOptions,
): Promise<RecordJobResult> {
  const table = new EncryptedTable(db, spec, { kms: opts.kms, keyIds: opts.keyIds })
  const s = table.spec
  if (!s.fields.includes(opts.to)) {
    throw new SealboxError(
      'ValidationException',
      `${opts.to} is not an encrypted field of ${s.table}`,
    )
  }
  if (opts.from === opts.to || s.fields.includes(opts.from)) {
    throw new SealboxError(
      'ValidationException',
      `the plaintext column ${opts.from} must be a separate, unencrypted column`,
    )
  }
  const batchSize = opts.batchSize ?? 500
  try {
    return await runRecordJob(db, {
      jobId: opts.jobId ?? `migrate:${s.table}:${opts.from}:${opts.to}`,
      kind: 'migrate',
      table: s.table,
      idColumn: s.idColumn,
      batchSize,
      dryRun: opts.dryRun ?? false,
      signal: opts.signal,
      onProgress: opts.onProgress,
      filter: (qb) => qb.where(opts.from, 'is not', null),
      processBatch: async (rows: Row[]) => {
        if (opts.dryRun) return rows.length
        await mapLimit(rows, opts.concurrency ?? 8, async (row) => {
          const set: Row = {}
          const dataKey = await table.keyOf(row, set)
          try {
            await table.sealFields(
              set,
              { [s.idColumn]: row[s.idColumn], [opts.to]: row[opts.from] },
              dataKey,
            )
          } finally {
            zero(dataKey)
          }
          set[opts.from] = null
          let update = db
            .updateTable(s.table)
            .set(set)
            .where(s.idColumn, '=', row[s.idColumn] as string)
          // compare-and-set: a concurrent writer's key is never overwritten by ours
          update =
            row[s.keyColumn] === null || row[s.keyColumn] === undefined
              ? update.where(s.keyColumn, 'is', null)
              : update.where(s.keyColumn, '=', row[s.keyColumn] as string)
          await update.execute()
        })
        return rows.length
      },
    })
  } finally {
    await table.dispose()
  }
}
