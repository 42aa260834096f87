import type { Writable } from 'node:stream'
import { SealboxError } from '../../errors/index.js'
import type { KmsPort } from '../../kms/types/index.js'
import type { RecordJobProgress, RecordJobResult, RecordTableSpec } from '../../records/index.js'
import type { Runtime } from '../runtime/index.js'
import { openDatabase, type OpenDatabase } from './open-database.js'

/** The streams a records command writes to (the process's own, or a test's). */
export interface RecordsIo {
  stdout: Writable
  stderr: Writable & { isTTY?: boolean }
}

export const processIo: RecordsIo = { stdout: process.stdout, stderr: process.stderr }

/** Flags every records job command takes. */
export interface JobFlags {
  db?: string
  table?: string
  model?: string
  idColumn?: string
  keyColumn?: string
  keyId?: string[]
  batch?: string
  maxBatches?: string
  job?: string
  dryRun?: boolean
  output?: string
  progress?: boolean
}

export interface JobSetup {
  database: OpenDatabase
  kms: KmsPort
  keyIds: string[]
  batchSize: number | undefined
  maxBatches: number | undefined
  json: boolean
  table: string
  /** The table spec without its fields (the command adds what it needs). */
  spec: Omit<RecordTableSpec, 'fields'>
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new SealboxError('UsageError', `${flag} takes a positive integer, not '${value}'`)
  }
  return Number(value)
}

export function needFlag(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value === '') {
    throw new SealboxError('UsageError', `${flag} is required: ${what}`)
  }
  return value
}

/** Checks the flags, opens the database and the KMS; the caller closes `database`. */
export async function setUpJob(runtime: Runtime, flags: JobFlags): Promise<JobSetup> {
  const table = needFlag(flags.table, '--table', 'the table whose records to process')
  const batchSize = positiveInt(flags.batch, '--batch')
  const maxBatches = positiveInt(flags.maxBatches, '--max-batches')
  if (flags.output !== undefined && flags.output !== 'text' && flags.output !== 'json') {
    throw new SealboxError(
      'UsageError',
      `unknown output format '${flags.output}': expected text or json`,
    )
  }
  const keyIds =
    flags.keyId !== undefined && flags.keyId.length > 0
      ? flags.keyId
      : [await runtime.defaultKeyId()]
  const kms = await runtime.kms()
  const database = await openDatabase(flags.db)
  const spec = {
    table,
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(flags.idColumn !== undefined ? { idColumn: flags.idColumn } : {}),
    ...(flags.keyColumn !== undefined ? { keyColumn: flags.keyColumn } : {}),
  }
  try {
    await checkColumns(database, table, [
      flags.idColumn ?? 'id',
      flags.keyColumn ?? 'encrypted_kms_key',
    ])
  } catch (e) {
    await database.close()
    throw e
  }
  return {
    database,
    kms,
    keyIds,
    batchSize,
    maxBatches,
    json: flags.output === 'json',
    table,
    spec,
  }
}

/** Fails with a usage error naming the table and columns when they are not there. */
export async function checkColumns(
  database: OpenDatabase,
  table: string,
  columns: string[],
): Promise<void> {
  try {
    await database.db.selectFrom(table).select(columns).limit(1).execute()
  } catch (e) {
    throw new SealboxError(
      'UsageError',
      `cannot read ${columns.join(', ')} of table ${table} in ${database.label}: ${(e as Error).message}`,
      { cause: e, hint: 'check --table, --id-column and --key-column' },
    )
  }
}

/**
 * Stops a job cleanly: after `maxBatches` batches, or on SIGINT/SIGTERM after the batch in
 * flight (its checkpoint is saved first). Progress goes to stderr when it is a terminal or
 * `--progress` is given.
 */
export class JobControl {
  readonly controller = new AbortController()
  interrupted = false
  private batches = 0
  private readonly onSignal = (): void => {
    this.interrupted = true
    this.controller.abort()
  }

  constructor(
    private readonly io: RecordsIo,
    private readonly label: string,
    private readonly maxBatches: number | undefined,
    private readonly showProgress: boolean,
  ) {
    process.on('SIGINT', this.onSignal)
    process.on('SIGTERM', this.onSignal)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** The job's progress callback: counts batches and reports them. */
  readonly onProgress = (p: RecordJobProgress): void => {
    this.batches++
    if (this.showProgress) {
      const pct = p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total)
      this.io.stderr.write(
        `sealbox: ${this.label}: ${p.done}/${p.total} records (${pct}%), ${p.changed} changed\n`,
      )
    }
    if (this.maxBatches !== undefined && this.batches >= this.maxBatches) this.controller.abort()
  }

  /**
   * The KMS, letting the event loop run before each call: with SQLite and the embedded KMS a
   * whole job is otherwise one chain of microtasks, and a signal would be seen only at its end.
   */
  yielding(kms: KmsPort): KmsPort {
    return new Proxy(kms, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof value !== 'function') return value
        return async (...args: unknown[]): Promise<unknown> => {
          await new Promise((resolve) => setImmediate(resolve))
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        }
      },
    })
  }

  close(): void {
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
  }
}

/** `1 record`, `2 records`. */
export function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`
}

/** Prints the outcome of a job; an interrupted run becomes an `Interrupted` error. */
export function finishJob(
  io: RecordsIo,
  control: JobControl,
  result: RecordJobResult,
  json: boolean,
  text: { done: string; verb: string },
): void {
  if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  if (result.completed) {
    io.stderr.write(
      `sealbox: ${text.done}${result.resumed ? ' (resumed from a checkpoint)' : ''}\n`,
    )
    return
  }
  const where = `after ${records(result.scanned)}${result.resumed ? ' of this run' : ''}`
  if (control.interrupted) {
    throw new SealboxError(
      'Interrupted',
      `${text.verb} interrupted ${where}; its checkpoint is saved`,
      {
        hint: 'run the same command again to resume',
      },
    )
  }
  io.stderr.write(
    `sealbox: ${text.verb} paused ${where} (--max-batches); run the same command again to resume\n`,
  )
}

/** Adds a resume hint to a failure in the middle of a job. */
export function jobFailure(e: unknown): unknown {
  if (e instanceof SealboxError && e.hint === undefined) {
    return new SealboxError(e.code, e.message, {
      cause: e.cause,
      hint: 'batches finished before the failure are saved: fix the cause, then run the same command again to resume',
    })
  }
  return e
}
