import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'

export interface RemoveFlags extends StoreFlags {
  purge?: boolean
}

/** `sealbox secrets rm PATH [--purge]`: a deletion marker (history kept), or every version gone. */
export async function removeSecret(
  runtime: Runtime,
  path: string,
  flags: RemoveFlags,
  io: Io,
): Promise<void> {
  const secrets = await openSecretStore(runtime, flags, false)
  const { version, purged } = await secrets.remove(path, { purge: flags.purge === true })
  if (flags.purge === true) {
    io.stderr.write(
      `sealbox: purged ${path} (${purged} version${purged === 1 ? '' : 's'} removed)\n`,
    )
  } else {
    io.stderr.write(
      `sealbox: removed ${path} (version ${version} is a deletion marker; history kept)\n`,
    )
  }
}
