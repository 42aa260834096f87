import { SealboxError } from '../../errors/index.js'
import { migratePlaintextColumn, type FieldValue } from '../../records/index.js'
import type { Runtime } from '../runtime/index.js'
import {
  finishJob,
  jobFailure,
  JobControl,
  needFlag,
  records,
  setUpJob,
  type JobFlags,
  type RecordsIo,
} from './records-job.js'

export interface MigrateFlags extends JobFlags {
  from?: string
  to?: string
  blindIndex?: string | boolean
  normalize?: string
}

const NORMALIZE: Record<string, ((v: FieldValue) => FieldValue) | undefined> = {
  none: undefined,
  lowercase: (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  trim: (v) => (typeof v === 'string' ? v.trim() : v),
  'trim-lowercase': (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
}

/**
 * `sealbox records migrate --db DB --table T --from PLAIN --to FIELD`: each record's plaintext
 * column sealed into the encrypted field under the record's data key (made if it has none) and
 * set to NULL, in batches with a checkpoint; a stopped run resumes where it left off.
 */
export async function migrateRecords(
  runtime: Runtime,
  flags: MigrateFlags,
  io: RecordsIo,
): Promise<void> {
  const from = needFlag(flags.from, '--from', 'the plaintext column to migrate')
  const to = needFlag(flags.to, '--to', 'the encrypted field (column) to write')
  const normalizeName = flags.normalize ?? 'none'
  if (!Object.hasOwn(NORMALIZE, normalizeName)) {
    throw new SealboxError(
      'UsageError',
      `unknown --normalize '${normalizeName}': expected ${Object.keys(NORMALIZE).join(', ')}`,
    )
  }
  if (flags.normalize !== undefined && flags.blindIndex === undefined) {
    throw new SealboxError('UsageError', '--normalize applies to a blind index: add --blind-index')
  }
  const normalize = NORMALIZE[normalizeName]
  const job = await setUpJob(runtime, flags)
  const control = new JobControl(
    io,
    `migrate ${job.table}.${from}`,
    job.maxBatches,
    flags.progress === true || io.stderr.isTTY === true,
  )
  try {
    const blindIndexes =
      flags.blindIndex === undefined || flags.blindIndex === false
        ? undefined
        : {
            [to]: {
              ...(typeof flags.blindIndex === 'string' ? { column: flags.blindIndex } : {}),
              ...(normalize !== undefined ? { normalize } : {}),
            },
          }
    const result = await migratePlaintextColumn(
      job.database.db,
      { ...job.spec, fields: [to], ...(blindIndexes !== undefined ? { blindIndexes } : {}) },
      {
        kms: control.yielding(job.kms),
        keyIds: job.keyIds,
        from,
        to,
        dryRun: flags.dryRun === true,
        signal: control.signal,
        onProgress: control.onProgress,
        ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
        ...(flags.job !== undefined ? { jobId: flags.job } : {}),
      },
    ).catch((e: unknown) => {
      throw jobFailure(e)
    })
    if (flags.dryRun === true) {
      if (job.json) {
        io.stdout.write(`${JSON.stringify({ ...result, dryRun: true }, null, 2)}\n`)
      } else {
        io.stdout.write(
          `${result.changed} records of ${job.table} have a plaintext ${from} to seal into ${to}\n`,
        )
        io.stderr.write(`sealbox: dry run: nothing was changed\n`)
      }
      return
    }
    finishJob(io, control, result, job.json, {
      done: `migration of ${job.table}.${from} finished: ${records(result.changed)} sealed into ${to}`,
      verb: 'migration',
    })
  } finally {
    control.close()
    await job.database.close()
  }
}
