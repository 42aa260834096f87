import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** The flags that say where the records are and how their keys are stored. */
function tableFlags(cmd: Command): Command {
  return cmd
    .option('--db <db>', 'the database: an SQLite file path, or postgres://user@host:port/db')
    .option('--table <table>', 'the table of the records')
    .option(
      '--model <name>',
      'model name in each record’s encryption context {model, id} (default: the table name)',
    )
    .option('--id-column <column>', 'primary key column (default id)')
    .option('--key-column <column>', 'column of the wrapped data keys (default encrypted_kms_key)')
}

/** The flags of batched, resumable jobs. */
function jobFlags(cmd: Command): Command {
  return cmd
    .option('--batch <n>', 'records per batch; a checkpoint is saved after each (default 500)')
    .option('--max-batches <n>', 'stop after n batches; the same command resumes later')
    .option('--job <id>', 'checkpoint name (default derived from the table and keys or columns)')
    .option('--dry-run', 'count what would change; change nothing')
    .option('--progress', 'report each batch on stderr (default: only on a terminal)')
    .option('--output <format>', 'text (default) or json (the result on stdout)')
}

export function register(program: Command, runtime: Runtime): void {
  const records = program
    .command('records')
    .description('database records with fields encrypted under a per-record KMS data key')
    .addHelpText(
      'after',
      `
Each record carries its own data key, wrapped by the KMS with the encryption context
{"model": MODEL, "id": ID} and stored in its key column as 'v1:' + base64, so every read is
a KMS Decrypt that the audit log shows: sealbox audit ls --context model=User --context id=123.
Jobs run in batches and save a checkpoint in the database (table sealbox_jobs) after each;
running the same command again resumes after the last saved batch. Ctrl-C stops after the
batch in flight. These commands handle the default context {model, id} only.`,
    )

  jobFlags(tableFlags(records.command('rotate')))
    .description(
      'rewrap every record’s data key under new KMS key(s) with ReEncrypt (fields untouched)',
    )
    .option(
      '--key-id <key>',
      'the new KMS key; repeat for several keys per record (env KMS_KEY_ID; default the embedded key)',
      collect,
    )
    .action(async (flags: Record<string, unknown>) => {
      const { rotateRecords } = await import('../records/rotate-records.js')
      const { processIo } = await import('../records/records-job.js')
      await rotateRecords(runtime, flags, processIo)
    })

  jobFlags(tableFlags(records.command('migrate')))
    .description(
      'seal an existing plaintext column into an encrypted field, record by record (resumable)',
    )
    .option('--from <column>', 'the plaintext column (set to NULL once sealed)')
    .option('--to <field>', 'the encrypted field column to write')
    .option(
      '--blind-index [column]',
      'also write the field’s blind index (default column <field>_bidx)',
    )
    .option(
      '--normalize <how>',
      'blind index normalization: none, lowercase, trim, trim-lowercase (must match the application)',
    )
    .option(
      '--key-id <key>',
      'KMS key for records without a data key yet; repeatable (env KMS_KEY_ID; default the embedded key)',
      collect,
    )
    .action(async (flags: Record<string, unknown>) => {
      const { migrateRecords } = await import('../records/migrate-records.js')
      const { processIo } = await import('../records/records-job.js')
      await migrateRecords(runtime, flags, processIo)
    })

  records
    .command('status')
    .description('records by the KMS keys they are under, records without a key, job checkpoints')
    .option('--db <db>', 'the database: an SQLite file path, or postgres://user@host:port/db')
    .option('--table <table>', 'the table of the records')
    .option('--id-column <column>', 'primary key column (default id)')
    .option('--key-column <column>', 'column of the wrapped data keys (default encrypted_kms_key)')
    .option(
      '--field <column>',
      'an encrypted field column: count keyless records that still hold one (repeatable)',
      collect,
    )
    .option('--output <format>', 'text (default) or json')
    .action(async (flags: Record<string, unknown>) => {
      const { recordsStatus } = await import('../records/status-records.js')
      const { processIo } = await import('../records/records-job.js')
      await recordsStatus(flags, processIo)
    })
}
