import { rotateRecordKeys } from '../../records/index.js'
import type { Runtime } from '../runtime/index.js'
import {
  finishJob,
  jobFailure,
  JobControl,
  records,
  setUpJob,
  type JobFlags,
  type RecordsIo,
} from './records-job.js'

/**
 * `sealbox records rotate --db DB --table T --key-id NEW [--dry-run] [--batch N]`: every
 * record's data key rewrapped under NEW with KMS ReEncrypt (the fields are not touched), in
 * batches with a checkpoint in the database, so an interrupted run resumes where it stopped.
 */
export async function rotateRecords(
  runtime: Runtime,
  flags: JobFlags,
  io: RecordsIo,
): Promise<void> {
  const job = await setUpJob(runtime, flags)
  const control = new JobControl(
    io,
    `rotate ${job.table}`,
    job.maxBatches,
    flags.progress === true || io.stderr.isTTY === true,
  )
  try {
    const result = await rotateRecordKeys(
      job.database.db,
      { ...job.spec, fields: [] },
      {
        kms: control.yielding(job.kms),
        keyIds: job.keyIds,
        dryRun: flags.dryRun === true,
        signal: control.signal,
        onProgress: control.onProgress,
        ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
        ...(flags.job !== undefined ? { jobId: flags.job } : {}),
      },
    ).catch((e: unknown) => {
      throw jobFailure(e)
    })
    const under = job.keyIds.join(', ')
    if (flags.dryRun === true) {
      if (job.json) {
        io.stdout.write(
          `${JSON.stringify({ ...result, dryRun: true, keyIds: job.keyIds }, null, 2)}\n`,
        )
      } else {
        io.stdout.write(
          `${result.changed} of ${result.scanned} records of ${job.table} would be rewrapped under ${under}\n`,
        )
        io.stderr.write(`sealbox: dry run: nothing was changed\n`)
      }
      return
    }
    finishJob(io, control, result, job.json, {
      done: `rotation of ${job.table} finished: ${records(result.changed)} rewrapped under ${under}, ${result.skipped} already under it`,
      verb: 'rotation',
    })
  } finally {
    control.close()
    await job.database.close()
  }
}
