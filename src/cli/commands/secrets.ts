import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'
import { processIo } from '../secrets/io.js'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** The store and key flags every secrets subcommand takes. */
function storeFlag(cmd: Command): Command {
  return cmd.option(
    '--store <url>',
    'where secrets live: s3://bucket/prefix/ or local://folder/ (env S3_PATH; default local://secrets/ under SEALBOX_HOME)',
  )
}
function keyFlag(cmd: Command, what = 'KMS key new versions are sealed under'): Command {
  return cmd.option('--key-id <key>', `${what} (env KMS_KEY_ID; default the embedded key)`)
}

export function register(program: Command, runtime: Runtime): void {
  const secrets = program
    .command('secrets')
    .description(
      'secrets in a local folder or S3: one sealed message per version, bound to its path',
    )
    .addHelpText(
      'after',
      `
Each secret version is one sealbox message at <store>/<path>/.v/<version>, sealed with the
encryption context {"sealbox:secret": PATH, "sealbox:version": N}: a value copied or swapped to
another path or version is refused (WrongLocation). A put creates the next version only if no one
else has (conditional write), so concurrent puts never overwrite each other.
Environment names (exec, export): app/db-password -> APP_DB_PASSWORD (ASCII letters upper-cased,
digits kept, anything else '_', '_' before a leading digit).
Patterns: * within a segment, ** any depth, ? one character, [abc] sets; 'app/' = everything under app.`,
    )

  storeFlag(secrets.command('ls'))
    .description('list the latest version of every secret (path, version, size, modified, key)')
    .argument('[pattern...]', "glob patterns such as 'app/*' or '**' (default: every secret)")
    .option('--output <format>', 'text (default) or json')
    .option('--deleted', 'include secrets whose latest version is a deletion marker')
    .action(async (patterns: string[], flags: Record<string, unknown>) => {
      const { listSecrets } = await import('../secrets/list-secrets.js')
      await listSecrets(runtime, patterns, flags, processIo)
    })

  keyFlag(storeFlag(secrets.command('put')))
    .description('store FILE (or stdin with -) as the next version of PATH')
    .argument('<path>', 'secret path, e.g. app/db-password')
    .argument(
      '[file]',
      'a file, or - for stdin (default); on a terminal the value is read without echo',
    )
    .option('--expect-version <n>', 'write only if the latest version is still n (0: a new secret)')
    .action(async (path: string, file: string | undefined, flags: Record<string, unknown>) => {
      const { putSecret } = await import('../secrets/put-secret.js')
      await putSecret(runtime, path, file, flags, processIo)
    })

  storeFlag(secrets.command('get'))
    .description('print the value of PATH, or write it to a file')
    .argument('<path>', 'secret path')
    .option('-o, --output <file>', 'write to FILE atomically with mode 0600 (- for stdout)')
    .option('--force', 'replace an existing FILE')
    .option('-v, --at <n>', 'read version n instead of the latest')
    .action(async (path: string, flags: Record<string, unknown>) => {
      const { getSecret } = await import('../secrets/get-secret.js')
      await getSecret(runtime, path, flags, processIo)
    })

  storeFlag(secrets.command('rm'))
    .description('delete PATH: a deletion marker becomes the latest version (history kept)')
    .argument('<path>', 'secret path')
    .option('--purge', 'remove every version for good')
    .action(async (path: string, flags: Record<string, unknown>) => {
      const { removeSecret } = await import('../secrets/remove-secret.js')
      await removeSecret(runtime, path, flags, processIo)
    })

  storeFlag(secrets.command('history'))
    .description('every version of PATH with time, size and key')
    .argument('<path>', 'secret path')
    .option('--output <format>', 'text (default) or json')
    .action(async (path: string, flags: Record<string, unknown>) => {
      const { showHistory } = await import('../secrets/list-secrets.js')
      await showHistory(runtime, path, flags, processIo)
    })

  keyFlag(storeFlag(secrets.command('rollback')))
    .description("write version N's value again as the latest version of PATH")
    .argument('<path>', 'secret path')
    .argument('[n]', 'the version to bring back (or --version n, --to n)')
    .option('--version <n>', 'the version to bring back')
    .option('-v, --to <n>', 'the version to bring back (same as --version)')
    .action(async (path: string, n: string | undefined, flags: Record<string, unknown>) => {
      const { rollbackSecret } = await import('../secrets/rollback-secret.js')
      await rollbackSecret(runtime, path, n, flags, processIo)
    })

  keyFlag(storeFlag(secrets.command('pack')), 'KMS key the pack is sealed under')
    .description('seal the matching secrets as one tar message, streamed to OUT or stdout (-)')
    .argument('<patterns-and-out...>', 'PATTERN… then OUT (a file, or - for stdout)')
    .option('--context <k=v>', 'encryption context pair for the pack (repeatable)', collect)
    .option('--force', 'replace an existing OUT file')
    .action(async (args: string[], flags: Record<string, unknown>) => {
      const { packSecrets } = await import('../secrets/pack-secrets.js')
      await packSecrets(runtime, args, flags, processIo)
    })

  secrets
    .command('unpack')
    .description('verify and open a pack: to a folder, or the tar to stdout (-) for tar -x')
    .argument('<in>', 'the pack file, or - for stdin')
    .argument('<out>', 'a folder, or - for the tar on stdout')
    .option('--context <k=v>', 'a context pair the pack must carry (repeatable)', collect)
    .option('--force', 'replace files that already exist in the folder')
    .action(async (input: string, out: string, flags: Record<string, unknown>) => {
      const { unpackSecrets } = await import('../secrets/unpack-secrets.js')
      await unpackSecrets(runtime, input, out, flags, processIo)
    })

  storeFlag(secrets.command('rotate'))
    .description('a new data key for every (matching) secret; resumable; concurrent puts are kept')
    .option(
      '--key-id <key>',
      'move every secret to this KMS key (default: each stays under the keys it is sealed under)',
    )
    .argument('[pattern...]', 'only secrets matching these patterns')
    .option('--dry-run', 'print what would be rotated, change nothing')
    .option('--output <format>', 'text (default) or json')
    .action(async (patterns: string[], flags: Record<string, unknown>) => {
      const { rotateSecrets } = await import('../secrets/rotate-secrets.js')
      await rotateSecrets(runtime, patterns, flags, processIo)
    })

  storeFlag(secrets.command('exec'))
    .description(
      'run a command with secrets as environment variables (signals forwarded, exit code passed through)',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .option(
      '--only <pattern>',
      'only secrets matching pattern (repeatable; default every secret)',
      collect,
    )
    .option('--strip-prefix <prefix>', 'drop this path prefix before naming (app/ makes app/db DB)')
    .option('--pristine', 'the secrets are the whole environment of the command')
    .action(async (argv: string[], flags: Record<string, unknown>) => {
      const { execWithSecrets } = await import('../secrets/exec-with-secrets.js')
      await execWithSecrets(runtime, argv, flags, processIo)
    })

  storeFlag(secrets.command('export'))
    .description('print secrets as dotenv, json or shell assignments')
    .argument('[pattern...]', 'only secrets matching these patterns')
    .option('--format <format>', 'dotenv (default), json or shell')
    .option('--only <pattern>', 'only secrets matching pattern (repeatable)', collect)
    .option('--strip-prefix <prefix>', 'drop this path prefix before naming')
    .option('-o, --output <file>', 'write to FILE atomically with mode 0600')
    .option('--force', 'replace an existing FILE')
    .action(async (patterns: string[], flags: Record<string, unknown>) => {
      const { exportSecrets } = await import('../secrets/export-secrets.js')
      await exportSecrets(runtime, patterns, flags, processIo)
    })
}
