import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { SealboxError } from '../../errors/index.js'
import { printError, printWarning } from '../output.js'
import type { Runtime } from '../runtime/index.js'
import { secretEnvironment, type EnvFlags } from './env-secrets.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'

export interface ExecFlags extends StoreFlags, EnvFlags {
  pristine?: boolean
}

const FORWARDED: NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
]

/**
 * `sealbox secrets exec [--only PATTERN]… -- CMD ARGS…`: runs CMD with the secrets added to the
 * environment (or, with --pristine, as its whole environment). sealbox stays the parent: it
 * forwards signals to CMD and exits with CMD's exit code (128 + signal number when CMD was killed
 * by a signal; 127 when CMD cannot be started). An --only pattern that matches no secret is
 * refused (SecretNotFound) and CMD is not run.
 */
export async function execWithSecrets(
  runtime: Runtime,
  argv: string[],
  flags: ExecFlags,
  io: Io,
): Promise<void> {
  if (argv.length === 0) throw new SealboxError('UsageError', 'exec needs a command after --')
  const secrets = await openSecretStore(runtime, flags, false)
  const pairs = await secretEnvironment(secrets, flags, { requireMatches: 'nothing was run' })
  const env: NodeJS.ProcessEnv = flags.pristine === true ? {} : { ...process.env }
  for (const [name, value] of pairs) {
    if (flags.pristine !== true && env[name] !== undefined && env[name] !== value) {
      printWarning(`secret overrides the environment variable ${name}`, io.stderr)
    }
    env[name] = value
  }
  runtime.close()
  const code = await new Promise<number>((resolve) => {
    // Forwarding is in place before the command starts: a signal that comes as soon as it runs
    // must reach it, not end sealbox and orphan it. (A handler runs on a later turn, by which
    // time `child` is set.)
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal)
    }
    for (const signal of FORWARDED) process.on(signal, forward)
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: 'inherit' })
    let finished = false
    const done = (result: number): void => {
      if (finished) return
      finished = true
      for (const signal of FORWARDED) process.off(signal, forward)
      resolve(result)
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      printError(
        `cannot run ${argv[0]}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`,
        io.stderr,
      )
      done(error.code === 'ENOENT' ? 127 : 126)
    })
    child.on('exit', (status, signal) => {
      done(status ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)))
    })
  })
  process.exitCode = code
}
