import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { parseVersion } from './terminal-io.js'

export interface RollbackFlags extends StoreFlags {
  version?: string
  to?: string
}

/**
 * `sealbox secrets rollback PATH --version N` (or `PATH N`, or `--to N`): version N's value as
 * the new latest version.
 */
export async function rollbackSecret(
  runtime: Runtime,
  path: string,
  positional: string | undefined,
  flags: RollbackFlags,
  io: Io,
): Promise<void> {
  const given = [
    ...(positional === undefined ? [] : [positional]),
    ...(flags.version === undefined ? [] : [`--version ${flags.version}`]),
    ...(flags.to === undefined ? [] : [`--to ${flags.to}`]),
  ]
  const values = new Set([positional, flags.version, flags.to].filter((v) => v !== undefined))
  if (values.size > 1) {
    throw new SealboxError('UsageError', `two different versions given: ${given.join(' and ')}`)
  }
  const version = parseVersion([...values][0], 'rollback')
  if (version === undefined)
    throw new SealboxError(
      'UsageError',
      'rollback needs the version to bring back: rollback PATH --version N (or PATH N)',
    )
  const secrets = await openSecretStore(runtime, flags, true)
  const written = await secrets.rollback(path, version)
  io.stderr.write(
    `sealbox: ${written.path} version ${written.version} holds the value of version ${version}\n`,
  )
}
