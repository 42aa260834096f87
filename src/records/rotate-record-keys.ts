import type { Kysely } from 'kysely'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { JobStore } from './job-store.js'
import { mapLimit } from './map-limit.js'
import { idText, resolveTable, type RecordTableSpec, type Row } from './record-table.js'
import { decodeWrappedKeys, encodeWrappedKeys, type WrappedKey } from './wrapped-keys.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time */
type AnyDb = Kysely<any>

export interface RecordJobProgress {
  jobId: string
  /** Records looked at so far (this run and the runs it resumes). */
  done: number
  /** Records to look at in all (counted at the start of this run). */
  total: number
  /** Records changed in this run (or that would be, in a dry run). */
  changed: number
}

export interface RotateRecordKeysOptions {
  kms: KmsPort
  /** The new KMS key(s): every record's data key ends up wrapped under exactly these. */
  keyIds: readonly string[]
  /** Records per batch; the checkpoint is saved after each (default 500). */
  batchSize?: number
  /** Count what would change; write nothing, call no KMS operation on data keys. */
  dryRun?: boolean
  /** The checkpoint's name (default `rotate:<table>:<key ids>`); the same id resumes. */
  jobId?: string
  /** Checked before each batch: an aborted run stops after its last saved checkpoint. */
  signal?: AbortSignal
  /** Called after each batch, once its checkpoint is saved (awaited: a handler may yield there). */
  onProgress?: (p: RecordJobProgress) => void | Promise<void>
  /** ReEncrypt calls in flight at most (default 8). */
  concurrency?: number
}

export interface RecordJobResult {
  jobId: string
  /** Records looked at in this run. */
  scanned: number
  /** Records changed in this run (would be, in a dry run). */
  changed: number
  /** Records already in the wanted state. */
  skipped: number
  /** This run continued from a saved checkpoint. */
  resumed: boolean
  /** False when the signal stopped the run early; run again with the same job id to resume. */
  completed: boolean
}

/**
 * Rewraps every record's data key under new KMS key(s) with ReEncrypt: the data key never
 * leaves the KMS, the field ciphertexts are untouched, and each record keeps its encryption
 * context. Batched by id with a checkpoint in `sealbox_jobs`; a record whose key column changed
 * meanwhile is left alone (compare-and-set) and picked up by the next run.
 */
export async function rotateRecordKeys(
  db: AnyDb,
  spec: RecordTableSpec,
  opts: RotateRecordKeysOptions,
): Promise<RecordJobResult> {
  const s = resolveTable(spec, { requireFields: false })
  if (opts.keyIds.length === 0)
    throw new SealboxError('ValidationException', 'rotation needs at least one new KMS key id')
  const batchSize = opts.batchSize ?? 500
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new SealboxError('ValidationException', 'the batch size must be a positive integer')
  const targetArns: string[] = []
  for (const keyId of opts.keyIds)
    targetArns.push((await opts.kms.describeKey({ keyId })).keyMetadata.arn)
  const jobId = opts.jobId ?? `rotate:${s.table}:${targetArns.join(',')}`

  return runRecordJob(db, {
    jobId,
    kind: 'rotate',
    table: s.table,
    idColumn: s.idColumn,
    batchSize,
    dryRun: opts.dryRun ?? false,
    signal: opts.signal,
    onProgress: opts.onProgress,
    filter: (qb) => qb.where(s.keyColumn, 'is not', null),
    processBatch: async (rows) => {
      const outcomes = await mapLimit(
        rows,
        opts.concurrency ?? 8,
        async (row): Promise<boolean> => {
          const stored = row[s.keyColumn] as string
          const where = `${s.model} ${idText(row[s.idColumn])}`
          const wrapped = decodeWrappedKeys(stored, where)
          if (sameArns(wrapped, targetArns)) return false
          if (opts.dryRun) return true
          const context = s.contextOf(row)
          const rewrapped = await rewrap(opts.kms, wrapped, context, targetArns, where)
          await db
            .updateTable(s.table)
            .set({ [s.keyColumn]: encodeWrappedKeys(rewrapped) })
            .where(s.idColumn, '=', row[s.idColumn] as string)
            .where(s.keyColumn, '=', stored)
            .execute()
          return true
        },
      )
      return outcomes.filter(Boolean).length
    },
  })
}

async function rewrap(
  kms: KmsPort,
  wrapped: readonly WrappedKey[],
  context: Record<string, string>,
  targetArns: readonly string[],
  where: string,
): Promise<WrappedKey[]> {
  let firstOther: unknown
  for (const source of wrapped) {
    try {
      const out: WrappedKey[] = []
      for (const destinationKeyId of targetArns) {
        const r = await kms.reEncrypt({
          ciphertextBlob: source.ciphertextBlob,
          sourceKeyId: source.keyArn,
          sourceEncryptionContext: context,
          destinationKeyId,
          destinationEncryptionContext: context,
        })
        out.push({ keyArn: r.keyId, ciphertextBlob: r.ciphertextBlob })
      }
      return out
    } catch (err) {
      if (isSealboxError(err) && err.code === 'InvalidCiphertextException') continue
      firstOther ??= err
    }
  }
  if (firstOther !== undefined) throw firstOther
  throw new SealboxError(
    'RecordTampered',
    `the data key of ${where} does not open under its encryption context: the key column was altered or copied from another record`,
  )
}

function sameArns(wrapped: readonly WrappedKey[], arns: readonly string[]): boolean {
  return wrapped.length === arns.length && wrapped.every((w, i) => w.keyArn === arns[i])
}

export interface RecordJobSpec {
  jobId: string
  kind: string
  table: string
  idColumn: string
  batchSize: number
  dryRun: boolean
  signal: AbortSignal | undefined
  onProgress: ((p: RecordJobProgress) => void | Promise<void>) | undefined
  filter: (qb: any) => any
  /** Returns how many of the rows it changed. */
  processBatch: (rows: Row[]) => Promise<number>
}

/** Walks a table by id in batches, saving a checkpoint after each (never in a dry run). */
export async function runRecordJob(db: AnyDb, job: RecordJobSpec): Promise<RecordJobResult> {
  const jobs = new JobStore(db)
  await jobs.ensureTable()
  const saved = await jobs.load(job.jobId)
  const resumed = saved !== undefined && saved.state === 'running'
  let cursor: unknown = resumed ? saved.cursor : null
  let done = resumed ? saved.done : 0
  const remaining = await countFrom(db, job, cursor)
  const total = done + remaining
  let scanned = 0
  let changed = 0
  let skipped = 0
  for (;;) {
    if (job.signal?.aborted)
      return { jobId: job.jobId, scanned, changed, skipped, resumed, completed: false }
    let qb = job.filter(db.selectFrom(job.table).selectAll())
    if (cursor !== null) qb = qb.where(job.idColumn, '>', cursor)
    const rows = (await qb.orderBy(job.idColumn).limit(job.batchSize).execute()) as Row[]
    if (rows.length === 0) break
    const n = await job.processBatch(rows)
    cursor = rows[rows.length - 1]![job.idColumn]
    scanned += rows.length
    done += rows.length
    changed += n
    skipped += rows.length - n
    if (!job.dryRun)
      await jobs.save({
        id: job.jobId,
        kind: job.kind,
        table: job.table,
        cursor,
        done,
        state: 'running',
      })
    await job.onProgress?.({ jobId: job.jobId, done, total, changed })
    if (rows.length < job.batchSize) break
  }
  if (!job.dryRun)
    await jobs.save({
      id: job.jobId,
      kind: job.kind,
      table: job.table,
      cursor,
      done,
      state: 'done',
    })
  return { jobId: job.jobId, scanned, changed, skipped, resumed, completed: true }
}

async function countFrom(db: AnyDb, job: RecordJobSpec, cursor: unknown): Promise<number> {
  let qb = job.filter(db.selectFrom(job.table).select((eb: any) => eb.fn.countAll().as('n')))
  if (cursor !== null) qb = qb.where(job.idColumn, '>', cursor)
  const row = (await qb.executeTakeFirst()) as { n: number | string | bigint } | undefined
  return Number(row?.n ?? 0)
}
