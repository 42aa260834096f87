import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function register(program: Command, runtime: Runtime): void {
  program
    .command('decrypt')
    .description('decrypt a message from a file or stdin')
    .argument('[file]', 'the message to decrypt, or - for stdin (default)')
    .option(
      '-o, --output <out>',
      'output file, or - for stdout (default: FILE without .sealed, or stdout for stdin)',
    )
    .option(
      '--context <k=v>',
      'encryption context pair the message must carry (repeatable); the message may carry no other',
      collect,
    )
    .option(
      '--any-context',
      'decrypt whatever encryption context the message carries (no check)',
    )
    .option(
      '--key-id <key>',
      'KMS key ARN (or key id) that may be used; others are skipped (repeatable; default any)',
      collect,
    )
    .option(
      '--raw-key <ns:name:path>',
      'raw AES key file (16/24/32 bytes or base64) (repeatable)',
      collect,
    )
    .option('--max-encrypted-data-keys <n>', 'refuse messages with more wrapped keys (default 10)')
    .option(
      '--allow-legacy',
      'accept non-committing suites and non-framed bodies from older writers',
    )
    .option('--force', 'replace an existing output file')
    .addHelpText(
      'after',
      `
A file output appears only after the whole message verified (every frame tag, the end of the
message, the signature); on any failure nothing is left. On stdout, each frame is written once
its tag verifies and the last one only after the end (and signature) verify: if the command
fails, discard what it wrote.

The message's encryption context must be exactly the --context pairs given (none for a message
sealed without one): a message sealed for another purpose or tenant is refused, and the error
names the pairs it carries. 'sealbox inspect FILE' shows them; --any-context skips the check.`,
    )
    .action(async (file: string | undefined, flags: Record<string, unknown>) => {
      const { runDecrypt } = await import('../file/decrypt-command.js')
      await runDecrypt(runtime, file, flags)
    })
}
