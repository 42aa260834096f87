import { Command, CommanderError } from 'commander'
import { EXIT } from './exit-codes.js'
import { reportFailure } from './output.js'
import { Runtime, type GlobalFlags } from './runtime/index.js'
import * as audit from './commands/audit.js'
import * as cp from './commands/cp.js'
import * as decrypt from './commands/decrypt.js'
import * as encrypt from './commands/encrypt.js'
import * as inspect from './commands/inspect.js'
import * as kms from './commands/kms.js'
import * as ls from './commands/ls.js'
import * as principals from './commands/principals.js'
import * as records from './commands/records.js'
import * as rm from './commands/rm.js'
import * as secrets from './commands/secrets.js'
import * as serve from './commands/serve.js'

/** The package's version, printed by `sealbox --version` and `sealbox -V`. */
export const VERSION = '0.1.0'

const COMMANDS = [
  encrypt,
  decrypt,
  inspect,
  cp,
  ls,
  rm,
  secrets,
  kms,
  audit,
  serve,
  principals,
  records,
]

export function buildProgram(runtime: Runtime, program = new Command()): Command {
  program
    .name('sealbox')
    .description('KMS envelope encryption for files, S3 objects, secrets and database fields')
    // The version is not a commander option: root options are recognised anywhere on the line,
    // and `--version` would then swallow subcommand flags such as `secrets rollback --version N`.
    // `main` answers `--version` / `-V` only as the first argument.
    .addHelpText('after', '\nRun sealbox --version (or -V) to print the version.')
    .option(
      '--home <dir>',
      'folder of the embedded keystore (env SEALBOX_HOME, default ~/.sealbox)',
    )
    .option('--kms <backend>', "'local' (embedded, default) or 'aws' (env SEALBOX_KMS)")
    .option('--kms-endpoint <url>', 'AWS KMS API endpoint for --kms aws (env AWS_ENDPOINT_URL_KMS)')
    .option('--region <region>', 'AWS region (env AWS_REGION)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`sealbox: error: ${text.replace(/^error: /, '')}`),
    })
  for (const command of COMMANDS) command.register(program, runtime)
  return program
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[2]
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${VERSION}\n`)
    return EXIT.ok
  }
  const runtime: Runtime = new Runtime(() => program.opts<GlobalFlags>())
  const program = buildProgram(runtime)
  try {
    await program.parseAsync(argv)
    return Number(process.exitCode ?? EXIT.ok)
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    return reportFailure(error)
  } finally {
    runtime.close()
  }
}
