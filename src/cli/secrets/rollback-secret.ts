import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { parseVersion } from './terminal-io.js'

export interface RollbackFlags extends StoreFlags {
  to?: string
}

/** `sealbox secrets rollback PATH N` (or `--to N`): version N's value as the new latest version. */
export async function rollbackSecret(
  runtime: Runtime,
  path: string,
  positional: string | undefined,
  flags: RollbackFlags,
  io: Io,
): Promise<void> {
  if (positional !== undefined && flags.to !== undefined && positional !== flags.to) {
    throw new SealboxError(
      'UsageError',
      `two different versions given: ${positional} and --to ${flags.to}`,
    )
  }
  const version = parseVersion(positional ?? flags.to, 'rollback')
  if (version === undefined)
    throw new SealboxError(
      'UsageError',
      'rollback needs the version to bring back: rollback PATH N (or --to N)',
    )
  const secrets = await openSecretStore(runtime, flags, true)
  const written = await secrets.rollback(path, version)
  io.stderr.write(
    `sealbox: ${written.path} version ${written.version} holds the value of version ${version}\n`,
  )
}
