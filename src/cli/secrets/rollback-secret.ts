import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { parseVersion } from './terminal-io.js'

export interface RollbackFlags extends StoreFlags {
  version?: string
}

/** `sealbox secrets rollback PATH --version N`: version N's value as the new latest version. */
export async function rollbackSecret(
  runtime: Runtime,
  path: string,
  flags: RollbackFlags,
  io: Io,
): Promise<void> {
  const version = parseVersion(flags.version, '--version')
  if (version === undefined) throw new SealboxError('UsageError', 'rollback needs --version N')
  const secrets = await openSecretStore(runtime, flags, true)
  const written = await secrets.rollback(path, version)
  io.stderr.write(
    `sealbox: ${written.path} version ${written.version} holds the value of version ${version}\n`,
  )
}
