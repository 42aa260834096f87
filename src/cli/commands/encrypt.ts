import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function register(program: Command, runtime: Runtime): void {
  program
    .command('encrypt')
    .description('encrypt a file or stdin into an AWS Encryption SDK message (format v2)')
    .argument('[file]', 'the file to encrypt, or - for stdin (default)')
    .option(
      '-o, --output <out>',
      'output file, or - for stdout (default: FILE.sealed, or stdout for stdin)',
    )
    .option(
      '--key-id <key>',
      'KMS key (repeatable; the first generates the data key; default KMS_KEY_ID / CMK_KEY_ID, else the embedded key)',
      collect,
    )
    .option('--context <k=v>', 'encryption context pair bound to the message (repeatable)', collect)
    .option('--frame-size <n>', 'plaintext bytes per frame, e.g. 64KiB, 1MiB (default 256KiB)')
    .option(
      '--signed',
      'sign the message (suite 0x0578, ECDSA P-384): readers can decrypt but not forge',
    )
    .option(
      '--raw-key <ns:name:path>',
      'raw AES key file (16/24/32 bytes or base64), usable without KMS (repeatable)',
      collect,
    )
    .option('--force', 'replace an existing output file')
    .addHelpText(
      'after',
      `
The output is written to a temporary file beside it (mode 0600), synced, then renamed: on any
failure nothing is left. With only --raw-key, no KMS is used. Files open with the AWS Encryption
SDKs and CLI given the same KMS key (or raw key namespace, name and bytes).`,
    )
    .action(async (file: string | undefined, flags: Record<string, unknown>) => {
      const { runEncrypt } = await import('../file/encrypt-command.js')
      await runEncrypt(runtime, file, flags)
    })
}
