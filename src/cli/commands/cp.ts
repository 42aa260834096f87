import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function register(program: Command, runtime: Runtime): void {
  program
    .command('cp')
    .description(
      'copy into a store (encrypting), out of one (decrypting), or between stores (re-encrypting)',
    )
    .argument(
      '<src>',
      'a local file, - for stdin, or a store URL (s3://bucket/key, local://bucket/key)',
    )
    .argument('<dst>', 'a local file, - for stdout, or a store URL')
    .option(
      '--key-id <key>',
      'KMS key (repeatable; the first generates the data key; default KMS_KEY_ID / CMK_KEY_ID, else the embedded key)',
      collect,
    )
    .option(
      '--context <k=v>',
      'encryption context pair, needed again to copy it out (repeatable)',
      collect,
    )
    .option('--force', 'replace an existing destination (still refused if it changes meanwhile)')
    .addHelpText(
      'after',
      `
Store URLs: s3://bucket/key (AWS S3 or any S3-compatible endpoint: AWS_ENDPOINT_URL_S3) and
local://bucket/key (the folder $SEALBOX_HOME/buckets/bucket, or SEALBOX_LOCAL_BUCKETS/bucket).
A destination ending in / takes the source's name.

Every object is sealed with the encryption context {"sealbox:bucket": bucket, "sealbox:key": key}
(plus --context pairs): an object copied or renamed by other means is refused (WrongLocation).
A replacement uses the version seen when cp started as a precondition, so a concurrent writer is
never overwritten silently. Local files are written atomically; binary never goes to a terminal.`,
    )
    .action(async (src: string, dst: string, flags: Record<string, unknown>) => {
      const { runCp } = await import('../objects/cp-command.js')
      await runCp(runtime, src, dst, flags)
    })
}
